import pytest

from ..factories import CampaignFactory
from ..gifts import approved_registration


@pytest.fixture
def cafe_a(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire", title="Café Solidaire")
    return approved_registration(campaign, name="Café de la Gare")


@pytest.fixture
def cafe_b(personas):
    campaign = CampaignFactory(collectivite=personas.b.tenant, slug="metz-solidaire", title="Metz solidaire")
    return approved_registration(campaign, name="Brasserie du Temple", commune="57463")
