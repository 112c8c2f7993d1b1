"""A café manager registers an establishment for a campaign (POST /mon-espace/inscription/<slug>/):
the establishment and a pending registration are created and the moderators are told; every
wrong input is refused with a clear message and creates nothing."""

import io
import threading
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from PIL import Image

from solidaire.beneficiaries import actions
from solidaire.beneficiaries.forms import EstablishmentForm, RegistrationForm
from solidaire.beneficiaries.models import Establishment, Registration
from solidaire.core.errors import ActionError

from ..accounts.helpers import links_in, mails_to, only_mail_to, page_text, translated
from ..factories import CampaignFactory, UserFactory
from .helpers import (
    IBAN_COMPACT,
    OTHER_SIRET,
    SIRET,
    STRASBOURG,
    EstablishmentFactory,
    RegistrationFactory,
    cafe_campaign,
    commune,
    form_data,
    last_event,
    picture,
    register_url,
    row_counts,
    subject,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas):
    return cafe_campaign(personas.a)


@pytest.fixture
def register(personas, client_for, campaign, django_capture_on_commit_callbacks):
    """Oscar, owner with a verified e-mail, posts the registration form of `campaign`."""

    def post(data=None, *, user=None, to=None, files=None):
        client = client_for(personas.a, user or personas.a.owner)
        payload = {**(data if data is not None else form_data()), **(files or {})}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(register_url(to or campaign), payload)

    return post


def errors(response) -> dict:
    """Every error shown, by field, from both forms of the page."""
    found = {}
    for form in (response.context["form"], response.context["registration_form"]):
        for field, messages in form.errors.items():
            found.setdefault(field, []).extend(messages)
    return found


def assert_refused(response, field, message):
    assert response.status_code == 400
    assert any(message in error for error in errors(response).get(field, [])), errors(response)
    assert message in page_text(response)


# Success --------------------------------------------------------------------------------------


def test_registration_creates_the_establishment_and_a_pending_registration(personas, register, campaign):
    response = register()

    establishment = Establishment.objects.get()
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/mon-espace/inscriptions/{registration.pk}/"
    assert establishment.owner == personas.a.owner
    assert establishment.collectivite == personas.a.tenant
    assert (establishment.trade_name, establishment.legal_name, establishment.category) == (
        "Le Café des Arts",
        "SARL Café des Arts",
        "cafe",
    )
    assert (establishment.siret, establishment.rna) == (SIRET, "")
    assert establishment.iban == IBAN_COMPACT
    assert establishment.commune_id == STRASBOURG and establishment.postal_code == "67000"
    assert registration.campaign == campaign and registration.establishment == establishment
    assert registration.status == "pending"
    assert registration.legal_identifier == SIRET
    assert not registration.offers.exists()  # the counterpart is an offer, proposed once registered
    assert registration.terms_accepted_at is not None and registration.submitted_at is not None
    assert registration.approved_at is None


def test_the_position_is_the_commune_centre_until_an_address_is_geocoded(register):
    register()
    establishment = Establishment.objects.get()
    strasbourg = commune(STRASBOURG)
    assert (establishment.latitude, establishment.longitude) == (strasbourg.latitude, strasbourg.longitude)
    assert establishment.position_source == "commune"


def test_registration_is_recorded_in_the_audit_log(personas, register, campaign):
    register()
    event = last_event("registration.submitted")
    assert event.collectivite == personas.a.tenant
    assert event.actor == personas.a.owner
    assert event.object_id == str(Registration.objects.get().pk)
    assert event.data["campaign"] == campaign.slug


