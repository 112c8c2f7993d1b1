import pytest

from ..factories import CampaignFactory
from ..gifts import approved_registration


@pytest.fixture
def campaign(personas):
    """Café Solidaire in collectivité A: gifts of 3 to 10 €, doubled, counterparts optional."""
    return CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire", title="Café Solidaire")


@pytest.fixture
def cafe(personas, campaign):
    """Oscar's café, approved in Café Solidaire."""
    return approved_registration(campaign, owner=personas.a.owner, name="Café de la Gare")


@pytest.fixture
def other_cafe(campaign):
    """Another owner's café in the same campaign."""
    return approved_registration(campaign, name="Bar du Marché")


@pytest.fixture
def b_cafe(personas):
    """Olga's café in Ville de Metz (collectivité B)."""
    campaign = CampaignFactory(collectivite=personas.b.tenant, slug="metz-solidaire", title="Metz Solidaire")
    return approved_registration(campaign, owner=personas.b.owner, commune="57463", name="Café de Metz")
