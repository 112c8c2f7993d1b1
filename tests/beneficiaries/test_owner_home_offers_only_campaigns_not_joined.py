"""The owner's space offers each establishment only the open campaigns it does not take part in."""

import pytest

from ..accounts.helpers import page_text
from .helpers import EstablishmentFactory, RegistrationFactory, cafe_campaign

pytestmark = pytest.mark.django_db

HOME = "/mon-espace/"


def join_link(establishment, slug):
    return f'href="/mon-espace/etablissements/{establishment.pk}/participer/{slug}/"'


@pytest.mark.parametrize("status", ["pending", "changes_requested", "approved"])
def test_a_campaign_the_establishment_already_joined_is_not_offered_again(personas, client_for, status):
    cafe = cafe_campaign(personas.a)
    cafe_campaign(personas.a, slug="commerces", title="Commerces solidaires")
    arts = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner)
    RegistrationFactory(campaign=cafe, establishment=arts, status=status)

    page = page_text(client_for(personas.a, personas.a.owner).get(HOME))

    assert join_link(arts, "cafe-solidaire") not in page
    assert join_link(arts, "commerces") in page


@pytest.mark.parametrize("status", ["withdrawn", "rejected"])
def test_a_campaign_left_or_refused_is_offered_again(personas, client_for, status):
    cafe = cafe_campaign(personas.a)
    arts = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner)
    RegistrationFactory(campaign=cafe, establishment=arts, status=status)

    page = page_text(client_for(personas.a, personas.a.owner).get(HOME))

    assert join_link(arts, "cafe-solidaire") in page


def test_each_establishment_is_offered_the_campaigns_it_has_not_joined(personas, client_for):
    cafe = cafe_campaign(personas.a)
    arts = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner)
    port = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner)
    RegistrationFactory(campaign=cafe, establishment=arts)

    page = page_text(client_for(personas.a, personas.a.owner).get(HOME))

    assert join_link(arts, "cafe-solidaire") not in page
    assert join_link(port, "cafe-solidaire") in page
