import pytest

from ..factories import CampaignFactory
from ..gifts import approved_registration, give


@pytest.fixture
def campaign(personas):
    """Café Solidaire in collectivité A: gifts of 3 to 10 €, doubled."""
    return CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire", title="Café Solidaire")


@pytest.fixture
def cafe(campaign, personas):
    """oscar's café, approved in Café Solidaire."""
    return approved_registration(campaign, owner=personas.a.owner, name="Café de la Gare")


@pytest.fixture
def gifts(cafe):
    """Three paid gifts: a named donor who may be contacted, an anonymous one with a message, and
    one whose message starts like a spreadsheet formula."""
    return [
        give(cafe, 500, email="dora@example.org", donor_name="Dora Dupont", contact_consent=True),
        give(
            cafe,
            1000,
            email="secret@example.org",
            donor_name="Anne Onyme",
            anonymous=True,
            public_message="Courage à toute l’équipe",
        ),
        give(cafe, 700, email="eve@example.org", donor_name="Ève", public_message="=SUM(A1:A9)"),
    ]