def test_the_moderators_of_the_collectivite_are_emailed_each_in_their_language(personas, register):
    mona = personas.a.moderator
    mona.language = "de"
    mona.save()

    register()

    registration = Registration.objects.get()
    to_mona = only_mail_to(mona.email)
    to_alice = only_mail_to(personas.a.admin.email)
    assert subject("To moderate: %(name)s", "de", name="Le Café des Arts") in to_mona.subject
    assert subject("To moderate: %(name)s", "fr", name="Le Café des Arts") in to_alice.subject
    assert to_mona.subject != to_alice.subject
    assert f"http://grand-est.localhost/gestion/moderation/{registration.pk}/" in links_in(to_alice)
    assert any(link.endswith(f"/gestion/moderation/{registration.pk}/") for link in links_in(to_mona))
    # No one else: not the finance officer nor the viewer, nor anybody of Metz, nor the owner.
    assert {address for m in mail.outbox for address in m.to} == {mona.email, personas.a.admin.email}


def test_the_photo_is_reencoded_without_exif_and_resized(register):
    register(form_data(photo_alt="La terrasse au soleil"), files={"photo": picture(size=(2400, 1800), exif=True)})

    establishment = Establishment.objects.get()
    with establishment.photo.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert image.format == "JPEG"
        assert max(image.size) == 1600 and image.size == (1600, 1200)
        assert dict(image.getexif()) == {}
    assert establishment.photo_alt == "La terrasse au soleil"


def test_a_file_that_is_not_a_picture_is_refused(register):
    fake = picture()
    fake.file = io.BytesIO(b"<?php echo 'hello'; ?>")
    fake.size = 22
    response = register(files={"photo": fake})
    assert response.status_code == 400
    assert "photo" in errors(response)
    assert row_counts()["establishments"] == 0


def test_a_picture_larger_than_five_megabytes_is_refused(register):
    big = picture(size=(200, 200))
    big.file = io.BytesIO(big.read() + b"\0" * (5 * 1024 * 1024))
    big.size = len(big.file.getvalue())
    response = register(files={"photo": big})
    assert_refused(response, "photo", translated("The picture is larger than 5 MB."))
    assert row_counts()["establishments"] == 0


def test_a_gif_is_refused(register):
    response = register(files={"photo": picture(fmt="GIF")})
    assert response.status_code == 400
    assert "photo" in errors(response)
    assert row_counts()["establishments"] == 0


def test_the_registration_page_shows_the_form_to_a_verified_owner(personas, client_for, campaign):
    response = client_for(personas.a, personas.a.owner).get(register_url(campaign))
    assert response.status_code == 200
    assert 'name="identifier"' in response.content.decode()
    assert 'name="accept_terms"' in response.content.decode()


# Refusals: 400, a clear message, nothing created ------------------------------------------------


@pytest.fixture
def nothing_created():
    before = row_counts()
    yield
    assert row_counts() == before
    assert mail.outbox == []


