"""A moderator reviews an owner's changes to an approved page (GET /gestion/moderation/modifications/
and POST /gestion/moderation/modifications/<pk>/): published, or refused with a reason; the owner
is e-mailed either way."""

import pytest
from django.core import mail

from solidaire.beneficiaries.models import Establishment, Registration

from ..accounts.helpers import only_mail_to, page_text, translated
from .helpers import (
    COLMAR,
    OTHER_SIRET,
    EstablishmentFactory,
    RegistrationFactory,
    cafe_campaign,
    commune,
    edit_data,
    last_event,
    page_url,
    picture,
    subject,
)

pytestmark = pytest.mark.django_db

QUEUE = "/gestion/moderation/modifications/"
OLD_TEXT = "Un café de quartier."
NEW_TEXT = "Un café de quartier, désormais avec une terrasse chauffée."


def detail_url(establishment) -> str:
    return f"{QUEUE}{establishment.pk}/"


@pytest.fixture
def campaign(personas):
    return cafe_campaign(personas.a)


@pytest.fixture
def registration(personas, campaign):
    establishment = EstablishmentFactory(
        collectivite=personas.a.tenant, owner=personas.a.owner, trade_name="Le Café des Arts", description=OLD_TEXT
    )
    return RegistrationFactory(campaign=campaign, establishment=establishment, status="approved")


@pytest.fixture
def submit(personas, client_for, registration, django_capture_on_commit_callbacks):
    """Oscar edits his approved page through the owner's space."""

    def post(files=None, **changes):
        establishment = Establishment.objects.get(pk=registration.establishment.pk)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(personas.a, personas.a.owner).post(
                f"/mon-espace/etablissements/{establishment.pk}/modifier/",
                {**edit_data(establishment, **changes), **(files or {})},
            )
        assert response.status_code == 302
        return Establishment.objects.get(pk=establishment.pk)

    return post


@pytest.fixture
def decide(personas, client_for, django_capture_on_commit_callbacks):
    def post(establishment, decision, message="", user=None):
        client = client_for(personas.a, user or personas.a.moderator)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(detail_url(establishment), {"decision": decision, "message": message})

    return post


def public_page(client_for, personas, registration) -> str:
    return page_text(client_for(personas.a).get(page_url(registration)))


def test_the_queue_lists_the_establishments_with_waiting_changes_of_the_collectivite(
    personas, client_for, submit, registration
):
    submit(description=NEW_TEXT)
    untouched = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner, trade_name="Calme")
    metz = EstablishmentFactory(
        collectivite=personas.b.tenant, owner=personas.b.owner, commune=commune("57463"), pending_changes={"a": 1}
    )
    response = client_for(personas.a, personas.a.moderator).get(QUEUE)
    assert response.status_code == 200
    assert [e.pk for e in response.context["page"]] == [registration.establishment.pk]
    page = page_text(response)
    assert "Le Café des Arts" in page and untouched.trade_name not in page and metz.trade_name not in page


def test_the_detail_compares_published_and_proposed_values(personas, client_for, submit):
    establishment = submit(description=NEW_TEXT)
    response = client_for(personas.a, personas.a.moderator).get(detail_url(establishment))
    assert response.status_code == 200
    page = page_text(response)
    assert OLD_TEXT in page and NEW_TEXT in page


def test_publishing_the_changes_makes_them_public_and_tells_the_owner(
    personas, client_for, submit, decide, registration
):
    establishment = submit(description=NEW_TEXT)
    assert NEW_TEXT not in public_page(client_for, personas, registration)

    response = decide(establishment, "approve")

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    establishment = Establishment.objects.get(pk=establishment.pk)
    assert establishment.description == NEW_TEXT
    assert (establishment.pending_changes, establishment.pending_since) == ({}, None)
    assert NEW_TEXT in public_page(client_for, personas, registration)
    event = last_event("establishment.changes_approved")
    assert (event.actor, event.data) == (personas.a.moderator, {"fields": ["description"]})
    message = only_mail_to(personas.a.owner.email)
    assert subject("Your changes to %(name)s are published", name="Le Café des Arts") in message.subject


