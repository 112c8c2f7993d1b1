"""Where an establishment is shown on the map until the address is geocoded: its commune's
position or, when the commune has none, its département's centre, marked approximate. When the
list of communes is corrected (geo.loader), the establishments placed at a changed position move."""

import logging

from solidaire.geo.geocoding import commune_centre
from solidaire.geo.positions import is_in_territory

from .models import Establishment, PositionSource

logger = logging.getLogger(__name__)


def place_at_commune(establishment) -> None:
    """Sets the establishment’s position from its commune (not saved)."""
    position = commune_centre(establishment.commune)
    if position is None:
        establishment.latitude = establishment.longitude = None
        establishment.position_source = PositionSource.COMMUNE
        return
    establishment.latitude, establishment.longitude = position.latitude, position.longitude
    establishment.position_source = PositionSource.DEPARTEMENT if position.approximate else PositionSource.COMMUNE


def reposition(*, communes, using="default") -> int:
    """Moves the establishments placed at the position of one of `communes` (not those whose
    address was geocoded) and every establishment shown outside its commune's territory. Returns
    how many moved."""
    establishments = Establishment.objects.using(using).select_related("commune__departement")
    placed = establishments.filter(commune_id__in=list(communes)).exclude(position_source=PositionSource.GEOCODER)
    astray = [
        pk
        for pk, departement, latitude, longitude in establishments.exclude(latitude=None).values_list(
            "pk", "commune__departement_id", "latitude", "longitude"
        )
        if not is_in_territory(departement, latitude, longitude)
    ]
    moved = 0
    for establishment in (placed | establishments.filter(pk__in=astray)).distinct():
        place_at_commune(establishment)
        Establishment.objects.using(using).filter(pk=establishment.pk).update(
            latitude=establishment.latitude,
            longitude=establishment.longitude,
            position_source=establishment.position_source,
        )
        moved += 1
    if moved:
        logger.warning("%d establishments moved to their commune's corrected position", moved)
    return moved


def reposition_after_reload(sender, communes, using="default", **kwargs) -> None:
    reposition(communes=communes, using=using)
