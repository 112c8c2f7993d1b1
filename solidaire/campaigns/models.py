"""A matched-donation campaign of one collectivité: its text, territory and money rules."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from solidaire.core.images import validate_image
from solidaire.core.translated import Translated, translations
from solidaire.geo.models import Commune, Departement

from . import hooks
from .choices import CampaignKind, CounterpartPolicy, Status, TerritoryScope


class CampaignQuerySet(models.QuerySet):
    def for_tenant(self, collectivite):
        return self.filter(collectivite=collectivite)

    def public(self):
        return self.filter(status__in=[Status.PUBLISHED, Status.CLOSED])


class Campaign(Translated, models.Model):
    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.PROTECT, related_name="campaigns")
    slug = models.SlugField(_("web address"), max_length=80)
    kind = models.CharField(_("type"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.BUSINESSES)
    title = models.CharField(_("title"), max_length=150)
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One or two sentences, shown in lists and when the page is shared.")
    )
    description = models.TextField(_("text"))
    # Optional English and German texts; pages fall back to French (core.translated).
    title_en, title_de = translations(title)
    summary_en, summary_de = translations(summary)
    description_en, description_de = translations(description)
    picture = models.ImageField(
        _("picture"),
        upload_to="campaigns/",
        blank=True,
        validators=[validate_image],
        width_field="picture_width",
        height_field="picture_height",
    )
    # Kept by the ImageField so that pages give the size without opening the file.
    picture_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    picture_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    picture_alt = models.CharField(
        _("picture description"),
        max_length=200,
        blank=True,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    picture_alt_en, picture_alt_de = translations(picture_alt)
    starts_at = models.DateTimeField(_("gifts open on"))
    ends_at = models.DateTimeField(_("gifts close on"))
    registration_opens_at = models.DateTimeField(_("registration opens on"))
    registration_closes_at = models.DateTimeField(_("registration closes on"))
    territory_scope = models.CharField(
        _("territory"), max_length=20, choices=TerritoryScope.choices, default=TerritoryScope.ALL
    )
    departements = models.ManyToManyField(Departement, blank=True, related_name="+", verbose_name=_("départements"))
    communes = models.ManyToManyField(Commune, blank=True, related_name="+", verbose_name=_("communes"))
    categories = models.JSONField(_("eligible categories"), default=list)
    min_gift_cents = models.PositiveIntegerField(_("minimum gift"))
    max_gift_cents = models.PositiveIntegerField(_("maximum gift"))
    suggested_gifts_cents = models.JSONField(_("suggested gifts"), default=list, blank=True)
    matching_ratio_percent = models.PositiveIntegerField(
        _("matching ratio"),
        default=100,
        help_text=_("Public money added for each euro given, in percent: 100 doubles each gift."),
    )
    matching_budget_cents = models.PositiveBigIntegerField(_("public budget"))
    beneficiary_cap_cents = models.PositiveBigIntegerField(_("cap per beneficiary"), null=True, blank=True)
    donor_limit_cents = models.PositiveBigIntegerField(_("limit per donor"), null=True, blank=True)
    payout_minimum_cents = models.PositiveIntegerField(
        _("smallest payment"),
        default=100,
        help_text=_("What a beneficiary is owed below this waits for the next payout batch."),
    )
    counterpart_policy = models.CharField(
        _("counterparts"), max_length=20, choices=CounterpartPolicy.choices, default=CounterpartPolicy.OPTIONAL
    )
    decision_reference = models.CharField(
        _("decision reference"),
        max_length=200,
        blank=True,
        help_text=_(
            "The deliberation that grants the public match, e.g. “Délibération CP-2026-118”; published in the open data."
        ),
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    TRANSLATED = ("title", "summary", "description", "picture_alt")

    class Meta:
        ordering = ["-starts_at", "title"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(fields=["collectivite", "slug"], name="campaign_slug_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(max_gift_cents__gte=models.F("min_gift_cents")), name="campaign_gift_bounds"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        from .rules import validate_rules

        validate_rules(self)

    # What the public sees -------------------------------------------------------------
    @property
    def is_public(self) -> bool:
        return self.status in (Status.PUBLISHED, Status.CLOSED)

    @cached_property
    def has_gifts(self) -> bool:
        """Once anyone has started a gift, the rules they relied on are locked."""
        return self.gifts.exists()

    @cached_property
    def figures(self):
        """Live figures (budget used, reserved and left, totals), cached for a few seconds."""
        return hooks.figures_of(self)

    def phase(self, now=None) -> str:
        """draft, upcoming, open, ended or closed."""
        now = now or timezone.now()
        if self.status == Status.DRAFT:
            return "draft"
        if self.status == Status.CLOSED:
            return "closed"
        if now < self.starts_at:
            return "upcoming"
        if now >= self.ends_at:
            return "ended"
        return "open"

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == Status.PUBLISHED and self.registration_opens_at <= now < self.registration_closes_at

    def match_for(self, gift_cents: int) -> int:
        """What the collectivité adds to a gift under the ratio alone (caps and budget aside)."""
        return gift_cents * self.matching_ratio_percent // 100

    def includes_commune(self, commune: Commune) -> bool:
        if not self.collectivite.communes.filter(pk=commune.pk).exists():
            return False
        if self.territory_scope == TerritoryScope.DEPARTEMENTS:
            return self.departements.filter(pk=commune.departement_id).exists()
        if self.territory_scope == TerritoryScope.COMMUNES:
            return self.communes.filter(pk=commune.pk).exists()
        return True

    def territory_communes(self):
        """The communes where beneficiaries may be, as a queryset."""
        base = self.collectivite.communes.all()
        if self.territory_scope == TerritoryScope.DEPARTEMENTS:
            return base.filter(departement__in=self.departements.all())
        if self.territory_scope == TerritoryScope.COMMUNES:
            return base.filter(pk__in=self.communes.all())
        return base
