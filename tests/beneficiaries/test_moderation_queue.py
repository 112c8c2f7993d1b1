"""The moderators' queue (GET /gestion/moderation/): the collectivité’s registrations only,
waiting ones first, with filters by status, campaign, category, département and text."""

from datetime import timedelta

import pytest
from django.utils import timezone

from .helpers import (
    COLMAR,
    EstablishmentFactory,
    RegistrationFactory,
    cafe_campaign,
    commune,
)

pytestmark = pytest.mark.django_db

QUEUE = "/gestion/moderation/"


@pytest.fixture
def world(personas):
    a, b = personas.a, personas.b
    cafes = cafe_campaign(a)
    shops = cafe_campaign(a, slug="commerces", title="Commerces solidaires", categories=["shop", "bar"])
    metz = cafe_campaign(b, slug="metz-solidaire", title="Metz solidaire")
    now = timezone.now()

    def reg(campaign, name, status="pending", side=a, hours=1, **kwargs):
        establishment = EstablishmentFactory(collectivite=side.tenant, owner=side.owner, trade_name=name, **kwargs)
        return RegistrationFactory(
            campaign=campaign, establishment=establishment, status=status, submitted_at=now - timedelta(hours=hours)
        )

    return {
        "arts": reg(cafes, "Le Café des Arts", hours=3),
        "gare": reg(cafes, "Bar de la Gare", category="bar", commune=commune(COLMAR), hours=1),
        "epicerie": reg(shops, "Épicerie du Coin", category="shop", hours=2),
        "approved": reg(cafes, "Au Bon Accueil", status="approved"),
        "rejected": reg(cafes, "Chez Tonton", status="rejected"),
        "metz": reg(metz, "Café de Metz", side=b, commune=commune("57463")),
    }


def names(response) -> list[str]:
    return [r.establishment.trade_name for r in response.context["page"]]


@pytest.fixture
def mona(personas, client_for):
    return client_for(personas.a, personas.a.moderator)


def test_the_queue_lists_waiting_registrations_of_the_collectivite_oldest_first(world, mona):
    response = mona.get(QUEUE)
    assert response.status_code == 200
    assert names(response) == ["Le Café des Arts", "Épicerie du Coin", "Bar de la Gare"]
    page = response.content.decode()
    assert "Café de Metz" not in page and "Au Bon Accueil" not in page
    assert f'href="/gestion/moderation/{world["arts"].pk}/"' in page


def test_the_counts_per_status_are_those_of_the_collectivite(world, mona):
    counts = mona.get(QUEUE).context["counts"]
    assert counts == {"pending": 3, "approved": 1, "rejected": 1}


def test_another_collectivite_sees_only_its_own_registrations(personas, client_for, world):
    mia = client_for(personas.b, personas.b.moderator)
    assert names(mia.get(QUEUE)) == ["Café de Metz"]
    assert mia.get(QUEUE).context["counts"] == {"pending": 1}


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "approved"}, ["Au Bon Accueil"]),
        ({"status": "rejected"}, ["Chez Tonton"]),
        ({"status": "withdrawn"}, []),
        ({"campaign": "commerces"}, ["Épicerie du Coin"]),
        ({"campaign": "metz-solidaire"}, []),
        ({"category": "bar"}, ["Bar de la Gare"]),
        ({"departement": "68"}, ["Bar de la Gare"]),
        ({"departement": "67"}, ["Le Café des Arts", "Épicerie du Coin"]),
        ({"departement": "57"}, []),
        ({"q": "epicerie"}, ["Épicerie du Coin"]),
        ({"q": "COLMAR"}, ["Bar de la Gare"]),
        ({"q": "68000"}, ["Bar de la Gare"]),
        ({"q": "café arts"}, ["Le Café des Arts"]),
        ({"q": "metz"}, []),
        ({"campaign": "cafe-solidaire", "category": "cafe"}, ["Le Café des Arts"]),
    ],
)
def test_filters(world, mona, params, expected):
    response = mona.get(QUEUE, params)
    assert response.status_code == 200
    assert names(response) == expected


def test_other_statuses_are_listed_newest_first(personas, world, mona):
    later = RegistrationFactory(
        campaign=world["approved"].campaign,
        establishment=EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner, trade_name="Zinc"),
        submitted_at=timezone.now(),
    )
    assert names(mona.get(QUEUE, {"status": "approved"})) == [later.establishment.trade_name, "Au Bon Accueil"]


def test_an_unknown_status_lists_every_registration_of_the_collectivite(world, mona):
    assert len(names(mona.get(QUEUE, {"status": "all"}))) == 5


def test_the_queue_links_to_waiting_page_changes(personas, world, mona):
    cafe = world["approved"].establishment
    cafe.pending_changes = {"description": "Nouvelle description"}
    cafe.save()
    assert mona.get(QUEUE).context["changes_count"] == 1


def test_an_admin_may_moderate_and_other_roles_may_not(personas, client_for, world):
    assert client_for(personas.a, personas.a.admin).get(QUEUE).status_code == 200
    for user in (personas.a.finance, personas.a.viewer, personas.a.owner, personas.b.moderator):
        assert client_for(personas.a, user).get(QUEUE).status_code == 403
    assert client_for(personas.a).get(QUEUE)["Location"].startswith("/comptes/login/")


def test_the_number_of_queries_does_not_grow_with_the_queue(personas, world, mona, django_assert_max_num_queries):
    for _ in range(30):
        RegistrationFactory(
            campaign=world["arts"].campaign,
            establishment=EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner),
            status="pending",
        )
    with django_assert_max_num_queries(20):
        response = mona.get(QUEUE)
    assert len(names(response)) == 33
