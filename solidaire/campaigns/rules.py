"""The campaign rules, checked in one place for the forms, the command line and the actions."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solidaire.core.money import format_cents

from .choices import Category, TerritoryScope

MIN_GIFT_FLOOR_CENTS = 50  # below this, card fees eat the gift
MAX_GIFT_CEILING_CENTS = 1_000_000
MAX_SUGGESTED = 6
MAX_RATIO_PERCENT = 1000

# Rules a donor or a beneficiary may already rely on once gifts exist.
LOCKED_WHEN_GIFTS_EXIST = (
    "kind",
    "min_gift_cents",
    "max_gift_cents",
    "matching_ratio_percent",
    "beneficiary_cap_cents",
    "donor_limit_cents",
    "counterpart_policy",
    "starts_at",
    "categories",
    "territory_scope",
)


def validate_rules(campaign) -> None:
    """Raises ValidationError with one entry per field whose value breaks a rule."""
    errors: dict[str, list] = {}

    def add(field, message, **params):
        errors.setdefault(field, []).append(ValidationError(message, params=params or None))

    low, high = campaign.min_gift_cents, campaign.max_gift_cents
    if low is not None and low < MIN_GIFT_FLOOR_CENTS:
        add(
            "min_gift_cents",
            _("The minimum gift must be at least %(amount)s."),
            amount=format_cents(MIN_GIFT_FLOOR_CENTS),
        )
    if high is not None and high > MAX_GIFT_CEILING_CENTS:
        add(
            "max_gift_cents",
            _("The maximum gift cannot be more than %(amount)s."),
            amount=format_cents(MAX_GIFT_CEILING_CENTS),
        )
    if low is not None and high is not None and high < low:
        add("max_gift_cents", _("The maximum gift must not be less than the minimum gift."))
    suggested = campaign.suggested_gifts_cents or []
    if len(suggested) > MAX_SUGGESTED:
        add("suggested_gifts_cents", _("Suggest at most %(count)s amounts."), count=MAX_SUGGESTED)
    if len(set(suggested)) != len(suggested):
        add("suggested_gifts_cents", _("Each suggested amount must appear only once."))
    if low is not None and high is not None:
        outside = [s for s in suggested if not low <= s <= high]
        if outside:
            add("suggested_gifts_cents", _("Suggested amounts must lie between the minimum and the maximum gift."))
    ratio = campaign.matching_ratio_percent
    if ratio is not None and not 1 <= ratio <= MAX_RATIO_PERCENT:
        add(
            "matching_ratio_percent",
            _("The matching ratio must be between 1 %% and %(max)s %%."),
            max=MAX_RATIO_PERCENT,
        )
    budget = campaign.matching_budget_cents
    if budget is not None and budget < 100:
        add("matching_budget_cents", _("The public budget must be at least 1 €."))
    cap = campaign.beneficiary_cap_cents
    if cap is not None:
        if cap < 1:
            add("beneficiary_cap_cents", _("The cap per beneficiary must be positive, or left empty."))
        elif budget is not None and cap > budget:
            add("beneficiary_cap_cents", _("The cap per beneficiary cannot exceed the public budget."))
    limit = campaign.donor_limit_cents
    if limit is not None and limit < 1:
        add("donor_limit_cents", _("The limit per donor must be positive, or left empty."))
    if campaign.starts_at and campaign.ends_at and campaign.ends_at <= campaign.starts_at:
        add("ends_at", _("Gifts must close after they open."))
    opens, closes = campaign.registration_opens_at, campaign.registration_closes_at
    if opens and closes and closes <= opens:
        add("registration_closes_at", _("Registration must close after it opens."))
    if closes and campaign.ends_at and closes > campaign.ends_at:
        add("registration_closes_at", _("Registration must close no later than the gifts do."))
    unknown = [c for c in campaign.categories or [] if c not in Category.values]
    if unknown:
        add("categories", _("Unknown category: %(names)s."), names=", ".join(map(str, unknown)))
    if not campaign.categories:
        add("categories", _("Choose at least one eligible category."))
    if errors:
        raise ValidationError(errors)


def validate_territory(collectivite, scope: str, departements, communes) -> None:
    """The campaign’s territory must lie within the collectivité’s."""
    if scope == TerritoryScope.DEPARTEMENTS:
        if not departements:
            raise ValidationError({"departements": _("Choose at least one département.")})
        own = set(collectivite.communes.values_list("departement_id", flat=True).distinct())
        outside = sorted(d.code for d in departements if d.code not in own)
        if outside:
            raise ValidationError(
                {"departements": _("Outside your territory: %(codes)s.") % {"codes": ", ".join(outside)}}
            )
    elif scope == TerritoryScope.COMMUNES:
        if not communes:
            raise ValidationError({"communes": _("Give at least one commune.")})
        codes = [c.insee_code for c in communes]
        own = set(collectivite.communes.filter(pk__in=codes).values_list("pk", flat=True))
        outside = sorted(set(codes) - own)
        if outside:
            raise ValidationError({"communes": _("Outside your territory: %(codes)s.") % {"codes": ", ".join(outside)}})


def locked_rule_errors(original, updated, original_territory, updated_territory) -> dict[str, str]:
    """Changes refused because gifts already exist. The budget may only grow, and gifts may
    only close later, never earlier."""
    if not original.has_gifts:
        return {}
    errors = {}
    message = _("This rule cannot change once gifts have been made.")
    for field in LOCKED_WHEN_GIFTS_EXIST:
        if getattr(original, field) != getattr(updated, field):
            errors[field] = message
    if original_territory != updated_territory and "territory_scope" not in errors:
        errors["territory_scope"] = message
    if updated.matching_budget_cents < original.matching_budget_cents:
        errors["matching_budget_cents"] = _("Once gifts have been made, the public budget may only grow.")
    if updated.ends_at < original.ends_at:
        errors["ends_at"] = _("Once gifts have been made, the closing date may only move later.")
    return errors
