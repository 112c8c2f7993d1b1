"""What the campaign tests share: the back-office form as a person fills it in, and small readers
of pages and rows."""

from datetime import timedelta

from django.utils import timezone

from solidaire.audit.models import AuditEvent
from solidaire.campaigns.models import Campaign

CREATE_URL = "/gestion/campagnes/nouvelle/"


def typed(moment) -> str:
    """A moment as the browser's datetime-local input sends it, in the platform’s time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form_data(**overrides) -> dict:
    """A valid new campaign as typed by an admin: the Café Solidaire rules, French-style euros."""
    now = timezone.now()
    data = {
        "title": "Café Solidaire",
        "slug": "",
        "kind": "businesses",
        "summary": "Soutenez les bars et cafés fermés par le confinement.",
        "description": "Chaque don de 3 à 10 € est doublé par la Région.",
        "picture_alt": "",
        "starts_at": typed(now + timedelta(days=1)),
        "ends_at": typed(now + timedelta(days=31)),
        "registration_opens_at": typed(now),
        "registration_closes_at": typed(now + timedelta(days=21)),
        "territory_scope": "all",
        "departements": [],
        "communes": "",
        "categories": ["bar", "cafe", "bar_tabac"],
        "min_gift_cents": "3",
        "max_gift_cents": "10",
        "suggested_gifts_cents": "5 ; 10",
        "matching_ratio_percent": "100",
        "matching_budget_cents": "100 000",
        "beneficiary_cap_cents": "",
        "donor_limit_cents": "",
        "counterpart_policy": "optional",
    }
    data.update(overrides)
    return data


def euros(cents) -> str:
    return "" if cents is None else f"{cents // 100},{cents % 100:02d}"


def edit_data(campaign: Campaign, **overrides) -> dict:
    """The edit form of `campaign` submitted as shown, with `overrides` typed over it."""
    data = {
        "title": campaign.title,
        "slug": campaign.slug,
        "kind": campaign.kind,
        "summary": campaign.summary,
        "description": campaign.description,
        "picture_alt": campaign.picture_alt,
        "starts_at": typed(campaign.starts_at),
        "ends_at": typed(campaign.ends_at),
        "registration_opens_at": typed(campaign.registration_opens_at),
        "registration_closes_at": typed(campaign.registration_closes_at),
        "territory_scope": campaign.territory_scope,
        "departements": [d.code for d in campaign.departements.all()],
        "communes": " ".join(campaign.communes.values_list("insee_code", flat=True)),
        "categories": list(campaign.categories),
        "min_gift_cents": euros(campaign.min_gift_cents),
        "max_gift_cents": euros(campaign.max_gift_cents),
        "suggested_gifts_cents": " ; ".join(euros(s) for s in campaign.suggested_gifts_cents),
        "matching_ratio_percent": str(campaign.matching_ratio_percent),
        "matching_budget_cents": euros(campaign.matching_budget_cents),
        "beneficiary_cap_cents": euros(campaign.beneficiary_cap_cents),
        "donor_limit_cents": euros(campaign.donor_limit_cents),
        "counterpart_policy": campaign.counterpart_policy,
    }
    data.update(overrides)
    return data


def edit_url(campaign: Campaign) -> str:
    return f"/gestion/campagnes/{campaign.slug}/modifier/"


def text(response) -> str:
    """The page's text with French non-breaking spaces as plain spaces ("25 000 €")."""
    return response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")


def row_counts() -> tuple[int, int]:
    return Campaign.objects.count(), AuditEvent.objects.count()


def form_errors(response) -> dict:
    return response.context["form"].errors


def audit_actions(campaign: Campaign) -> list[str]:
    events = AuditEvent.objects.filter(object_type="campaign", object_id=str(campaign.pk)).order_by("pk")
    return [e.action for e in events]


def picture(fmt: str = "PNG", size=(1200, 800), name: str | None = None, gps: bool = False):
    """An uploaded picture, optionally carrying a GPS position in its EXIF data."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    image = Image.new("RGB", size, (0, 89, 122))
    output = io.BytesIO()
    options = {}
    if gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (48.0, 34.0, 24.0), 3: "E", 4: (7.0, 45.0, 0.0)}
        options["exif"] = exif
    image.save(output, format=fmt, **options)
    filename = name or f"cafe.{fmt.lower()}"
    return SimpleUploadedFile(filename, output.getvalue(), content_type=f"image/{fmt.lower()}")
