"""An owner withdraws an establishment from a campaign (POST /mon-espace/inscriptions/<pk>/retirer/):
it leaves the directory and the map at once; the SIRET may register again later."""

import pytest
from django.contrib.messages import get_messages

from solidaire.beneficiaries.models import Registration

from ..accounts.helpers import translated
from .helpers import EstablishmentFactory, RegistrationFactory, cafe_campaign, last_event, page_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(personas):
    establishment = EstablishmentFactory(
        collectivite=personas.a.tenant, owner=personas.a.owner, trade_name="Le Café des Arts"
    )
    return RegistrationFactory(campaign=cafe_campaign(personas.a), establishment=establishment, status="approved")


def url(registration) -> str:
    return f"/mon-espace/inscriptions/{registration.pk}/retirer/"


def test_withdrawing_takes_the_establishment_out_of_the_campaign(personas, client_for, registration):
    public = client_for(personas.a)
    assert public.get(page_url(registration)).status_code == 200

    response = client_for(personas.a, personas.a.owner).post(url(registration))

    assert response.status_code == 302
    assert response["Location"] == "/mon-espace/"
    assert Registration.objects.get(pk=registration.pk).status == "withdrawn"
    assert last_event("registration.withdrawn").actor == personas.a.owner
    assert public.get(page_url(registration)).status_code == 404
    assert public.get("/campagnes/cafe-solidaire/etablissements/").context["page"].paginator.count == 0
    assert public.get("/campagnes/cafe-solidaire/carte.json").json()["markers"] == []


def test_withdrawing_twice_is_refused_with_a_message(personas, client_for, registration):
    oscar = client_for(personas.a, personas.a.owner)
    oscar.post(url(registration))
    response = oscar.post(url(registration))
    assert response.status_code == 302
    assert translated("This registration is not active.") in [str(m) for m in get_messages(response.wsgi_request)]
    assert list(Registration.objects.filter(pk=registration.pk).values_list("status", flat=True)) == ["withdrawn"]


def test_another_owner_cannot_withdraw_it(personas, client_for, registration):
    assert client_for(personas.a, personas.a.donor).post(url(registration)).status_code == 404
    assert client_for(personas.a, personas.a.moderator).post(url(registration)).status_code == 404
    assert Registration.objects.get(pk=registration.pk).status == "approved"


def test_get_is_not_allowed(personas, client_for, registration):
    assert client_for(personas.a, personas.a.owner).get(url(registration)).status_code == 405
    assert Registration.objects.get(pk=registration.pk).status == "approved"


def test_anonymous_visitors_are_sent_to_the_login_page(personas, client_for, registration):
    response = client_for(personas.a).post(url(registration))
    assert response["Location"].startswith("/comptes/login/")
    assert Registration.objects.get(pk=registration.pk).status == "approved"
