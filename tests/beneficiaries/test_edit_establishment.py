"""An owner edits an establishment (POST /mon-espace/etablissements/<pk>/modifier/). Before
approval, edits apply at once. Once the page is public, changes to what the public sees wait for a
moderator, unless the collectivité publishes edits without review. Payout details always apply
at once, are audited with masked IBANs and confirmed to the owner by e-mail."""

import pytest
from django.core import mail

from solidaire.beneficiaries.models import Establishment, Registration

from ..accounts.helpers import only_mail_to, page_text, translated
from .helpers import (
    COLMAR,
    IBAN_COMPACT,
    OTHER_IBAN,
    OTHER_IBAN_COMPACT,
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

OLD_TEXT = "Un café de quartier."
NEW_TEXT = "Un café de quartier, désormais avec une terrasse chauffée."


@pytest.fixture
def campaign(personas):
    return cafe_campaign(personas.a)


@pytest.fixture
def approved(personas, campaign):
    establishment = EstablishmentFactory(
        collectivite=personas.a.tenant, owner=personas.a.owner, trade_name="Le Café des Arts", description=OLD_TEXT
    )
    return RegistrationFactory(campaign=campaign, establishment=establishment, status="approved")


@pytest.fixture
def pending(personas, campaign):
    establishment = EstablishmentFactory(
        collectivite=personas.a.tenant, owner=personas.a.owner, trade_name="Le Café des Arts", description=OLD_TEXT
    )
    return RegistrationFactory(campaign=campaign, establishment=establishment, status="pending")


@pytest.fixture
def edit(personas, client_for, django_capture_on_commit_callbacks):
    def post(establishment, user=None, files=None, **changes):
        client = client_for(personas.a, user or personas.a.owner)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/mon-espace/etablissements/{establishment.pk}/modifier/",
                {**edit_data(establishment, **changes), **(files or {})},
            )

    return post


def reloaded(establishment) -> Establishment:
    return Establishment.objects.get(pk=establishment.pk)


def public_text(client_for, personas, registration) -> str:
    response = client_for(personas.a).get(page_url(registration))
    assert response.status_code == 200
    return page_text(response)


def test_the_edit_form_shows_the_current_values_and_hides_the_iban(personas, client_for, approved):
    response = client_for(personas.a, personas.a.owner).get(
        f"/mon-espace/etablissements/{approved.establishment.pk}/modifier/"
    )
    assert response.status_code == 200
    page = page_text(response)
    assert OLD_TEXT in page
    assert IBAN_COMPACT not in page
    assert "FR76 •••• 189" in page


# Before approval ---------------------------------------------------------------------------------


def test_edits_before_approval_apply_at_once(personas, edit, pending):
    response = edit(pending.establishment, description=NEW_TEXT)
    assert response.status_code == 302
    assert response["Location"] == "/mon-espace/"
    establishment = reloaded(pending.establishment)
    assert establishment.description == NEW_TEXT
    assert establishment.pending_changes == {}
    assert last_event("establishment.updated").data == {"applied": ["description"], "pending": []}


def test_changing_the_siret_before_approval_moves_the_registration_to_the_new_number(personas, edit, pending):
    edit(pending.establishment, identifier=OTHER_SIRET)
    assert reloaded(pending.establishment).siret == OTHER_SIRET
    assert Registration.objects.get(pk=pending.pk).legal_identifier == OTHER_SIRET


def test_changing_the_siret_to_one_already_in_the_campaign_is_refused(personas, edit, pending, campaign):
    other = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.donor, siret=OTHER_SIRET)
    RegistrationFactory(campaign=campaign, establishment=other, status="approved")

    response = edit(pending.establishment, identifier=OTHER_SIRET)

    assert response.status_code == 400
    assert translated(
        "An establishment with this SIRET or RNA number is already registered for this campaign."
    ) in page_text(response)
    assert reloaded(pending.establishment).siret == pending.establishment.siret
    assert Registration.objects.get(pk=pending.pk).legal_identifier == pending.establishment.siret


# Approved page, reviewed edits (the default) -----------------------------------------------------


def test_a_change_to_an_approved_page_waits_for_a_moderator(personas, client_for, edit, approved):
    response = edit(approved.establishment, description=NEW_TEXT)

    assert response.status_code == 302
    establishment = reloaded(approved.establishment)
    assert establishment.description == OLD_TEXT
    assert establishment.pending_changes == {"description": NEW_TEXT}
    assert establishment.pending_since is not None
    assert last_event("establishment.changes_submitted").data == {"fields": ["description"]}
    text = public_text(client_for, personas, approved)
    assert OLD_TEXT in text and NEW_TEXT not in text


def test_the_waiting_change_is_in_the_moderators_changes_queue(personas, client_for, edit, approved):
    edit(approved.establishment, description=NEW_TEXT)
    queue = client_for(personas.a, personas.a.moderator).get("/gestion/moderation/modifications/")
    assert [e.pk for e in queue.context["page"]] == [approved.establishment.pk]


def test_the_owner_sees_that_changes_are_waiting(personas, client_for, edit, approved):
    edit(approved.establishment, description=NEW_TEXT)
    home = client_for(personas.a, personas.a.owner).get("/mon-espace/")
    assert translated("Changes to your page are waiting for a moderator.") in page_text(home)


def test_further_edits_are_added_to_the_waiting_ones(edit, approved):
    edit(approved.establishment, description=NEW_TEXT)
    edit(reloaded(approved.establishment), opening_hours="Tous les jours")
    assert reloaded(approved.establishment).pending_changes == {
        "description": NEW_TEXT,
        "opening_hours": "Tous les jours",
    }


