"""Beneficiaries: an establishment (café, shop, association…) of one collectivité, owned by a
person, and its registrations to that collectivité’s campaigns, each moderated on its own."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from solidaire.campaigns.choices import Category
from solidaire.core.images import validate_image
from solidaire.core.translated import Translated, translations
from solidaire.geo.models import Commune
from solidaire.geo.text import fold

# Fields the public sees on an establishment’s page. When the page is approved, changing one of
# them goes back to moderation unless the collectivité publishes edits without review.
PUBLIC_FIELDS = (
    "trade_name",
    "category",
    "address",
    "commune",
    "postal_code",
    "phone",
    "website",
    "opening_hours",
    "photo",
    "photo_alt",
    "description",
    "description_en",
    "description_de",
)


class PositionSource(models.TextChoices):
    COMMUNE = "commune", _("Centre of the commune")
    GEOCODER = "geocoder", _("Address geocoded")
    # The commune has no (valid) position: the centre of its département, shown as approximate.
    DEPARTEMENT = "departement", _("Centre of the département (approximate)")


class Establishment(Translated, models.Model):
    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.PROTECT, related_name="establishments")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="establishments")
    trade_name = models.CharField(_("trade name"), max_length=120)
    legal_name = models.CharField(_("legal name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    rna = models.CharField(_("RNA number"), max_length=10, blank=True)
    address = models.CharField(_("street address"), max_length=200)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune"))
    postal_code = models.CharField(_("postal code"), max_length=5)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    position_source = models.CharField(max_length=12, choices=PositionSource.choices, default=PositionSource.COMMUNE)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="establishments/",
        blank=True,
        validators=[validate_image],
        width_field="photo_width",
        height_field="photo_height",
    )
    # Kept by the ImageField so that pages give the size without opening the file.
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_alt = models.CharField(_("photo description"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=3000)
    # Optional; the page shows French where the visitor's language is missing (core.translated).
    description_en, description_de = translations(description)
    iban = models.CharField(_("IBAN"), max_length=34)
    account_holder = models.CharField(_("account holder"), max_length=140)
    # Connected account when the collectivité pays beneficiaries through Stripe Connect.
    stripe_account_id = models.CharField(_("Stripe account"), max_length=40, blank=True)
    # Edits to public fields waiting for a moderator, as {field: value}; photo in pending_photo.
    pending_changes = models.JSONField(default=dict, blank=True)
    pending_photo = models.ImageField(upload_to="establishments/pending/", blank=True)
    pending_since = models.DateTimeField(null=True, blank=True)
    search_text = models.CharField(max_length=400, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    TRANSLATED = ("description",)

    class Meta:
        ordering = ["trade_name"]
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        indexes = [models.Index(fields=["collectivite", "owner"])]

    def __str__(self):
        return self.trade_name

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        super().save(*args, **kwargs)
        # The directory searches and sorts registrations without joining establishments.
        self.registrations.exclude(search_text=self.search_text).update(search_text=self.search_text)

    @property
    def legal_identifier(self) -> str:
        return self.siret or self.rna

    @property
    def position_is_approximate(self) -> bool:
        """Shown at its département's centre: the commune's position is unknown."""
        return self.position_source == PositionSource.DEPARTEMENT

    @property
    def has_pending_changes(self) -> bool:
        return bool(self.pending_changes) or bool(self.pending_photo)

    def refresh_search_text(self) -> None:
        commune = self.commune
        self.search_text = fold(f"{self.trade_name} {commune.name} {self.postal_code} {commune.postal_codes}")[:400]


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CHANGES_REQUESTED, RegistrationStatus.APPROVED)


class RegistrationQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=RegistrationStatus.APPROVED)


class Registration(models.Model):
    """An establishment’s participation in one campaign."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="registrations")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="registrations")
    # Copied from the establishment so that the database refuses a second active registration
    # of the same SIRET (or RNA) in one campaign, even under concurrent submissions.
    legal_identifier = models.CharField(max_length=14)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
        db_index=True,
    )
    # What donors receive is the approved counterpart offer (vouchers.Offer), described from it.
    terms_accepted_at = models.DateTimeField()
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_message = models.TextField(_("message to the owner"), blank=True)
    approved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Maintained by the gift write path in the same transaction as each gift.
    # A moderator may hold back the payments of a beneficiary (an inquiry, a closed business):
    # its payout lines are listed apart, with this reason, until the payments are resumed.
    payouts_suspended_at = models.DateTimeField(null=True, blank=True)
    payouts_suspension_reason = models.CharField(_("reason for holding back payments"), max_length=300, blank=True)
    gifts_count = models.PositiveIntegerField(default=0, editable=False)
    gifts_total_cents = models.PositiveBigIntegerField(default=0, editable=False)
    matching_total_cents = models.PositiveBigIntegerField(default=0, editable=False)
    matching_reserved_cents = models.PositiveBigIntegerField(default=0, editable=False)
    # The establishment’s search text, copied so that the directory reads one table.
    search_text = models.CharField(max_length=400, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "legal_identifier"],
                condition=Q(status__in=["pending", "changes_requested", "approved"]),
                name="one_active_registration_per_identifier",
            ),
            models.UniqueConstraint(
                fields=["campaign", "establishment"],
                condition=Q(status__in=["pending", "changes_requested", "approved"]),
                name="one_active_registration_per_establishment",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "search_text"]),
            models.Index(fields=["campaign", "status", "-gifts_total_cents"]),
            models.Index(fields=["campaign", "status", "-approved_at"]),
        ]

    def __str__(self):
        return f"{self.establishment} — {self.campaign}"

    def save(self, *args, **kwargs):
        self.search_text = self.establishment.search_text
        super().save(*args, **kwargs)

    @property
    def total_received_cents(self) -> int:
        return self.gifts_total_cents + self.matching_total_cents
