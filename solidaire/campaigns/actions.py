"""Campaign state changes: create, change, publish, close, reopen. Views, the command line and
tests all go through these functions; the moves between states follow campaigns.states."""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.core.errors import ActionError
from solidaire.core.images import normalise_image

from . import hooks, states
from .choices import Status
from .models import Campaign
from .rules import locked_rule_errors, validate_territory

AUDITED_FIELDS = (
    "title",
    "slug",
    "kind",
    "summary",
    "description",
    "picture",
    "picture_alt",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "territory_scope",
    "categories",
    "min_gift_cents",
    "max_gift_cents",
    "suggested_gifts_cents",
    "matching_ratio_percent",
    "matching_budget_cents",
    "beneficiary_cap_cents",
    "donor_limit_cents",
    "counterpart_policy",
)


def _territory_key(scope, departements, communes):
    return (scope, tuple(sorted(d.code for d in departements)), tuple(sorted(c.insee_code for c in communes)))


def _json(value):
    if isinstance(value, datetime):
        # One instant, one text: the form gives local times, the database UTC.
        return value.astimezone(UTC).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "name"):  # files
        return value.name or ""
    return value


def _full_clean(campaign: Campaign) -> None:
    try:
        # created_by is empty for campaigns created by a script or whose author left.
        campaign.full_clean(exclude=["collectivite", "departements", "communes", "created_by"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ActionError(messages[0], field=None if field == "__all__" else field) from exc


def _normalise_picture(campaign: Campaign, new_upload: bool) -> None:
    if new_upload and campaign.picture:
        campaign.picture = normalise_image(campaign.picture.file)


@transaction.atomic
def save_campaign(*, campaign: Campaign, territory, actor) -> Campaign:
    """Creates the campaign (no pk yet) or saves changes to it, with its territory."""
    scope, departements, communes = territory
    try:
        validate_territory(campaign.collectivite, scope, departements, communes)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ActionError(messages[0], field=field) from exc
    campaign.territory_scope = scope
    new_key = _territory_key(scope, departements, communes)
    creating = campaign.pk is None
    changes = {}
    if creating:
        campaign.status = Status.DRAFT
        campaign.created_by = actor if actor is not None and actor.is_authenticated else None
    else:
        original = Campaign.objects.select_for_update().get(pk=campaign.pk, collectivite=campaign.collectivite)
        original_key = _territory_key(original.territory_scope, original.departements.all(), original.communes.all())
        errors = locked_rule_errors(original, campaign, original_key, new_key)
        if errors:
            field, message = next(iter(errors.items()))
            raise ActionError(message, field=field, code="locked")
        if original.status != Status.DRAFT and original.slug != campaign.slug:
            raise ActionError(_("The web address cannot change once the campaign is published."), field="slug")
        campaign.status = original.status
        for field in AUDITED_FIELDS:
            before, after = _json(getattr(original, field)), _json(getattr(campaign, field))
            if before != after:
                changes[field] = {"from": before, "to": after}
        if original_key != new_key:
            changes["territory"] = {"from": list(original_key), "to": list(new_key)}
    _full_clean(campaign)
    # full_clean leaves out the collectivité, so it cannot see the per-tenant unique web address.
    taken = Campaign.objects.filter(collectivite=campaign.collectivite, slug=campaign.slug).exclude(pk=campaign.pk)
    if taken.exists():
        raise ActionError(_("Another campaign already uses this web address."), field="slug", code="slug_taken")
    _normalise_picture(campaign, new_upload=creating or "picture" in changes)
    campaign.save()
    campaign.departements.set(departements)
    campaign.communes.set(communes)
    hooks.saved(campaign)  # the matching pools follow the budget
    if creating:
        record(
            collectivite=campaign.collectivite,
            actor=actor,
            action="campaign.created",
            obj=campaign,
            data={"slug": campaign.slug},
        )
    elif changes:
        record(
            collectivite=campaign.collectivite,
            actor=actor,
            action="campaign.updated",
            obj=campaign,
            data={"changes": changes},
        )
    return campaign


def _locked(campaign: Campaign, action: str, refusal, code: str) -> tuple[Campaign, str]:
    """The campaign’s row, locked, and where `action` takes it; refused when the table says no."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    status = states.target(campaign.status, action)
    if status is None:
        raise ActionError(refusal, code=code)
    return campaign, status


def _move(campaign: Campaign, action: str, status: str, *, actor, fields: list[str]) -> Campaign:
    """The one write of a move: the new status (and `fields`), and its audit event."""
    campaign.status = status
    campaign.save(update_fields=["status", *fields, "updated_at"])
    record(collectivite=campaign.collectivite, actor=actor, action=states.EVENTS[action], obj=campaign)
    return campaign


@transaction.atomic
def publish_campaign(*, campaign: Campaign, actor, now=None) -> Campaign:
    now = now or timezone.now()
    campaign, status = _locked(campaign, states.PUBLISH, _("Only a draft campaign can be published."), "not_draft")
    _full_clean(campaign)
    if campaign.ends_at <= now:
        raise ActionError(_("The closing date has passed: move it later before publishing."), field="ends_at")
    if not campaign.territory_communes().exists():
        raise ActionError(_("The campaign’s territory holds no commune."), field="territory_scope")
    campaign.published_at = now
    return _move(campaign, states.PUBLISH, status, actor=actor, fields=["published_at"])


@transaction.atomic
def close_campaign(*, campaign: Campaign, actor, now=None) -> Campaign:
    """Closes a published campaign: no gift starts any more. Nothing else changes: a donor
    already on the payment page keeps the match promised until the reservation ends (then it
    is released, like any reservation), gifts and vouchers stay valid, payouts go on."""
    campaign, status = _locked(campaign, states.CLOSE, _("Only a published campaign can be closed."), "not_published")
    campaign.closed_at = now or timezone.now()
    return _move(campaign, states.CLOSE, status, actor=actor, fields=["closed_at"])


@transaction.atomic
def reopen_campaign(*, campaign: Campaign, actor, now=None) -> Campaign:
    """Reopens a closed campaign, until its closing date: gifts start again, with what is left
    of the public budget."""
    now = now or timezone.now()
    campaign, status = _locked(campaign, states.REOPEN, _("Only a closed campaign can be reopened."), "not_closed")
    if campaign.ends_at <= now:
        raise ActionError(
            _("The closing date has passed: the campaign can no longer be reopened."), code="ended", field="ends_at"
        )
    campaign.closed_at = None
    return _move(campaign, states.REOPEN, status, actor=actor, fields=["closed_at"])
