from celery import shared_task
from django.db import transaction

from solidaire.geo.geocoding import get_geocoder


@shared_task(ignore_result=True)
def geocode_establishment(establishment_id: int) -> None:
    """Replaces the commune's centre by the address's position when the geocoder knows it."""
    from .models import Establishment

    establishment = Establishment.objects.select_related("commune").filter(pk=establishment_id).first()
    if establishment is None:
        return
    position = get_geocoder().geocode(establishment.address, establishment.commune, establishment.postal_code)
    if position is None:
        return
    with transaction.atomic():
        # Only if the address did not change meanwhile.
        Establishment.objects.filter(
            pk=establishment.pk, address=establishment.address, commune=establishment.commune
        ).update(latitude=position.latitude, longitude=position.longitude, position_source=position.source)
