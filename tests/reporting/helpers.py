"""What the reporting tests share: a campaign of collectivité A with beneficiaries in different
communes, départements and categories, and gifts moved back to past days."""

from datetime import timedelta

from django.utils import timezone

from solidaire.beneficiaries.models import Establishment
from solidaire.donations.models import Gift

from ..factories import CampaignFactory
from ..gifts import approved_registration

# (commune, category): two in Bas-Rhin, one in Haut-Rhin; cafés, a bar and a restaurant.
PLACES = (("67482", "cafe"), ("67482", "bar"), ("68224", "restaurant"))


def campaign_for(side, **kwargs):
    kwargs.setdefault("categories", ["bar", "cafe", "restaurant"])
    return CampaignFactory(collectivite=side.tenant, **kwargs)


def beneficiaries(campaign, places=PLACES):
    registrations = []
    for commune, category in places:
        registration = approved_registration(campaign, commune=commune)
        Establishment.objects.filter(pk=registration.establishment_id).update(category=category)
        registrations.append(registration)
    return registrations


def days_ago(gift, days: int) -> Gift:
    """The gift as if it had been confirmed `days` days ago (at noon, local time)."""
    moment = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=days)
    Gift.objects.filter(pk=gift.pk).update(confirmed_at=moment, created_at=moment)
    gift.refresh_from_db()
    return gift
