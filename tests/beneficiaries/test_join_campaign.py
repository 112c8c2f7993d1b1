"""An owner's existing establishment takes part in another campaign of the collectivité
(POST /mon-espace/etablissements/<pk>/participer/<slug>/)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from solidaire.beneficiaries.models import Registration

from ..accounts.helpers import page_text, translated
from ..factories import CampaignFactory, UserFactory
from .helpers import (
    COLMAR,
    EstablishmentFactory,
    RegistrationFactory,
    cafe_campaign,
    commune,
    last_event,
    row_counts,
    subject,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cafe(personas):
    """Oscar's café in Strasbourg, approved in Café Solidaire."""
    first = cafe_campaign(personas.a)
    return RegistrationFactory(
        campaign=first,
        establishment=EstablishmentFactory(
            collectivite=personas.a.tenant, owner=personas.a.owner, trade_name="Le Café des Arts"
        ),
    ).establishment


@pytest.fixture
def second(personas):
    return cafe_campaign(personas.a, slug="commerces-solidaires", title="Commerces solidaires")


@pytest.fixture
def join(personas, client_for, django_capture_on_commit_callbacks):
    def post(establishment, campaign, data=None, user=None):
        client = client_for(personas.a, user or personas.a.owner)
        path = f"/mon-espace/etablissements/{establishment.pk}/participer/{campaign.slug}/"
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data if data is not None else {"accept_terms": "on"})

    return post


def test_an_establishment_joins_a_second_campaign_and_waits_for_moderation(personas, cafe, second, join):
    response = join(cafe, second, {"accept_terms": "on"})

    registration = Registration.objects.get(campaign=second)
    assert response.status_code == 302
    assert response["Location"] == f"/mon-espace/inscriptions/{registration.pk}/"
    assert registration.establishment == cafe
    assert registration.status == "pending"
    assert registration.legal_identifier == cafe.siret
    # The first participation is untouched.
    assert Registration.objects.get(campaign__slug="cafe-solidaire").status == "approved"
    assert last_event("registration.submitted").object_id == str(registration.pk)
    assert [m.subject for m in mail.outbox if personas.a.moderator.email in m.to] == [
        "[Solidaire] " + subject("To moderate: %(name)s", name="Le Café des Arts")
    ]


def test_the_form_is_shown_to_the_owner(personas, client_for, cafe, second):
    response = client_for(personas.a, personas.a.owner).get(
        f"/mon-espace/etablissements/{cafe.pk}/participer/{second.slug}/"
    )
    assert response.status_code == 200
    assert 'name="accept_terms"' in response.content.decode()


def test_the_terms_must_be_accepted(cafe, second, join):
    before = row_counts()
    response = join(cafe, second, {})
    assert response.status_code == 400
    assert translated("You must accept the terms of the campaign to register.") in page_text(response)
    assert row_counts() == before


def test_joining_a_campaign_twice_is_refused(personas, cafe, join):
    before = row_counts()
    response = join(cafe, cafe.registrations.get().campaign)
    assert response.status_code == 400
    assert translated("This establishment is already registered for this campaign.") in page_text(response)
    assert row_counts() == before
    assert mail.outbox == []


def test_an_establishment_outside_the_campaigns_territory_cannot_join(personas, cafe, join):
    haut_rhin = cafe_campaign(personas.a, slug="haut-rhin", territory_scope="departements")
    haut_rhin.departements.set(["68"])
    before = row_counts()

    response = join(cafe, haut_rhin)

    assert response.status_code == 400
    assert translated("%(commune)s is outside the territory of this campaign.", commune="Strasbourg") in page_text(
        response
    )
    assert row_counts() == before


def test_an_establishment_of_a_category_the_campaign_does_not_take_cannot_join(personas, cafe, join):
    restaurants = cafe_campaign(personas.a, slug="restaurants", categories=["restaurant"])
    response = join(cafe, restaurants)
    assert response.status_code == 400
    assert translated("This category cannot take part in this campaign.") in page_text(response)
    assert not Registration.objects.filter(campaign=restaurants).exists()


def test_the_same_siret_already_in_the_campaign_under_another_establishment_is_refused(personas, cafe, second, join):
    twin = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.donor, siret=cafe.siret)
    RegistrationFactory(campaign=second, establishment=twin, status="pending")
    response = join(cafe, second)
    assert response.status_code == 400
    assert not Registration.objects.filter(campaign=second, establishment=cafe).exists()


def test_an_establishment_may_join_again_after_withdrawing(personas, cafe, second, join):
    RegistrationFactory(campaign=second, establishment=cafe, status="withdrawn")
    response = join(cafe, second)
    assert response.status_code == 302
    assert set(Registration.objects.filter(campaign=second).values_list("status", flat=True)) == {
        "withdrawn",
        "pending",
    }


def test_a_closed_campaign_cannot_be_joined(personas, cafe, join):
    closed = cafe_campaign(
        personas.a,
        slug="fini",
        registration_opens_at=timezone.now() - timedelta(days=9),
        registration_closes_at=timezone.now() - timedelta(days=2),
    )
    response = join(cafe, closed)
    assert response.status_code == 302
    assert response["Location"] == f"/campagnes/{closed.slug}/"
    assert not Registration.objects.filter(campaign=closed).exists()


def test_another_owners_establishment_is_not_found(personas, cafe, second, join):
    response = join(cafe, second, user=personas.a.donor)
    assert response.status_code == 404
    assert not Registration.objects.filter(campaign=second).exists()


def test_an_establishment_of_another_collectivite_is_not_found(personas, client_for, second):
    olgas = EstablishmentFactory(collectivite=personas.b.tenant, owner=personas.b.owner, commune=commune("57463"))
    response = client_for(personas.a, personas.b.owner).post(
        f"/mon-espace/etablissements/{olgas.pk}/participer/{second.slug}/", {"accept_terms": "on"}
    )
    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_a_campaign_of_another_collectivite_is_not_found(personas, cafe, join):
    theirs = CampaignFactory(collectivite=personas.b.tenant, slug="metz-solidaire")
    assert join(cafe, theirs).status_code == 404
    assert not Registration.objects.filter(campaign=theirs).exists()


def test_an_owner_whose_email_is_not_verified_is_sent_to_confirm_it(personas, client_for, second):
    unverified = UserFactory(email="nouveau@example.org", verified=False)
    establishment = EstablishmentFactory(collectivite=personas.a.tenant, owner=unverified, commune=commune(COLMAR))
    response = client_for(personas.a, unverified).post(
        f"/mon-espace/etablissements/{establishment.pk}/participer/{second.slug}/", {"accept_terms": "on"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/comptes/email/")
    assert not Registration.objects.exists()
