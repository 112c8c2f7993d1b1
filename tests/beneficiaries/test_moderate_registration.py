"""A moderator opens a registration and decides (POST /gestion/moderation/<pk>/): approve, reject
with a reason, or ask for changes. Each decision is audited and the owner is e-mailed in the
owner's language."""

import pytest
from django.core import mail

from solidaire.beneficiaries.models import Registration
from solidaire.beneficiaries.registry import RechercheEntreprisesRegistry

from ..accounts.helpers import links_in, only_mail_to, page_text, translated
from .helpers import (
    SIRET,
    EstablishmentFactory,
    RegistrationFactory,
    audit_actions,
    cafe_campaign,
    commune,
    fake_urlopen,
    fixture_json,
    last_event,
    moderation_url,
    subject,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(personas):
    """Oscar's café, waiting for moderation in Café Solidaire."""
    establishment = EstablishmentFactory(
        collectivite=personas.a.tenant,
        owner=personas.a.owner,
        trade_name="Le Café des Arts",
        legal_name="SARL Café des Arts",
        siret=SIRET,
        address="12 rue des Orfèvres",
    )
    return RegistrationFactory(campaign=cafe_campaign(personas.a), establishment=establishment, status="pending")


@pytest.fixture
def decide(personas, client_for, django_capture_on_commit_callbacks):
    def post(registration, decision, message="", user=None):
        client = client_for(personas.a, user or personas.a.moderator)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(moderation_url(registration), {"decision": decision, "message": message})

    return post


def reloaded(registration) -> Registration:
    return Registration.objects.get(pk=registration.pk)


# The page ----------------------------------------------------------------------------------------


def test_the_moderator_sees_what_the_owner_declared_and_the_eligibility_checks(personas, client_for, registration):
    response = client_for(personas.a, personas.a.moderator).get(moderation_url(registration))
    assert response.status_code == 200
    page = page_text(response)
    for declared in ("Le Café des Arts", "SARL Café des Arts", SIRET, "12 rue des Orfèvres", personas.a.owner.email):
        assert declared in page
    assert translated("Commune inside the campaign’s territory") in page
    assert translated("Category allowed by the campaign") in page
    assert 'name="decision"' in page


def test_the_page_shows_the_company_register_record_when_an_adapter_returns_one(
    personas, client_for, registration, monkeypatch
):
    registry = RechercheEntreprisesRegistry("https://recherche-entreprises.api.gouv.fr/search")
    monkeypatch.setattr("solidaire.beneficiaries.moderation.get_registry", lambda: registry)
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(fixture_json("recherche-entreprises-search.json")))

    page = page_text(client_for(personas.a, personas.a.moderator).get(moderation_url(registration)))

    assert registry.name in page
    assert "CAFE DES ARTS (LE CAFE DES ARTS)" in page
    assert "12 RUE DES ORFEVRES 67000 STRASBOURG" in page
    assert "56.30Z" in page
    assert translated("active") in page
    assert translated("The company register did not answer or does not know this SIRET.") not in page


def test_the_page_says_so_when_the_register_cannot_be_reached(personas, client_for, registration, monkeypatch):
    registry = RechercheEntreprisesRegistry("https://recherche-entreprises.api.gouv.fr/search")
    monkeypatch.setattr("solidaire.beneficiaries.moderation.get_registry", lambda: registry)
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(error=OSError("no network")))

    response = client_for(personas.a, personas.a.moderator).get(moderation_url(registration))

    assert response.status_code == 200
    assert translated("The company register did not answer or does not know this SIRET.") in page_text(response)


def test_without_a_register_nothing_is_compared(personas, client_for, registration, monkeypatch):
    calls = []
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(error=OSError(), calls=calls))
    response = client_for(personas.a, personas.a.moderator).get(moderation_url(registration))
    assert response.status_code == 200
    assert translated("The company register did not answer or does not know this SIRET.") not in page_text(response)
    assert calls == []


def test_the_page_warns_when_the_commune_left_the_territory(personas, client_for, registration):
    campaign = registration.campaign
    campaign.territory_scope = "departements"
    campaign.save()
    campaign.departements.set(["68"])
    page = page_text(client_for(personas.a, personas.a.moderator).get(moderation_url(registration)))
    assert translated("Commune OUTSIDE the campaign’s territory") in page


# Approve ---------------------------------------------------------------------------------------


def test_approving_publishes_the_registration(personas, decide, registration):
    response = decide(registration, "approve")

    assert response.status_code == 302
    assert response["Location"] == "/gestion/moderation/"
    registration = reloaded(registration)
    assert registration.status == "approved"
    assert registration.approved_at is not None and registration.decided_at is not None
    assert registration.decided_by == personas.a.moderator


def test_approval_is_audited(personas, decide, registration):
    decide(registration, "approve", "Bienvenue !")
    event = last_event("registration.approved")
    assert event.actor == personas.a.moderator
    assert event.collectivite == personas.a.tenant
    assert event.object_id == str(registration.pk)
    assert event.data == {"message": "Bienvenue !"}


def test_the_owner_is_told_of_the_approval_in_french_by_default(personas, decide, registration):
    decide(registration, "approve")
    message = only_mail_to(personas.a.owner.email)
    assert subject("%(name)s is approved", "fr", name="Le Café des Arts") in message.subject
    assert f"http://grand-est.localhost/mon-espace/inscriptions/{registration.pk}/" in links_in(message)


