"""The owner's space (GET /mon-espace/): one's own establishments in this collectivité, their
campaigns and statuses, and the campaigns open for registration."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ..accounts.helpers import page_text
from .helpers import EstablishmentFactory, RegistrationFactory, cafe_campaign, commune

pytestmark = pytest.mark.django_db

HOME = "/mon-espace/"


@pytest.fixture
def campaign(personas):
    return cafe_campaign(personas.a)


def test_the_owner_sees_each_establishment_and_its_campaigns(personas, client_for, campaign):
    arts = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner, trade_name="Le Café des Arts")
    port = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner, trade_name="Le Bar du Port")
    RegistrationFactory(campaign=campaign, establishment=arts, status="approved")
    registration = RegistrationFactory(campaign=campaign, establishment=port, status="pending")

    response = client_for(personas.a, personas.a.owner).get(HOME)

    assert response.status_code == 200
    assert {e.trade_name for e in response.context["establishments"]} == {"Le Café des Arts", "Le Bar du Port"}
    page = page_text(response)
    assert f'href="/mon-espace/inscriptions/{registration.pk}/"' in page
    assert f'href="/mon-espace/etablissements/{arts.pk}/modifier/"' in page


def test_the_owner_sees_neither_others_establishments_nor_those_of_another_collectivite(personas, client_for, campaign):
    EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.donor, trade_name="Chez Dora")
    EstablishmentFactory(
        collectivite=personas.b.tenant, owner=personas.a.owner, trade_name="Oscar à Metz", commune=commune("57463")
    )
    response = client_for(personas.a, personas.a.owner).get(HOME)
    assert list(response.context["establishments"]) == []
    assert "Chez Dora" not in page_text(response) and "Oscar à Metz" not in page_text(response)


def test_open_campaigns_are_offered_for_a_new_registration(personas, client_for, campaign):
    cafe_campaign(
        personas.a,
        slug="closed",
        registration_opens_at=timezone.now() - timedelta(days=10),
        registration_closes_at=timezone.now() - timedelta(days=1),
    )
    cafe_campaign(personas.a, slug="draft", status="draft", published_at=None)
    response = client_for(personas.a, personas.a.owner).get(HOME)
    assert [c.slug for c in response.context["open_campaigns"]] == ["cafe-solidaire"]
    assert 'href="/mon-espace/inscription/cafe-solidaire/"' in page_text(response)


def test_an_establishment_is_offered_the_other_open_campaigns(personas, client_for, campaign):
    arts = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner)
    RegistrationFactory(campaign=campaign, establishment=arts)
    cafe_campaign(personas.a, slug="commerces")
    page = page_text(client_for(personas.a, personas.a.owner).get(HOME))
    assert f'href="/mon-espace/etablissements/{arts.pk}/participer/commerces/"' in page


def test_the_number_of_queries_does_not_grow_with_establishments(
    personas, client_for, campaign, django_assert_max_num_queries
):
    for _ in range(15):
        RegistrationFactory(
            campaign=campaign,
            establishment=EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner),
        )
    oscar = client_for(personas.a, personas.a.owner)
    with django_assert_max_num_queries(12):
        response = oscar.get(HOME)
    assert len(response.context["establishments"]) == 15


def test_anonymous_visitors_are_sent_to_the_login_page(personas, client_for):
    assert client_for(personas.a).get(HOME)["Location"] == f"/comptes/login/?next={HOME}"