@pytest.mark.usefixtures("nothing_created")
class TestWrongInputsAreRefusedAndCreateNothing:
    def test_wrong_siret(self, register):
        wrong = SIRET[:-1] + str((int(SIRET[-1]) + 1) % 10)
        response = register(form_data(identifier=wrong))
        assert_refused(response, "identifier", translated("This SIRET number is not valid: check the digits."))

    def test_siret_of_thirteen_digits(self, register):
        response = register(form_data(identifier=SIRET[:-1]))
        assert_refused(response, "identifier", translated("A SIRET number has 14 digits."))

    def test_wrong_iban(self, register):
        response = register(form_data(iban="FR76 3000 6000 0112 3456 7890 188"))
        assert_refused(response, "iban", translated("This IBAN is not valid: check the letters and digits."))

    def test_iban_outside_the_sepa_zone(self, register):
        response = register(form_data(iban="BR18 0036 0305 0000 1000 9795 493C 1"))
        assert_refused(
            response, "iban", translated("Payouts are made by SEPA transfer: give an IBAN from the SEPA zone.")
        )

    def test_commune_outside_the_territory(self, register):
        # Café Solidaire of the Région covers Bas-Rhin and Haut-Rhin; Metz is in Moselle.
        response = register(form_data(commune_text="Metz", postal_code="57000"))
        assert_refused(
            response,
            "commune_text",
            translated("%(names)s: outside the campaign’s territory.", names="Metz (57000)"),
        )

    def test_commune_code_outside_the_territory_sent_by_hand(self, register):
        response = register(form_data(commune_text="Metz", commune_code="57463", postal_code="57000"))
        assert response.status_code == 400
        assert "commune_text" in errors(response)

    def test_postcode_of_a_commune_outside_the_territory(self, register):
        response = register(form_data(commune_text="57000", postal_code=""))
        assert response.status_code == 400
        assert "commune_text" in errors(response)

    def test_unknown_commune(self, register):
        response = register(form_data(commune_text="Nulle-Part-sur-Rhin"))
        assert_refused(response, "commune_text", translated("No commune matches. Type its name or its postal code."))

    def test_category_not_allowed_by_the_campaign(self, register):
        response = register(form_data(category="restaurant"))
        assert response.status_code == 400
        assert "category" in errors(response)

    def test_missing_terms(self, register):
        response = register(form_data(accept_terms=None))
        assert_refused(response, "accept_terms", translated("You must accept the terms of the campaign to register."))

    def test_rna_number_for_a_cafe(self, register):
        response = register(form_data(identifier="W672001234"))
        assert_refused(
            response, "identifier", translated("Only associations register with an RNA number; give your SIRET.")
        )

    def test_malformed_rna_number(self, register):
        response = register(form_data(identifier="W67"))
        assert response.status_code == 400
        assert "identifier" in errors(response)

    def test_postal_code_not_of_the_commune(self, register):
        response = register(form_data(commune_text="Strasbourg", postal_code="68000"))
        assert_refused(
            response,
            "postal_code",
            translated(
                "%(code)s is not a postal code of %(commune)s (%(codes)s).",
                code="68000",
                commune="Strasbourg",
                codes="67000, 67100, 67200",
            ),
        )

    def test_missing_postal_code_of_a_commune_with_several(self, register):
        response = register(form_data(commune_text="Strasbourg", postal_code=""))
        assert_refused(
            response,
            "postal_code",
            translated(
                "%(commune)s has several postal codes: %(codes)s. Give yours.",
                commune="Strasbourg",
                codes="67000, 67100, 67200",
            ),
        )

    @pytest.mark.parametrize("field", ["trade_name", "legal_name", "address", "description", "account_holder", "iban"])
    def test_missing_required_field(self, register, field):
        response = register(form_data(**{field: ""}))
        assert response.status_code == 400
        assert field in errors(response)


def test_an_ambiguous_commune_name_offers_the_candidates_as_radio_buttons(register):
    before = row_counts()
    response = register(form_data(commune_text="Bouxwiller", postal_code=""))

    assert_refused(response, "commune_text", translated("Several communes match: choose yours in the list below."))
    page = response.content.decode()
    # Bouxwiller exists in Bas-Rhin (67061) and in Haut-Rhin (68049).
    assert 'type="radio" name="commune_code"' in page
    assert 'value="67061"' in page and 'value="68049"' in page
    assert row_counts() == before

    # Without JavaScript the person picks one and submits again.
    response = register(form_data(commune_text="Bouxwiller", commune_code="68049", postal_code=""))
    assert response.status_code == 302
    assert Establishment.objects.get().commune_id == "68049"


def test_a_commune_typed_as_name_and_postcode_is_found(register):
    response = register(form_data(commune_text="Strasbourg (67100)", postal_code="67100"))
    assert response.status_code == 302
    assert Establishment.objects.get().postal_code == "67100"


def test_the_postcode_typed_in_the_commune_field_is_the_establishments_postcode(register):
    response = register(form_data(commune_text="67200", postal_code=""))
    assert response.status_code == 302
    establishment = Establishment.objects.get()
    assert (establishment.commune_id, establishment.postal_code) == (STRASBOURG, "67200")


def test_a_commune_with_one_postcode_needs_no_postcode(register):
    response = register(form_data(commune_text="colmar", postal_code=""))
    assert response.status_code == 302
    assert Establishment.objects.get().postal_code == "68000"