def test_the_owner_is_told_in_the_owners_language_not_the_moderators(personas, decide, registration):
    oscar = personas.a.owner
    oscar.language = "de"
    oscar.save()

    decide(registration, "approve")

    message = only_mail_to(oscar.email)
    assert subject("%(name)s is approved", "de", name="Le Café des Arts") in message.subject
    assert subject("%(name)s is approved", "fr", name="Le Café des Arts") not in message.subject
    assert " ".join(
        translated(
            "Good news: %(name)s is approved for “%(title)s”. Your page is now public and residents can support you.",
            "de",
            name="Le Café des Arts",
            title="Café Solidaire",
        ).split()
    ) in " ".join(message.body.split())
    assert any("/de/mon-espace/inscriptions/" in link for link in links_in(message))


def test_the_owner_reply_goes_to_the_collectivites_contact(personas, decide, registration):
    tenant = personas.a.tenant
    tenant.contact_email = "cafes@grandest.fr"
    tenant.save()
    decide(registration, "approve")
    assert only_mail_to(personas.a.owner.email).reply_to == ["cafes@grandest.fr"]


# Reject ----------------------------------------------------------------------------------------


def test_rejecting_requires_a_reason(personas, decide, registration):
    response = decide(registration, "reject", "   ")
    assert response.status_code == 400
    assert translated("Explain your decision to the owner.") in page_text(response)
    assert reloaded(registration).status == "pending"
    assert audit_actions(registration) == []
    assert mail.outbox == []


def test_rejecting_with_a_reason_tells_the_owner_why(personas, decide, registration):
    response = decide(registration, "reject", "Votre établissement n'est pas un café.")

    assert response.status_code == 302
    registration = reloaded(registration)
    assert registration.status == "rejected"
    assert registration.decision_message == "Votre établissement n'est pas un café."
    assert registration.approved_at is None
    assert last_event("registration.rejected").data == {"message": "Votre établissement n'est pas un café."}
    message = only_mail_to(personas.a.owner.email)
    assert subject("Your registration of %(name)s is rejected", name="Le Café des Arts") in message.subject
    assert "Votre établissement n'est pas un café." in message.body


def test_an_approved_registration_may_still_be_rejected(personas, decide, registration):
    decide(registration, "approve")
    decide(registration, "reject", "Fermé définitivement.")
    assert reloaded(registration).status == "rejected"
    assert audit_actions(registration) == ["registration.approved", "registration.rejected"]


def test_a_rejected_registration_cannot_be_approved(personas, decide, registration):
    decide(registration, "reject", "Non.")
    mail.outbox.clear()
    response = decide(registration, "approve")
    assert response.status_code == 400
    assert translated("Only a registration waiting for moderation can be approved.") in page_text(response)
    assert reloaded(registration).status == "rejected"
    assert mail.outbox == []


# Ask for changes ---------------------------------------------------------------------------------


def test_asking_for_changes_requires_a_message(decide, registration):
    response = decide(registration, "request_changes", "")
    assert response.status_code == 400
    assert reloaded(registration).status == "pending"
    assert mail.outbox == []


def test_asking_for_changes_tells_the_owner_what_to_change(personas, decide, registration):
    oscar = personas.a.owner
    oscar.language = "en"
    oscar.save()

    decide(registration, "request_changes", "Ajoutez une photo de la devanture.")

    registration = reloaded(registration)
    assert registration.status == "changes_requested"
    assert registration.decision_message == "Ajoutez une photo de la devanture."
    assert last_event("registration.changes_requested").actor == personas.a.moderator
    message = only_mail_to(oscar.email)
    assert message.subject == "[Solidaire] Changes are needed for Le Café des Arts"
    assert "Ajoutez une photo de la devanture." in message.body


def test_an_unknown_decision_is_refused(decide, registration):
    assert decide(registration, "publish").status_code == 400
    assert reloaded(registration).status == "pending"


# Who decides ------------------------------------------------------------------------------------


def test_an_admin_of_the_collectivite_may_decide(personas, decide, registration):
    decide(registration, "approve", user=personas.a.admin)
    assert reloaded(registration).decided_by == personas.a.admin


@pytest.mark.parametrize("role", ["finance", "viewer", "owner", "donor"])
def test_other_people_of_the_collectivite_may_not_decide(personas, decide, registration, role):
    response = decide(registration, "approve", user=getattr(personas.a, role))
    assert response.status_code == 403
    assert reloaded(registration).status == "pending"
    assert mail.outbox == []


def test_a_moderator_of_another_collectivite_may_not_decide(personas, client_for, registration):
    response = client_for(personas.b, personas.b.moderator).post(moderation_url(registration), {"decision": "approve"})
    assert response.status_code == 404
    response = client_for(personas.a, personas.b.moderator).post(moderation_url(registration), {"decision": "approve"})
    assert response.status_code == 403
    assert reloaded(registration).status == "pending"


def test_a_registration_of_another_collectivite_is_not_found(personas, client_for):
    metz = RegistrationFactory(
        campaign=cafe_campaign(personas.b, slug="metz-solidaire"),
        establishment=EstablishmentFactory(
            collectivite=personas.b.tenant, owner=personas.b.owner, commune=commune("57463")
        ),
        status="pending",
    )
    alice = client_for(personas.a, personas.a.admin)
    assert alice.get(moderation_url(metz)).status_code == 404
    assert alice.post(moderation_url(metz), {"decision": "approve"}).status_code == 404
    assert reloaded(metz).status == "pending"
