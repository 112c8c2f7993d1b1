"""The owner's page of one registration (GET/POST /mon-espace/inscriptions/<pk>/): its status and
the moderators' message; when changes were asked for, the owner edits the establishment and
submits again, and the registration waits for moderation once more."""

import pytest
from django.core import mail

from solidaire.beneficiaries.models import Registration

from ..accounts.helpers import mails_to, page_text, translated
from .helpers import (
    EstablishmentFactory,
    RegistrationFactory,
    cafe_campaign,
    commune,
    edit_data,
    last_event,
    subject,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(personas):
    establishment = EstablishmentFactory(
        collectivite=personas.a.tenant, owner=personas.a.owner, trade_name="Le Café des Arts", description="Café."
    )
    return RegistrationFactory(
        campaign=cafe_campaign(personas.a),
        establishment=establishment,
        status="changes_requested",
        decision_message="Décrivez davantage votre café.",
    )


def url(registration) -> str:
    return f"/mon-espace/inscriptions/{registration.pk}/"


@pytest.fixture
def oscar(personas, client_for):
    return client_for(personas.a, personas.a.owner)


def test_the_owner_sees_the_status_and_the_moderators_message(oscar, registration):
    response = oscar.get(url(registration))
    assert response.status_code == 200
    page = page_text(response)
    assert "Décrivez davantage votre café." in page
    assert translated("Changes requested") in page
    assert 'name="accept_terms"' in page


def test_the_owner_edits_then_submits_again_and_the_moderators_are_told(
    personas, oscar, registration, django_capture_on_commit_callbacks
):
    establishment = registration.establishment
    with django_capture_on_commit_callbacks(execute=True):
        response = oscar.post(
            f"/mon-espace/etablissements/{establishment.pk}/modifier/",
            edit_data(establishment, description="Un café de quartier avec terrasse et jeux de société."),
        )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = oscar.post(url(registration), {"accept_terms": "on"})

    assert response.status_code == 302
    assert response["Location"] == url(registration)
    registration = Registration.objects.get(pk=registration.pk)
    assert registration.status == "pending"
    assert registration.establishment.description == "Un café de quartier avec terrasse et jeux de société."
    assert last_event("registration.resubmitted").actor == personas.a.owner
    [message] = mails_to(personas.a.moderator.email)
    assert subject("To moderate: %(name)s", name="Le Café des Arts") in message.subject


def test_the_resubmitted_registration_is_back_in_the_moderation_queue(personas, client_for, oscar, registration):
    oscar.post(url(registration), {"accept_terms": "on"})
    queue = client_for(personas.a, personas.a.moderator).get("/gestion/moderation/")
    assert [r.pk for r in queue.context["page"]] == [registration.pk]


def test_submitting_again_needs_the_terms(oscar, registration):
    response = oscar.post(url(registration), {})
    assert response.status_code == 400
    assert Registration.objects.get(pk=registration.pk).status == "changes_requested"
    assert mail.outbox == []


def test_submitting_again_checks_the_campaigns_rules_once_more(personas, oscar, registration):
    campaign = registration.campaign
    campaign.categories = ["bar"]
    campaign.save()
    response = oscar.post(url(registration), {"accept_terms": "on"})
    assert response.status_code == 400
    assert translated("This category cannot take part in this campaign.") in page_text(response)
    assert Registration.objects.get(pk=registration.pk).status == "changes_requested"


def test_a_pending_registration_offers_no_resubmission(oscar, registration):
    Registration.objects.filter(pk=registration.pk).update(status="pending")
    response = oscar.post(url(registration), {"accept_terms": "on"})
    assert response.status_code == 200
    assert 'name="accept_terms"' not in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).submitted_at == registration.submitted_at


def test_an_approved_registration_links_to_the_public_page(oscar, registration):
    Registration.objects.filter(pk=registration.pk).update(status="approved")
    page = oscar.get(url(registration)).content.decode()
    assert f"/campagnes/cafe-solidaire/etablissements/{registration.establishment.pk}-le-cafe-des-arts/" in page


def test_another_owner_cannot_see_or_resubmit_the_registration(personas, client_for, registration):
    dora = client_for(personas.a, personas.a.donor)
    assert dora.get(url(registration)).status_code == 404
    assert dora.post(url(registration), {"accept_terms": "on"}).status_code == 404
    assert Registration.objects.get(pk=registration.pk).status == "changes_requested"


def test_a_registration_of_another_collectivite_is_not_found(personas, client_for):
    metz = RegistrationFactory(
        campaign=cafe_campaign(personas.b, slug="metz-solidaire"),
        establishment=EstablishmentFactory(
            collectivite=personas.b.tenant, owner=personas.b.owner, commune=commune("57463")
        ),
        status="changes_requested",
    )
    assert client_for(personas.a, personas.b.owner).get(url(metz)).status_code == 404
    assert client_for(personas.b, personas.b.owner).get(url(metz)).status_code == 200
