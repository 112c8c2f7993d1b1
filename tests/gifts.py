"""Gifts for tests, made through the product's own write paths: an approved establishment,
a gift started with its match reserved, and the sandbox's hosted page paying it — whose signed
notifications reach the notification endpoint through `client_transport` (the Django test
client instead of a socket)."""

from urllib.parse import urlsplit

from django.test import Client, TestCase
from django.utils import timezone
from stdnum import luhn

from solidaire.beneficiaries.models import Establishment, Registration
from solidaire.donations import actions
from solidaire.donations.models import Gift
from solidaire.geo.models import Commune
from solidaire.payments.providers import provider_for

from .factories import UserFactory

_counter = {"n": 0}


def client_transport(url: str, body: bytes, headers: dict) -> int:
    """SOLIDAIRE_SANDBOX_TRANSPORT for tests: posts the notification with the test client."""
    parts = urlsplit(url)
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k.lower() != "content-type"}
    response = Client(HTTP_HOST=parts.netloc).post(parts.path, data=body, content_type="application/json", **extra)
    return response.status_code


def siret(n: int) -> str:
    base = f"{41000000000 + n:013d}"
    return base + luhn.calc_check_digit(base)


def approved_registration(campaign, *, owner=None, commune="67482", name=None, **extra) -> Registration:
    """An establishment of the campaign’s collectivité, approved for the campaign."""
    _counter["n"] += 1
    n = _counter["n"]
    commune = Commune.objects.get(pk=commune)
    establishment = Establishment.objects.create(
        collectivite=campaign.collectivite,
        owner=owner or UserFactory(),
        trade_name=name or f"Café {n}",
        legal_name=f"SARL CAFE {n}",
        category="cafe",
        siret=siret(n),
        address=f"{n} rue Principale",
        commune=commune,
        postal_code=commune.postal_codes.split()[0],
        latitude=commune.latitude,
        longitude=commune.longitude,
        description="Un café.",
        iban="FR7630006000011234567890189",
        account_holder=f"SARL CAFE {n}",
        **extra,
    )
    now = timezone.now()
    return Registration.objects.create(
        campaign=campaign,
        establishment=establishment,
        legal_identifier=establishment.siret,
        status="approved",
        terms_accepted_at=now,
        submitted_at=now,
        approved_at=now,
    )


def start(registration, amount_cents: int = 500, email: str = "donor@example.org", **kwargs) -> Gift:
    """A gift started as from the form: match reserved, sandbox checkout opened."""
    gift, _token = actions.create_gift(registration=registration, amount_cents=amount_cents, email=email, **kwargs)
    host = f"http://{registration.campaign.collectivite.slug}.localhost"
    page = f"{host}/dons/{gift.pk}/?t={gift.token}"
    actions.open_checkout(
        gift, success_url=page, cancel_url=page, notify_url=f"{host}/paiements/notifications/sandbox/"
    )
    gift.refresh_from_db()
    return gift


def pay(gift, outcome: str = "success", card: str = "4242") -> Gift:
    """Chooses an outcome on the sandbox's hosted page; its notifications are delivered at once."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        provider_for(gift.collectivite).pay(gift.checkout_id, outcome, card)
    gift.refresh_from_db()
    return gift


def give(registration, amount_cents: int = 500, email: str = "donor@example.org", outcome="success", **kwargs) -> Gift:
    return pay(start(registration, amount_cents, email, **kwargs), outcome)
