"""Small helpers shared by the platform, tenant, accounts and audit tests."""

import html
import io
import re

from django.core import mail
from django.utils import translation
from PIL import Image

URL = re.compile(r"https?://[^\s<>\"']+")


def links_in(message) -> list[str]:
    return URL.findall(message.body)


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def only_mail_to(address: str):
    """The single e-mail sent to this address (fails when there is none or several)."""
    sent = [m for m in mail.outbox if address in m.to]
    assert len(sent) == 1, f"expected one e-mail to {address}, got {[m.subject for m in sent]}"
    return sent[0]


def translated(message: str, language: str = "fr", **params) -> str:
    """A product message as people read it in `language` (the catalogues may or may not be
    compiled: tests hold either way)."""
    with translation.override(language):
        text = translation.gettext(message)
    return text % params if params else text


def page_text(response) -> str:
    """The page's HTML with entities decoded, to look for a translated message with quotes."""
    return html.unescape(response.content.decode())


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def image_bytes(fmt: str = "PNG", size=(1200, 800), exif: bool = False, colour=(0, 89, 122)) -> bytes:
    image = Image.new("RGB", size, colour)
    output = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam"  # Make
        data[0x0110] = "Model 1"  # Model
        data[0x8825] = {1: "N", 2: (48.0, 34.0, 24.0), 3: "E", 4: (7.0, 45.0, 0.0)}  # GPS info
        options["exif"] = data
    image.save(output, format=fmt, **options)
    return output.getvalue()


def counts(*models) -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in models}


def signed_in_with_two_factor(client, user):
    """The client signed in as `user`, who has an authenticator app, with both steps recorded in
    the session as allauth records them (password, then the app’s code)."""
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "id": 1, "type": "totp"},
    ]
    session.save()
    return client