def test_a_new_commune_waits_too_and_is_stored_by_its_code(edit, approved):
    edit(approved.establishment, commune_text="Colmar", commune_code="", postal_code="")
    establishment = reloaded(approved.establishment)
    assert establishment.commune_id == "67482"
    assert establishment.pending_changes == {"commune": COLMAR, "postal_code": "68000"}


def test_a_new_photo_waits_and_the_public_photo_stays(edit, approved):
    edit(approved.establishment, files={"photo": picture(size=(800, 600), exif=True)})
    establishment = reloaded(approved.establishment)
    assert not establishment.photo
    assert establishment.pending_photo
    assert establishment.pending_photo.width == 800


def test_nothing_changed_records_nothing(edit, approved):
    edit(approved.establishment)
    establishment = reloaded(approved.establishment)
    assert establishment.pending_changes == {}
    assert not Establishment.objects.filter(pk=establishment.pk, pending_since__isnull=False).exists()


# Approved page, edits published without review ----------------------------------------------------


def test_with_edits_published_without_review_the_change_is_public_at_once(personas, client_for, edit, approved):
    tenant = personas.a.tenant
    tenant.publish_edits_without_review = True
    tenant.save()

    edit(approved.establishment, description=NEW_TEXT)

    establishment = reloaded(approved.establishment)
    assert establishment.description == NEW_TEXT
    assert establishment.pending_changes == {}
    assert NEW_TEXT in public_text(client_for, personas, approved)
    assert (
        client_for(personas.a, personas.a.moderator)
        .get("/gestion/moderation/modifications/")
        .context["page"]
        .paginator.count
        == 0
    )


def test_with_edits_published_without_review_a_new_commune_moves_the_marker(personas, edit, approved):
    tenant = personas.a.tenant
    tenant.publish_edits_without_review = True
    tenant.save()
    edit(approved.establishment, commune_text="Colmar", commune_code="", postal_code="")
    establishment = reloaded(approved.establishment)
    colmar = commune(COLMAR)
    assert establishment.commune_id == COLMAR
    assert (establishment.latitude, establishment.longitude) == (colmar.latitude, colmar.longitude)
    assert "colmar" in establishment.search_text


# Payout details ---------------------------------------------------------------------------------


def test_a_new_iban_applies_at_once_even_on_an_approved_page(personas, edit, approved):
    edit(approved.establishment, iban=OTHER_IBAN)
    establishment = reloaded(approved.establishment)
    assert establishment.iban == OTHER_IBAN_COMPACT
    assert establishment.pending_changes == {}


def test_a_new_iban_is_audited_with_masked_numbers(personas, edit, approved):
    edit(approved.establishment, iban=OTHER_IBAN)
    event = last_event("establishment.payout_details_changed")
    assert event.actor == personas.a.owner
    assert event.data == {"from": "FR76 •••• 189", "to": "DE89 •••• 000"}
    assert IBAN_COMPACT not in str(event.data) and OTHER_IBAN_COMPACT not in str(event.data)


def test_the_owner_is_emailed_about_a_new_iban_in_the_owners_language(personas, edit, approved):
    oscar = personas.a.owner
    oscar.language = "de"
    oscar.save()

    edit(approved.establishment, iban=OTHER_IBAN)

    message = only_mail_to(oscar.email)
    assert subject("Payout details of %(name)s changed", "de", name="Le Café des Arts") in message.subject
    assert "DE89 •••• 000" in message.body
    assert OTHER_IBAN_COMPACT not in message.body


def test_a_new_account_holder_applies_at_once_and_is_confirmed(personas, edit, approved):
    edit(approved.establishment, account_holder="Madame Café")
    assert reloaded(approved.establishment).account_holder == "Madame Café"
    assert last_event("establishment.payout_details_changed")
    assert len(mail.outbox) == 1


def test_an_empty_iban_keeps_the_current_one(edit, approved):
    edit(approved.establishment, iban="")
    assert reloaded(approved.establishment).iban == IBAN_COMPACT
    assert mail.outbox == []


def test_a_wrong_iban_is_refused_and_nothing_changes(edit, approved):
    response = edit(approved.establishment, iban="FR76 3000 6000 0112 3456 7890 188", description=NEW_TEXT)
    assert response.status_code == 400
    assert translated("This IBAN is not valid: check the letters and digits.") in page_text(response)
    establishment = reloaded(approved.establishment)
    assert (establishment.iban, establishment.description, establishment.pending_changes) == (
        IBAN_COMPACT,
        OLD_TEXT,
        {},
    )
    assert mail.outbox == []


def test_a_commune_outside_the_territory_is_refused(edit, approved):
    response = edit(approved.establishment, commune_text="Metz", commune_code="", postal_code="57000")
    assert response.status_code == 400
    assert reloaded(approved.establishment).pending_changes == {}


# Who may edit -----------------------------------------------------------------------------------


def test_another_owner_cannot_edit_the_establishment(personas, edit, approved):
    response = edit(approved.establishment, user=personas.a.donor, iban=OTHER_IBAN)
    assert response.status_code == 404
    assert reloaded(approved.establishment).iban == IBAN_COMPACT


def test_a_moderator_cannot_edit_through_the_owners_space(personas, edit, approved):
    response = edit(approved.establishment, user=personas.a.moderator, description=NEW_TEXT)
    assert response.status_code == 404


def test_an_establishment_of_another_collectivite_is_not_found_on_this_host(personas, client_for):
    olgas = EstablishmentFactory(collectivite=personas.b.tenant, owner=personas.b.owner, commune=commune("57463"))
    response = client_for(personas.a, personas.b.owner).get(f"/mon-espace/etablissements/{olgas.pk}/modifier/")
    assert response.status_code == 404
