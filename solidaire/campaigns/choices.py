from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    BUSINESSES = "businesses", _("Support to local businesses")
    ASSOCIATIONS = "associations", _("Support to associations")
    PARTICIPATORY = "participatory", _("Participatory-budget projects")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class TerritoryScope(models.TextChoices):
    ALL = "all", _("The whole territory of the collectivité")
    DEPARTEMENTS = "departements", _("Some départements")
    COMMUNES = "communes", _("Some communes")


class CounterpartPolicy(models.TextChoices):
    NONE = "none", _("No counterpart")
    OPTIONAL = "optional", _("Each beneficiary may offer a counterpart")
    REQUIRED = "required", _("Each beneficiary must offer a counterpart")


class Category(models.TextChoices):
    """Kinds of beneficiaries a campaign may accept."""

    BAR = "bar", _("Bar")
    CAFE = "cafe", _("Café")
    BAR_TABAC = "bar_tabac", _("Bar-tabac")
    RESTAURANT = "restaurant", _("Restaurant")
    SHOP = "shop", _("Shop")
    CRAFT = "craft", _("Craftsperson")
    HOTEL = "hotel", _("Hotel")
    CULTURE = "culture", _("Cultural venue")
    ASSOCIATION = "association", _("Association")
    PROJECT = "project", _("Participatory-budget project")
