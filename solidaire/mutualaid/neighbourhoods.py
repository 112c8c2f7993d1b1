"""Neighbourhoods a collectivité names in its territory (issue 12, item 1): a quarter of a city, a
village of a commune nouvelle. A post may name one instead of only its commune; it is then shown
near the neighbourhood's centre (positions.for_neighbourhood, ADR 0023). Written by the
collectivité's admins from the back office; each change audited. A neighbourhood some post names
is not deleted (the post would lose its place): it can be renamed or moved instead."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.core.errors import ActionError

from . import positions
from .models import Neighbourhood

FIELDS = ("commune_id", "name", "latitude", "longitude")


def too_far(commune, latitude: float, longitude: float) -> bool:
    """Whether a centre is further from the commune's centre than a neighbourhood can be (False
    when the commune has no known position: nothing to compare with)."""
    if commune.latitude is None or commune.longitude is None:
        return False
    distance = positions.distance_m((commune.latitude, commune.longitude), (latitude, longitude))
    return distance > positions.NEIGHBOURHOOD_MAX_FROM_COMMUNE_M


def too_far_message(commune) -> str:
    return _("This centre is more than %(km)s km from the centre of %(commune)s: check the latitude and longitude.") % {
        "km": positions.NEIGHBOURHOOD_MAX_FROM_COMMUNE_M // 1000,
        "commune": commune.name,
    }


def label(neighbourhood: Neighbourhood) -> str:
    return f"{neighbourhood.name} ({neighbourhood.commune.name})"


def _check(neighbourhood: Neighbourhood) -> None:
    collectivite = neighbourhood.collectivite
    if not collectivite.communes.filter(pk=neighbourhood.commune_id).exists():
        raise ActionError(_("Choose a commune of the territory."), field="commune")
    neighbourhood.name = " ".join(neighbourhood.name.split())
    if not neighbourhood.name:
        raise ActionError(_("Give the neighbourhood a name."), field="name")
    if not (-90 <= neighbourhood.latitude <= 90 and -180 <= neighbourhood.longitude <= 180):
        raise ActionError(_("These are not a latitude and a longitude."), field="latitude")
    if too_far(neighbourhood.commune, neighbourhood.latitude, neighbourhood.longitude):
        raise ActionError(too_far_message(neighbourhood.commune), field="latitude")
    same = Neighbourhood.objects.filter(
        collectivite=collectivite, commune_id=neighbourhood.commune_id, name__iexact=neighbourhood.name
    ).exclude(pk=neighbourhood.pk)
    if same.exists():
        raise ActionError(_("This commune already has a neighbourhood of that name."), field="name")


@transaction.atomic
def save_neighbourhood(*, neighbourhood: Neighbourhood, actor) -> Neighbourhood:
    """Adds a neighbourhood (no pk yet) or saves the changes to one; checked (a commune of the
    territory, a centre near it, a name not used twice in the commune) and audited with what
    changed. The posts already placed near it keep their point (drawn once, ADR 0023)."""
    creating = neighbourhood.pk is None
    changes = {}
    if not creating:
        original = Neighbourhood.objects.select_for_update().get(
            pk=neighbourhood.pk, collectivite=neighbourhood.collectivite
        )
    _check(neighbourhood)
    if not creating:
        changes = {
            field: {"from": getattr(original, field), "to": getattr(neighbourhood, field)}
            for field in FIELDS
            if getattr(original, field) != getattr(neighbourhood, field)
        }
        if "commune_id" in changes:  # in words: the communes' names
            changes["commune"] = {"from": original.commune.name, "to": neighbourhood.commune.name}
            del changes["commune_id"]
    neighbourhood.save()
    if creating or changes:
        record(
            collectivite=neighbourhood.collectivite,
            actor=actor,
            action="mutualaid.neighbourhood_saved",
            obj=neighbourhood,
            label=label(neighbourhood),
            data={"changes": changes} if changes else None,
        )
    return neighbourhood


@transaction.atomic
def delete_neighbourhood(*, neighbourhood: Neighbourhood, actor) -> None:
    """Removes a neighbourhood no post names; refused otherwise."""
    neighbourhood = Neighbourhood.objects.select_for_update().select_related("commune").get(pk=neighbourhood.pk)
    if neighbourhood.posts.exists():
        raise ActionError(
            _("Posts name this neighbourhood: it cannot be deleted. Rename it or move its centre instead."),
            code="in_use",
        )
    record(
        collectivite=neighbourhood.collectivite,
        actor=actor,
        action="mutualaid.neighbourhood_deleted",
        label=label(neighbourhood),
    )
    neighbourhood.delete()
