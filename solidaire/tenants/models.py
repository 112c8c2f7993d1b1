"""A collectivité is a tenant: every campaign, team membership and audit row belongs to one."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from solidaire.core.images import validate_image
from solidaire.core.typography import with_article
from solidaire.geo.models import Commune

from .validators import validate_brand_colour, validate_custom_host, validate_siren, validate_siret


class Kind(models.TextChoices):
    REGION = "region", _("Région")
    DEPARTEMENT = "departement", _("Département")
    COMMUNE = "commune", _("Commune")
    INTERCOMMUNALITE = "intercommunalite", _("Intercommunalité")


class Article(models.TextChoices):
    """The article French puts before the collectivité’s name: "la Région Grand Est", "le
    Département du Bas-Rhin", "l’Eurométropole de Strasbourg", none for "Strasbourg"."""

    LA = "la", "la"
    LE = "le", "le"
    L = "l’", "l’"
    LES = "les", "les"
    NONE = "", _("none")


def article_for(name: str) -> str:
    """The article a name most likely takes, for a new collectivité or an old one."""
    first = (name.split() or [""])[0].lower()
    if first[:1] in "aeiouyéèêâîôh" and first[:1]:
        return Article.L
    if first in ("département", "conseil", "pays", "syndicat", "pôle", "pole"):
        return Article.LE
    if first in ("région", "ville", "commune", "communauté", "métropole", "collectivité", "mairie"):
        return Article.LA
    return Article.NONE


class Collectivite(models.Model):
    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        help_text=_("Used in the sub-domain of the collectivité’s site, such as grand-est.solidaire.example."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("official name"), max_length=200)
    article = models.CharField(
        _("article before the name"),
        max_length=3,
        choices=Article.choices,
        blank=True,
        help_text=_("How French sentences name it: “la Région Grand Est”, “le Département du Bas-Rhin”, “Strasbourg”."),
    )
    siren = models.CharField(_("SIREN"), max_length=9, unique=True, validators=[validate_siren])
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("The establishment that grants the public match; published as the grantor in the open data."),
    )
    insee_code = models.CharField(
        _("INSEE code"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^[0-9AB]{2,5}$", _("Enter an INSEE code (2 to 5 characters)."))],
        help_text=_("Region, département or commune code; empty for an intercommunalité."),
    )
    communes = models.ManyToManyField(Commune, related_name="collectivites", verbose_name=_("territory"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Branding and public pages
    logo = models.ImageField(_("logo"), upload_to="tenants/logos/", blank=True, validators=[validate_image])
    main_colour = models.CharField(
        _("main colour"),
        max_length=7,
        default="#00597a",
        validators=[validate_brand_colour],
        help_text=_("Hexadecimal colour such as #00597a; white text must stay readable on it."),
    )
    contact_email = models.EmailField(
        _("contact e-mail"), blank=True, help_text=_("Shown on the site; answers to the site’s e-mails go there.")
    )
    email_from = models.EmailField(
        _("sender of e-mails"),
        blank=True,
        help_text=_(
            "The address the site’s e-mails come from, under the collectivité’s name. Empty: the platform’s "
            "address. Ask your platform operator to allow it first, or the e-mails may be rejected as spam."
        ),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    legal_notice = models.TextField(_("legal notice"), blank=True)
    accessibility_statement = models.TextField(_("accessibility statement"), blank=True)
    privacy_policy = models.TextField(_("privacy policy"), blank=True)
    donor_retention_years = models.PositiveSmallIntegerField(
        _("keep donors' identity for (years)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("After this many years without a gift, a donor’s name, e-mail and address are pseudonymised."),
    )
    publish_edits_without_review = models.BooleanField(
        _("publish owners' edits without review"),
        default=False,
        help_text=_("When unchecked, changes to an approved establishment’s public page wait for a moderator."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self._state.adding and not self.article:
            self.article = article_for(self.name)
        super().save(*args, **kwargs)

    @property
    def name_with_article(self) -> str:
        """ "la Région Grand Est": how French sentences put the name (core.typography)."""
        return with_article(self.name, self.article, "fr")

    def departement_codes(self) -> list[str]:
        return sorted(set(self.communes.values_list("departement_id", flat=True)))


class Domain(models.Model):
    """A host name that leads to a collectivité (custom domain such as solidaire.grandest.fr)."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="domains")
    host = models.CharField(_("host name"), max_length=253, unique=True)

    class Meta:
        ordering = ["host"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self):
        return self.host

    def save(self, *args, **kwargs):
        self.host = self.host.strip().lower().rstrip(".")
        super().save(*args, **kwargs)

    def clean(self):
        self.host = self.host.strip().lower().rstrip(".")
        validate_custom_host(self.host)
