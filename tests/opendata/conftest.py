import datetime

import pytest

from ..factories import CampaignFactory
from ..gifts import approved_registration

SIRET_A = "20005226400013"


@pytest.fixture
def campaign(personas):
    """Café Solidaire of collectivité A, with its decision, A having its SIRET."""
    tenant = personas.a.tenant
    tenant.siret = SIRET_A
    tenant.save(update_fields=["siret"])
    return CampaignFactory(
        collectivite=tenant,
        slug="cafe-solidaire",
        title="Café Solidaire",
        decision_reference="Délibération CP-2020-118",
        decision_date=datetime.date(2020, 11, 20),
    )


@pytest.fixture
def cafe(campaign):
    return approved_registration(campaign, name="Café de la Gare", commune="67482")


@pytest.fixture
def bar(campaign):
    return approved_registration(campaign, name="Bar du Port", commune="68224")
