import pytest

from ..factories import CampaignFactory
from ..gifts import approved_registration, start


@pytest.fixture
def campaign(personas):
    """Café Solidaire in collectivité A: gifts of 3 to 10 €, doubled."""
    return CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire", title="Café Solidaire")


@pytest.fixture
def cafe(campaign):
    return approved_registration(campaign, name="Café de la Gare")


@pytest.fixture
def gift(cafe):
    """A gift of 5 € started by dora: its 5 € match reserved, the sandbox's checkout open."""
    return start(cafe, 500, email="dora@example.org")
