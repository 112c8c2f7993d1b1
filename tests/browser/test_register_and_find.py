"""Journeys 2 and 3 up to the gift, in a real browser: a café manager registers "Le Café des Arts"
for Café Solidaire, a moderator approves it, and a resident finds it by its postal code, opens its
page and the map. Every page reached is checked with axe-core."""

import io

import pytest
from PIL import Image

from solidaire.beneficiaries.models import Establishment, Registration
from solidaire.vouchers.models import Offer
from tests.beneficiaries.helpers import IBAN, SIRET, cafe_campaign
from tests.factories import DEFAULT_PASSWORD

NAME = "Le Café des Arts"


def sign_in(page, user):
    page.goto("/comptes/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.follow(page.locator("main form button[type=submit]"))


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "terrasse.jpg"
    output = io.BytesIO()
    Image.new("RGB", (1200, 800), (150, 90, 40)).save(output, format="JPEG")
    path.write_bytes(output.getvalue())
    return path


def fill_registration(page, *, commune: str, photo=None):
    page.fill("#id_trade_name", NAME)
    page.fill("#id_legal_name", "SARL Café des Arts")
    page.select_option("#id_category", "cafe")
    page.fill("#id_identifier", SIRET)
    page.fill("#id_address", "12 rue des Orfèvres")
    page.fill("#id_commune_text", commune)
    page.fill("#id_description", "Un café de quartier, ses habitués et sa terrasse.")
    page.fill("#id_opening_hours", "Du mardi au samedi, 8 h – 20 h")
    if photo is not None:
        page.set_input_files("#id_photo", str(photo))
        page.fill("#id_photo_alt", "La terrasse du café")
    page.fill("#id_iban", IBAN)
    page.fill("#id_account_holder", "SARL Café des Arts")
    page.check("#id_accept_terms")


def test_a_cafe_registers_is_approved_and_is_found_by_postal_code(personas, open_page, photo):
    cafe_campaign(personas.a, title="Café Solidaire")

    # The manager registers the café from the campaign’s page.
    owner = open_page(personas.a)
    sign_in(owner, personas.a.owner)
    owner.goto("/campagnes/cafe-solidaire/")
    owner.follow(owner.locator("main a[href$='/mon-espace/inscription/cafe-solidaire/']"))
    assert owner.path == "/mon-espace/inscription/cafe-solidaire/"
    # A wrong SIRET first: the error summary names the field.
    fill_registration(owner, commune="67000", photo=photo)
    owner.fill("#id_identifier", SIRET[:-1] + str((int(SIRET[-1]) + 1) % 10))
    owner.follow(owner.locator("form.registration-form button[type=submit]"))
    assert owner.locator(".error-summary a[href='#id_identifier']").count() == 1
    assert not Establishment.objects.exists()
    # Corrected (the photo must be chosen again), it is accepted; the commune was typed as a
    # postal code and the suggestions list was not used.
    owner.fill("#id_identifier", SIRET)
    owner.fill("#id_commune_text", "67000")
    owner.set_input_files("#id_photo", str(photo))
    owner.check("#id_accept_terms")
    owner.follow(owner.locator("form.registration-form button[type=submit]"))
    registration = Registration.objects.get()
    assert owner.path == f"/mon-espace/inscriptions/{registration.pk}/"
    assert registration.status == "pending"
    assert (registration.establishment.commune_id, registration.establishment.postal_code) == ("67482", "67000")

    # A moderator approves it from the queue.
    moderator = open_page(personas.a)
    sign_in(moderator, personas.a.moderator)
    moderator.goto("/gestion/moderation/")
    moderator.follow(moderator.get_by_role("link", name=NAME))
    moderator.check("input[name=decision][value=approve]")
    moderator.follow(moderator.locator("main form button[type=submit]"))
    assert moderator.path == "/gestion/moderation/"
    registration.refresh_from_db()
    assert registration.status == "approved"
    # Its counterpart, proposed by the owner and approved (vouchers' own journey), is what the page says.
    Offer.objects.create(
        registration=registration,
        kind="item",
        item_label="Un café offert pour chaque don.",
        validity_days=180,
        status="approved",
    )

    # A resident finds it by postal code and opens its page.
    resident = open_page(personas.a)
    resident.goto("/campagnes/cafe-solidaire/")
    resident.follow(resident.locator("main a[href$='/campagnes/cafe-solidaire/etablissements/']").first)
    resident.fill("#q", "67000")
    resident.follow(resident.locator("form.directory-filters button[type=submit]"))
    assert resident.path.startswith("/campagnes/cafe-solidaire/etablissements/?q=67000")
    card = resident.get_by_role("link", name=NAME)
    assert card.count() == 1
    resident.follow(card)
    assert resident.locator("h1").inner_text() == NAME
    assert "Un café offert pour chaque don." in resident.locator("main").inner_text()

    # The map page: no tiles here (no internet), the marker and the status message are.
    resident.goto("/campagnes/cafe-solidaire/carte/")
    resident.wait_for_function("document.getElementById('map-status').textContent.trim() !== ''")
    assert resident.locator("#map-status").inner_text().strip() != ""
    resident.wait_for_selector(".leaflet-marker-icon")
    assert resident.locator("main a[href='/campagnes/cafe-solidaire/etablissements/']").count() == 1


def test_an_ambiguous_commune_name_is_settled_without_javascript_suggestions(personas, open_page):
    cafe_campaign(personas.a, title="Café Solidaire")
    owner = open_page(personas.a)
    sign_in(owner, personas.a.owner)
    owner.goto("/mon-espace/inscription/cafe-solidaire/")
    fill_registration(owner, commune="Bouxwiller")
    owner.follow(owner.locator("form.registration-form button[type=submit]"))
    # Bouxwiller is both in Bas-Rhin and Haut-Rhin: the page asks which one.
    choices = owner.locator(".commune-choices input[type=radio]")
    assert choices.count() == 2
    owner.check("#commune-68049")
    owner.fill("#id_iban", IBAN)
    owner.check("#id_accept_terms")
    owner.follow(owner.locator("form.registration-form button[type=submit]"))
    assert Establishment.objects.get().commune_id == "68049"


def test_the_commune_suggestions_fill_the_commune_and_its_postal_code(personas, open_page):
    cafe_campaign(personas.a, title="Café Solidaire")
    owner = open_page(personas.a)
    sign_in(owner, personas.a.owner)
    owner.goto("/mon-espace/inscription/cafe-solidaire/")
    fill_registration(owner, commune="")
    owner.locator("#id_commune_text").press_sequentially("Colm")
    option = owner.get_by_role("option", name="Colmar (68000)")
    option.wait_for()
    assert owner.locator("#id_commune_text").get_attribute("aria-expanded") == "true"
    option.dispatch_event("mousedown")
    assert owner.locator("#id_commune_text").input_value() == "Colmar (68000)"
    assert owner.locator("input[name=commune_code]").input_value() == "68066"
    assert owner.locator("#id_postal_code").input_value() == "68000"
    owner.follow(owner.locator("form.registration-form button[type=submit]"))
    assert Establishment.objects.get().commune_id == "68066"