def test_refusing_the_changes_keeps_the_page_and_tells_the_owner_why(
    personas, client_for, submit, decide, registration
):
    oscar = personas.a.owner
    oscar.language = "de"
    oscar.save()
    establishment = submit(description=NEW_TEXT)

    response = decide(establishment, "reject", "Pas de publicité pour une autre enseigne.")

    assert response.status_code == 302
    establishment = Establishment.objects.get(pk=establishment.pk)
    assert establishment.description == OLD_TEXT
    assert establishment.pending_changes == {}
    assert NEW_TEXT not in public_page(client_for, personas, registration)
    event = last_event("establishment.changes_rejected")
    assert event.data == {"fields": ["description"], "message": "Pas de publicité pour une autre enseigne."}
    message = only_mail_to(oscar.email)
    assert subject("Your changes to %(name)s were not published", "de", name="Le Café des Arts") in message.subject
    assert "Pas de publicité pour une autre enseigne." in message.body


def test_refusing_requires_a_reason(submit, decide):
    establishment = submit(description=NEW_TEXT)
    response = decide(establishment, "reject", "")
    assert response.status_code == 400
    assert translated("Explain your decision to the owner.") in page_text(response)
    assert Establishment.objects.get(pk=establishment.pk).pending_changes == {"description": NEW_TEXT}
    assert mail.outbox == []


def test_a_published_commune_change_moves_the_marker_to_the_new_commune(personas, submit, decide):
    establishment = submit(commune_text="Colmar", commune_code="", postal_code="")
    decide(establishment, "approve")
    establishment = Establishment.objects.get(pk=establishment.pk)
    colmar = commune(COLMAR)
    assert (establishment.commune_id, establishment.postal_code) == (COLMAR, "68000")
    assert (establishment.latitude, establishment.longitude) == (colmar.latitude, colmar.longitude)
    assert "colmar" in establishment.search_text


def test_a_published_photo_replaces_the_public_one(personas, submit, decide):
    establishment = submit(files={"photo": picture(size=(800, 600))})
    decide(establishment, "approve")
    establishment = Establishment.objects.get(pk=establishment.pk)
    assert establishment.photo and not establishment.pending_photo
    assert establishment.photo.width == 800


def test_a_published_siret_change_follows_to_the_registrations(personas, submit, decide, registration):
    establishment = submit(identifier=OTHER_SIRET)
    assert Registration.objects.get(pk=registration.pk).legal_identifier != OTHER_SIRET
    decide(establishment, "approve")
    assert Establishment.objects.get(pk=establishment.pk).siret == OTHER_SIRET
    assert Registration.objects.get(pk=registration.pk).legal_identifier == OTHER_SIRET


def test_a_siret_change_taken_meanwhile_by_another_establishment_is_not_published(
    personas, submit, decide, registration, campaign
):
    establishment = submit(identifier=OTHER_SIRET)
    rival = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.donor, siret=OTHER_SIRET)
    RegistrationFactory(campaign=campaign, establishment=rival, status="pending")

    response = decide(establishment, "approve")

    assert response.status_code == 400
    assert translated(
        "An establishment with this SIRET or RNA number is already registered for this campaign."
    ) in page_text(response)
    assert Establishment.objects.get(pk=establishment.pk).siret == registration.establishment.siret
    assert Registration.objects.get(pk=registration.pk).legal_identifier == registration.establishment.siret
    assert mail.outbox == []


def test_deciding_when_nothing_waits_is_refused(personas, decide, registration):
    response = decide(registration.establishment, "approve")
    assert response.status_code == 400
    assert translated("There are no changes waiting for review.") in page_text(response)


@pytest.mark.parametrize("role", ["finance", "viewer", "owner"])
def test_other_people_may_not_review_changes(personas, submit, decide, role):
    establishment = submit(description=NEW_TEXT)
    assert decide(establishment, "approve", user=getattr(personas.a, role)).status_code == 403
    assert Establishment.objects.get(pk=establishment.pk).description == OLD_TEXT


def test_changes_of_another_collectivite_are_not_found(personas, client_for):
    metz = EstablishmentFactory(
        collectivite=personas.b.tenant,
        owner=personas.b.owner,
        commune=commune("57463"),
        pending_changes={"description": "x"},
    )
    mona = client_for(personas.a, personas.a.moderator)
    assert mona.get(detail_url(metz)).status_code == 404
    assert mona.post(detail_url(metz), {"decision": "approve"}).status_code == 404
    assert Establishment.objects.get(pk=metz.pk).pending_changes == {"description": "x"}
