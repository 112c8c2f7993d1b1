"""One source for what donors receive: the approved counterpart offer, described in words
generated from it (vouchers.describe) on the directory's card, the establishment’s page, the gift
page and the API; the owner's free text is the offer's optional note. No offer approved, no
counterpart claimed."""

import html
from datetime import date

import pytest
from django.utils import translation

from solidaire.vouchers.describe import describe
from solidaire.vouchers.models import Offer

from ..gifts import start

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def offer(registration, status="approved", **fields) -> Offer:
    values = {"kind": "value", "value_mode": "percent", "percent_of_gift": 100, "validity_days": 180, **fields}
    return Offer.objects.create(registration=registration, status=status, **values)


def text(response) -> str:
    return html.unescape(response.content.decode()).replace(NBSP, " ").replace("\u202f", " ")


def phrase(an_offer, language="fr") -> str:
    with translation.override(language):
        return describe(an_offer).replace(NBSP, " ").replace("\u202f", " ")


def directory(client_for, personas, campaign, language=""):
    prefix = f"/{language}" if language else ""
    return text(client_for(personas.a).get(f"{prefix}/campagnes/{campaign.slug}/etablissements/"))


def page(client_for, personas, registration, language=""):
    prefix = f"/{language}" if language else ""
    path = f"{prefix}/campagnes/{registration.campaign.slug}/etablissements/{registration.establishment_id}/"
    return text(client_for(personas.a).get(path, follow=True))


@pytest.mark.parametrize(
    ("fields", "english"),
    [
        ({"bonus_percent": 20}, "A voucher worth your gift plus 20 %"),
        ({}, "A voucher worth your gift"),
        ({"percent_of_gift": 50}, "A voucher worth 50 % of your gift"),
        ({"value_mode": "fixed", "fixed_value_cents": 500}, "A voucher worth €5"),
        ({"kind": "item", "item_label": "un café offert"}, "Un café offert"),
        ({"kind": "none"}, ""),
    ],
)
def test_an_offer_is_described_in_words_generated_from_it(cafe, fields, english):
    assert phrase(offer(cafe, **fields), "en") == english


def test_the_directory_card_says_what_the_approved_offer_gives(personas, client_for, campaign, cafe):
    approved = offer(cafe, bonus_percent=20, note="Au plaisir de vous voir !")
    page_text = directory(client_for, personas, campaign)
    assert phrase(approved) in page_text


def test_no_approved_offer_no_counterpart_claimed(personas, client_for, campaign, cafe):
    offer(cafe, status="pending", kind="item", item_label="Deux cafés offerts")
    offer(cafe, status="rejected", kind="item", item_label="Trois cafés offerts")
    assert "cafés offerts" not in directory(client_for, personas, campaign)
    assert "cafés offerts" not in page(client_for, personas, cafe)
    assert 'class="counterpart"' not in directory(client_for, personas, campaign)


def test_the_establishment_page_shows_the_offer_and_its_note_in_the_visitors_language(personas, client_for, cafe):
    approved = offer(
        cafe,
        valid_until=date(2099, 12, 1),
        note="Au plaisir de vous accueillir !",
        note_en="We look forward to welcoming you!",
    )
    french = page(client_for, personas, cafe)
    assert phrase(approved) in french
    assert "Au plaisir de vous accueillir" in french
    assert "1er décembre 2099" in french
    english = page(client_for, personas, cafe, "en")
    assert phrase(approved, "en") in english
    assert "We look forward to welcoming you!" in english
    assert "Au plaisir" not in english
    assert "Au plaisir de vous accueillir" in page(client_for, personas, cafe, "de")  # no German note: French


def test_the_gift_page_describes_the_offer_the_gift_qualifies_for(personas, client_for, cafe):
    approved = offer(cafe, kind="item", item_label="Un café offert", min_gift_cents=500)
    small, large = start(cafe, 300, "petit@example.org"), start(cafe, 500, "grand@example.org")
    client = client_for(personas.a)
    assert phrase(approved) in text(client.get(f"/dons/{large.pk}/?t={large.token}"))
    assert phrase(approved) not in text(client.get(f"/dons/{small.pk}/?t={small.token}"))


def test_the_registration_form_no_longer_asks_for_a_free_text_counterpart(personas, client_for, campaign, cafe):
    response = client_for(personas.a, personas.a.owner).get(f"/mon-espace/inscription/{campaign.slug}/")
    assert 'name="counterpart"' not in response.content.decode()


def test_the_owner_writes_the_note_with_the_offer_in_three_languages(personas, client_for, cafe):
    response = client_for(personas.a, personas.a.owner).post(
        f"/mon-espace/inscriptions/{cafe.pk}/offre/",
        {
            "kind": "item",
            "value_mode": "percent",
            "percent_of_gift": "100",
            "bonus_percent": "0",
            "item_label": "Un café offert",
            "validity_days": "180",
            "note": "Merci de votre soutien !",
            "note_en": "Thank you for your support!",
            "note_de": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    submitted = Offer.objects.get(registration=cafe)
    assert (submitted.note, submitted.note_en, submitted.note_de) == (
        "Merci de votre soutien !",
        "Thank you for your support!",
        "",
    )
