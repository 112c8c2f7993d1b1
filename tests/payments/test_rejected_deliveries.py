"""POST /paiements/notifications/<provider>/ by anyone: a rejected delivery (bad signature,
unreadable body, a provider the collectivité does not use) is kept only as far as an
investigation needs — headers, size, SHA-256, the first 4 KB — while a valid one is stored whole;
every delivery is capped in size (413 above, the rest never read); and rejected deliveries are
limited per address more tightly than valid ones, before anything is stored."""

import hashlib
import io
import json

import pytest
from django.test import Client

from solidaire.payments import inbox
from solidaire.payments.models import Notification

from .helpers import SANDBOX_ENDPOINT, STRIPE_ENDPOINT, notify, post_notification, sandbox_body

pytestmark = pytest.mark.django_db


def padded(gift, size: int) -> bytes:
    """A sandbox notification about `gift`, padded with spaces to `size` bytes (valid JSON)."""
    body = sandbox_body(gift)
    return body + b" " * (size - len(body))


def test_a_forged_delivery_of_megabytes_is_kept_in_short(personas, gift, settings):
    settings.SOLIDAIRE_NOTIFICATION_MAX_BYTES = 4 * 1024 * 1024
    body = padded(gift, 2 * 1024 * 1024)
    response = post_notification(personas.a.host, body, secret="whsec_guessed")
    assert response.status_code == 400
    notification = Notification.objects.get()
    assert notification.status == "rejected"
    assert len(notification.body.encode()) == inbox.REJECTED_EXCERPT_BYTES
    assert body.decode().startswith(notification.body)
    assert (notification.body_size, notification.body_sha256, notification.body_truncated) == (
        len(body),
        hashlib.sha256(body).hexdigest(),
        True,
    )
    assert notification.headers["Solidaire-Signature"].startswith("t=")


def test_a_delivery_to_a_provider_the_collectivite_does_not_use_is_kept_in_short(personas):
    body = b'{"id": "evt_x", "filler": "' + b"x" * 100_000 + b'"}'
    response = Client(HTTP_HOST=personas.a.host).post(STRIPE_ENDPOINT, data=body, content_type="application/json")
    assert response.status_code == 404
    notification = Notification.objects.get()
    assert (notification.provider, notification.status) == ("stripe", "rejected")
    assert (len(notification.body), notification.body_size, notification.body_truncated) == (4096, len(body), True)
    assert notification.body_sha256 == hashlib.sha256(body).hexdigest()


def test_a_small_rejected_delivery_is_kept_whole_with_its_size_and_hash(personas, gift):
    body = sandbox_body(gift)
    post_notification(personas.a.host, body, secret="whsec_guessed")
    notification = Notification.objects.get()
    assert (notification.body, notification.body_size, notification.body_truncated) == (body.decode(), len(body), False)


def test_a_nul_byte_in_a_rejected_body_is_not_a_server_error(personas, gift):
    response = post_notification(personas.a.host, b"\x00" + sandbox_body(gift), secret="whsec_guessed")
    assert response.status_code == 400
    assert "\x00" not in Notification.objects.get().body


def test_a_valid_notification_is_stored_whole_with_its_size_and_hash(personas, gift, settings):
    settings.SOLIDAIRE_NOTIFICATION_MAX_BYTES = 64 * 1024
    body = padded(gift, 20_000)
    response = notify(personas.a, body)
    assert response.status_code == 200
    notification = Notification.objects.get()
    assert (notification.status, notification.body, notification.body_truncated) == ("applied", body.decode(), False)
    assert (notification.body_size, notification.body_sha256) == (len(body), hashlib.sha256(body).hexdigest())


def test_a_delivery_larger_than_the_cap_is_answered_413_and_not_read(personas, gift, settings):
    settings.SOLIDAIRE_NOTIFICATION_MAX_BYTES = 10_000
    body = padded(gift, 10_001)
    response = notify(personas.a, body)
    assert response.status_code == 413
    notification = Notification.objects.get()
    assert (notification.status, notification.body_size, notification.body_sha256) == ("rejected", 10_001, "")
    assert notification.body_truncated and notification.body == ""  # not a byte of it was read
    gift.refresh_from_db()
    assert gift.status == "pending"
    # At the cap exactly, it is read and applied.
    assert notify(personas.a, padded(gift, 10_000)).status_code == 200


def test_the_cap_holds_even_when_the_declared_length_lies(personas, gift, settings, rf):
    """A stream longer than its declared length (no content length at all): no more than the
    cap + 1 bytes are read from it."""
    from solidaire.payments.views import _read_body

    settings.SOLIDAIRE_NOTIFICATION_MAX_BYTES = 1000

    class Stream(io.BytesIO):
        taken = 0

        def read(self, size=-1):
            data = super().read(size)
            Stream.taken += len(data)
            return data

    request = rf.post(SANDBOX_ENDPOINT, data=b"", content_type="application/json")
    request._stream = Stream(b"x" * 1_000_000)
    body, too_large = _read_body(request, 1000)
    assert too_large and len(body) == 1001 and Stream.taken == 1001


def test_the_default_cap_is_256_kb():
    from django.conf import settings

    assert settings.SOLIDAIRE_NOTIFICATION_MAX_BYTES == 256 * 1024


def test_rejected_deliveries_are_limited_more_tightly_than_valid_ones(personas, gift):
    forged = sandbox_body(gift)
    answers = [post_notification(personas.a.host, forged, secret="whsec_guessed").status_code for _ in range(31)]
    assert answers == [400] * 30 + [429]
    assert Notification.objects.count() == 30  # the 31st was not stored
    # Valid notifications from the same address still go through.
    response = notify(personas.a, sandbox_body(gift, event_id="evt_after"))
    assert (response.status_code, json.loads(response.content)["status"]) == (200, "applied")
    # And an oversized delivery counts as a rejected one.
    assert notify(personas.a, padded(gift, 300 * 1024)).status_code == 429
    assert Notification.objects.count() == 31


def test_valid_deliveries_are_not_held_to_the_tighter_limit(personas, gift, campaign):
    from ..gifts import approved_registration, start

    cafe = approved_registration(campaign, name="Bar du Port")
    for n in range(35):
        other = start(cafe, 500, email=f"donor{n}@example.org")
        assert notify(personas.a, sandbox_body(other, "payment.failed")).status_code == 200


def test_a_delivery_declaring_an_absurd_length_is_answered_413_not_a_server_error(personas, gift):
    client = Client(HTTP_HOST=personas.a.host)
    response = client.generic(
        "POST", SANDBOX_ENDPOINT, sandbox_body(gift), content_type="application/json", CONTENT_LENGTH=str(2**70)
    )
    assert response.status_code == 413
    assert Notification.objects.get().body_size == 2**63 - 1