def test_closed_registration_window_is_refused_and_creates_nothing(personas, register):
    closed = cafe_campaign(
        personas.a,
        slug="inscriptions-closes",
        registration_opens_at=timezone.now() - timedelta(days=10),
        registration_closes_at=timezone.now() - timedelta(days=1),
    )
    before = row_counts()
    response = register(to=closed)

    assert response.status_code == 302
    assert response["Location"] == f"/campagnes/{closed.slug}/"
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert translated("Registration for this campaign is closed.") in shown
    assert row_counts() == before
    assert mail.outbox == []


def test_registration_not_yet_open_is_refused(personas, register):
    upcoming = cafe_campaign(
        personas.a,
        slug="bientot",
        registration_opens_at=timezone.now() + timedelta(days=1),
        registration_closes_at=timezone.now() + timedelta(days=10),
    )
    response = register(to=upcoming)
    assert response.status_code == 302
    assert Registration.objects.count() == 0


def test_the_action_itself_refuses_a_closed_window(personas, campaign):
    """The rule holds in the write path, not only in the view (e.g. the window closes while the
    person is typing)."""
    form = EstablishmentForm(form_data(), territory=campaign.territory_communes(), categories=campaign.categories)
    registration_form = RegistrationForm(form_data(), campaign=campaign)
    assert form.is_valid() and registration_form.is_valid()
    with pytest.raises(ActionError) as error:
        actions.register_establishment(
            owner=personas.a.owner,
            campaign=campaign,
            form=form,
            registration_form=registration_form,
            now=campaign.registration_closes_at,
        )
    assert error.value.code == "registration_closed"
    assert row_counts()["establishments"] == 0


# Duplicates -----------------------------------------------------------------------------------


def test_the_same_siret_twice_in_one_campaign_is_refused(personas, register, campaign):
    register()
    mail.outbox.clear()
    before = row_counts()

    response = register(form_data(trade_name="Le Café des Arts bis"), user=personas.a.donor)

    assert_refused(
        response,
        "identifier",
        translated("An establishment with this SIRET or RNA number is already registered for this campaign."),
    )
    assert row_counts() == before
    assert mail.outbox == []


def test_the_same_siret_is_refused_even_written_with_spaces(personas, register):
    register()
    spaced = " ".join([SIRET[:3], SIRET[3:6], SIRET[6:9], SIRET[9:]])
    response = register(form_data(identifier=spaced), user=personas.a.donor)
    assert response.status_code == 400
    assert Registration.objects.count() == 1


def test_the_same_siret_may_register_again_after_a_rejection(personas, register, campaign):
    establishment = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.donor, siret=SIRET)
    RegistrationFactory(campaign=campaign, establishment=establishment, status="rejected")
    response = register()
    assert response.status_code == 302
    assert Registration.objects.filter(campaign=campaign, legal_identifier=SIRET, status="pending").count() == 1


def test_the_same_siret_is_allowed_in_another_campaign(personas, register, campaign):
    other = cafe_campaign(personas.a, slug="commerces-solidaires", title="Commerces solidaires")
    register()
    response = register(form_data(trade_name="Le Café des Arts (bis)"), to=other)
    assert response.status_code == 302
    assert set(Registration.objects.values_list("campaign__slug", flat=True)) == {campaign.slug, other.slug}


