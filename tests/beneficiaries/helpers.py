"""What the beneficiaries tests share: valid identifiers, the registration form as a café manager
fills it in, factories for establishments and registrations, and small readers of pages and rows."""

import io
import json
from datetime import timedelta
from pathlib import Path

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from stdnum import luhn

from solidaire.audit.models import AuditEvent
from solidaire.beneficiaries.models import Establishment, Registration
from solidaire.core.typography import typeset
from solidaire.geo.models import Commune
from solidaire.vouchers.models import Offer

from ..factories import CampaignFactory, valid_siren

STRASBOURG = "67482"
COLMAR = "68066"
MULHOUSE = "68224"
HAGUENAU = "67180"
METZ = "57463"
SAINT_DIE = "88413"

IBAN = "FR76 3000 6000 0112 3456 7890 189"
IBAN_COMPACT = "FR7630006000011234567890189"
OTHER_IBAN = "DE89 3704 0044 0532 0130 00"
OTHER_IBAN_COMPACT = "DE89370400440532013000"


def valid_siret(n: int, nic: int = 12) -> str:
    """A SIRET whose SIREN and whole number pass Luhn, made from two small numbers."""
    base = valid_siren(n) + f"{nic:04d}"
    return base + luhn.calc_check_digit(base)


SIRET = valid_siret(41_234_567)
OTHER_SIRET = valid_siret(41_234_568)


def commune(code: str) -> Commune:
    return Commune.objects.get(pk=code)


def cafe_campaign(side, **kwargs):
    """Café Solidaire of collectivité A (or of `side`): open for registration, bars and cafés."""
    kwargs.setdefault("slug", "cafe-solidaire")
    kwargs.setdefault("title", "Café Solidaire")
    return CampaignFactory(collectivite=side.tenant, **kwargs)


def picture(fmt: str = "JPEG", size=(2400, 1800), exif: bool = False, name: str | None = None):
    """An uploaded photo, optionally carrying the camera's make and a GPS position in EXIF."""
    image = Image.new("RGB", size, (120, 60, 30))
    output = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam"
        data[0x8825] = {1: "N", 2: (48.0, 34.0, 24.0), 3: "E", 4: (7.0, 45.0, 0.0)}
        options["exif"] = data
    image.save(output, format=fmt, **options)
    return SimpleUploadedFile(name or f"terrasse.{fmt.lower()}", output.getvalue(), content_type=f"image/{fmt.lower()}")


def form_data(**overrides) -> dict:
    """The registration form of "Café Solidaire" as a café manager in Strasbourg types it."""
    data = {
        "trade_name": "Le Café des Arts",
        "legal_name": "SARL Café des Arts",
        "category": "cafe",
        "identifier": SIRET,
        "address": "12 rue des Orfèvres",
        "commune_text": "Strasbourg",
        "commune_code": "",
        "postal_code": "67000",
        "phone": "03 88 00 00 00",
        "website": "https://cafe-des-arts.example",
        "opening_hours": "Du mardi au samedi, 8 h – 20 h",
        "photo_alt": "",
        "description": "Un café de quartier, ses habitués et sa terrasse.",
        "iban": IBAN,
        "account_holder": "SARL Café des Arts",
        "accept_terms": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(establishment: Establishment, **overrides) -> dict:
    """The edit form of `establishment` submitted as shown (IBAN left empty: kept), with overrides."""
    data = {
        "trade_name": establishment.trade_name,
        "legal_name": establishment.legal_name,
        "category": establishment.category,
        "identifier": establishment.legal_identifier,
        "address": establishment.address,
        "commune_text": establishment.commune.name,
        "commune_code": establishment.commune_id,
        "postal_code": establishment.postal_code,
        "phone": establishment.phone,
        "website": establishment.website,
        "opening_hours": establishment.opening_hours,
        "photo_alt": establishment.photo_alt,
        "description": establishment.description,
        "description_en": establishment.description_en,
        "description_de": establishment.description_de,
        "iban": "",
        "account_holder": establishment.account_holder,
    }
    data.update(overrides)
    return data


def register_url(campaign) -> str:
    return f"/mon-espace/inscription/{campaign.slug}/"


def moderation_url(registration) -> str:
    return f"/gestion/moderation/{registration.pk}/"


def page_url(registration) -> str:
    from django.utils.text import slugify

    e = registration.establishment
    return f"/campagnes/{registration.campaign.slug}/etablissements/{e.pk}-{slugify(e.trade_name)}/"


def subject(message: str, language: str = "fr", **params) -> str:
    """An e-mail subject as sent: translated and typeset ("du Café des Arts"), its spaces
    (non-breaking ones too) made plain."""
    from ..accounts.helpers import translated

    return " ".join(typeset(translated(message, language, **params), language).split())


def audit_actions(obj) -> list[str]:
    events = AuditEvent.objects.filter(object_type=obj._meta.model_name, object_id=str(obj.pk)).order_by("pk")
    return [e.action for e in events]


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("pk")


def row_counts() -> dict[str, int]:
    return {
        "establishments": Establishment.objects.count(),
        "registrations": Registration.objects.count(),
        "events": AuditEvent.objects.count(),
    }


class EstablishmentFactory(factory.django.DjangoModelFactory):
    """An establishment in Strasbourg, saved directly (the registration rules are not applied)."""

    class Meta:
        model = Establishment

    trade_name = factory.Sequence(lambda n: f"Café {n:03d}")
    legal_name = factory.LazyAttribute(lambda o: f"SARL {o.trade_name}")
    category = "cafe"
    siret = factory.Sequence(lambda n: valid_siret(30_000_000 + n))
    address = "1 place de la Gare"
    commune = factory.LazyFunction(lambda: commune(STRASBOURG))
    postal_code = factory.LazyAttribute(lambda o: o.commune.main_postal_code)
    latitude = factory.LazyAttribute(lambda o: o.commune.latitude)
    longitude = factory.LazyAttribute(lambda o: o.commune.longitude)
    description = "Un café de quartier."
    iban = IBAN_COMPACT
    account_holder = factory.LazyAttribute(lambda o: o.legal_name)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """An approved registration, unless told otherwise."""

    class Meta:
        model = Registration

    establishment = factory.SubFactory(EstablishmentFactory)
    legal_identifier = factory.LazyAttribute(lambda o: o.establishment.legal_identifier)
    status = "approved"
    terms_accepted_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    approved_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == "approved" else None)


def listed(campaign, side, owner, **kwargs) -> Registration:
    """An establishment of `owner` approved in `campaign` (of `side`)."""
    status = kwargs.pop("status", "approved")
    counterpart = kwargs.pop("counterpart", "")
    establishment = EstablishmentFactory(collectivite=side.tenant, owner=owner, **kwargs)
    registration = RegistrationFactory(campaign=campaign, establishment=establishment, status=status)
    if counterpart:  # what donors receive is an approved offer, here a named item
        Offer.objects.create(
            registration=registration, kind="item", item_label=counterpart, validity_days=180, status="approved"
        )
    return registration


DATA = Path(__file__).resolve().parent / "data"


def fixture_json(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def fake_urlopen(payload=None, *, error: Exception | None = None, calls: list | None = None):
    """A stand-in for urllib.request.urlopen answering `payload` (as JSON) or raising `error`;
    records the URLs asked for in `calls`."""

    def urlopen(request, timeout=None):
        url = getattr(request, "full_url", request)
        if calls is not None:
            calls.append(url)
        if error is not None:
            raise error
        return io.BytesIO(json.dumps(payload).encode())

    return urlopen