def test_the_database_refuses_a_second_active_registration_of_a_siret(personas, campaign):
    RegistrationFactory(
        campaign=campaign,
        establishment=EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner, siret=SIRET),
        status="pending",
    )
    from django.db import IntegrityError

    second = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.donor, siret=SIRET)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(campaign=campaign, establishment=second, status="pending")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_registrations_of_one_siret_leave_one(personas):
    """PostgreSQL runs both transactions for real in parallel: the unique index decides."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    with transaction.atomic():  # CampaignFactory sets up the matching pools with select_for_update
        campaign = cafe_campaign(personas.a)
    second_owner = UserFactory(email="rival@example.org")

    def submit(owner, name):
        form = EstablishmentForm(
            form_data(trade_name=name), territory=campaign.territory_communes(), categories=campaign.categories
        )
        registration_form = RegistrationForm(form_data(), campaign=campaign)
        assert form.is_valid() and registration_form.is_valid(), form.errors
        return actions.register_establishment(
            owner=owner, campaign=campaign, form=form, registration_form=registration_form
        )

    outcome = {}
    started = threading.Event()

    def run_second():
        started.set()
        try:
            submit(second_owner, "Le Rival")
            outcome["second"] = "done"
        except ActionError as exc:
            outcome["second"] = exc.code
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["second"] = repr(exc)
        finally:
            connection.close()

    with transaction.atomic():
        submit(personas.a.owner, "Le Café des Arts")
        thread = threading.Thread(target=run_second)
        thread.start()
        started.wait()
        thread.join(timeout=1.0)
        waited = thread.is_alive()  # the second insert waits on the unique index, not on a check
    thread.join(timeout=30)

    assert waited
    assert outcome["second"] == "duplicate"
    assert Registration.objects.filter(campaign=campaign, legal_identifier=SIRET).count() == 1
    assert Establishment.objects.get().trade_name == "Le Café des Arts"  # the rival's rolled back


# Who may register ---------------------------------------------------------------------------


def test_an_owner_without_a_verified_email_is_sent_to_confirm_it(personas, client_for, campaign):
    unverified = UserFactory(email="new@example.org", verified=False)
    client = client_for(personas.a, unverified)

    assert client.get(register_url(campaign))["Location"].endswith("/comptes/email/")
    response = client.post(register_url(campaign), form_data())
    assert response.status_code == 302
    assert response["Location"].endswith("/comptes/email/")
    assert row_counts()["establishments"] == 0


def test_an_anonymous_visitor_is_sent_to_the_login_page(personas, client_for, campaign):
    response = client_for(personas.a).post(register_url(campaign), form_data())
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/?next=")
    assert row_counts()["establishments"] == 0


def test_a_draft_campaign_or_another_collectivites_campaign_is_not_found(personas, client_for, campaign):
    draft = cafe_campaign(personas.a, slug="brouillon", status="draft", published_at=None)
    theirs = CampaignFactory(collectivite=personas.b.tenant, slug="metz-solidaire")
    client = client_for(personas.a, personas.a.owner)
    assert client.post(register_url(draft), form_data()).status_code == 404
    assert client.post(register_url(theirs), form_data()).status_code == 404
    assert row_counts()["establishments"] == 0


def test_one_owner_may_register_two_establishments(personas, register):
    register()
    register(form_data(trade_name="Le Bar du Port", identifier=OTHER_SIRET, commune_text="Colmar", postal_code=""))

    assert Establishment.objects.filter(owner=personas.a.owner).count() == 2
    assert set(Registration.objects.values_list("establishment__trade_name", "status")) == {
        ("Le Café des Arts", "pending"),
        ("Le Bar du Port", "pending"),
    }
    assert len(mails_to(personas.a.moderator.email)) == 2


def test_an_association_registers_with_its_rna_number(personas, register):
    associations = cafe_campaign(
        personas.a, slug="assos", kind="associations", categories=["association"], title="Assos solidaires"
    )
    response = register(form_data(category="association", identifier="w672001234"), to=associations)
    assert response.status_code == 302
    establishment = Establishment.objects.get()
    assert (establishment.rna, establishment.siret) == ("W672001234", "")
    assert Registration.objects.get().legal_identifier == "W672001234"


def test_a_post_office_registers_with_its_la_poste_siret(register):
    """La Poste’s establishments have SIRETs that fail the Luhn check (their digits add up to a
    multiple of 5 instead): they are accepted."""
    response = register(form_data(trade_name="Bureau de poste", identifier="356 000 000 12341"))
    assert response.status_code == 302
    assert Establishment.objects.get().siret == "35600000012341"
