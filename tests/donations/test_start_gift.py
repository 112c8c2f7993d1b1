"""The gift form on an establishment’s page and POST …/etablissements/<id>/don/
(donations.views.start): suggested amounts with what the collectivité adds to each, or a free
amount within the rules; e-mail required; name, public message, anonymity and consent optional.
A valid gift reserves its match and sends the donor to the gift's private page, which shows the
promise and its expiry before paying. Plain HTML: no JavaScript needed."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from solidaire.campaigns.models import Campaign
from solidaire.donations.models import Gift
from solidaire.matching.models import Allocation, Pool

from ..campaigns.helpers import text
from ..factories import CampaignFactory
from ..gifts import approved_registration

pytestmark = pytest.mark.django_db


def page_url(cafe) -> str:
    return f"/campagnes/{cafe.campaign.slug}/etablissements/{cafe.establishment_id}/"


def start_url(cafe) -> str:
    return f"{page_url(cafe)}don/"


def form(**overrides) -> dict:
    data = {"amount_choice": "500", "email": "dora@example.org"}
    data.update(overrides)
    return data


def reserved(campaign) -> int:
    return sum(p.reserved_cents for p in Pool.objects.filter(campaign=campaign))


def test_establishment_page_offers_the_suggested_amounts_with_the_match_each_adds(personas, client_for, cafe):
    response = client_for(personas.a).get(page_url(cafe), follow=True)
    assert response.status_code == 200
    page = text(response)
    assert f'action="{start_url(cafe)}"' in page
    assert 'value="500"' in page and 'value="1000"' in page and 'value="other"' in page
    assert "+ 5 € added" in page or "+ 5 € ajoutés" in page
    assert "+ 10 € added" in page or "+ 10 € ajoutés" in page
    assert 'name="email"' in page and 'name="amount_other"' in page


def test_match_preview_follows_the_campaign_ratio(personas, client_for):
    half = CampaignFactory(collectivite=personas.a.tenant, slug="moitie", matching_ratio_percent=50)
    cafe = approved_registration(half)
    page = text(client_for(personas.a).get(page_url(cafe), follow=True))
    assert "+ 2,50 € added" in page or "+ 2,50 € ajoutés" in page


def test_valid_gift_reserves_the_match_and_goes_to_the_gift_page(personas, client_for, cafe):
    response = client_for(personas.a).post(start_url(cafe), form(donor_name="Dora", public_message="Courage !"))
    gift = Gift.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dons/{gift.pk}/?t={gift.token}"
    assert (gift.status, gift.amount_cents, gift.email, gift.donor_name, gift.public_message) == (
        "pending",
        500,
        "dora@example.org",
        "Dora",
        "Courage !",
    )
    assert (gift.anonymous, gift.contact_consent, gift.language) == (False, False, "fr")
    assert gift.match_promised_cents == 500
    assert Allocation.objects.get(gift=gift).status == "held"
    assert reserved(cafe.campaign) == 500
    assert gift.checkout_url.startswith("http://grand-est.localhost/sandbox/paiement/cs_test_")


def test_gift_page_before_paying_shows_the_promised_match_its_expiry_and_the_payment_link(personas, client_for, cafe):
    client = client_for(personas.a)
    response = client.post(start_url(cafe), form())
    gift = Gift.objects.get()
    page = text(client.get(response["Location"]))
    assert "Région Grand Est adds 5 €: the establishment will receive about 10 €" in page or "ajoute 5 €" in page
    expiry = timezone.localtime(gift.reservation_expires_at)
    assert expiry - timezone.now() > timedelta(minutes=29)
    assert expiry.strftime("%H:%M") in page
    assert f'href="{gift.checkout_url}"' in page


def test_free_amount_in_euros_with_a_comma(personas, client_for, cafe):
    client_for(personas.a).post(start_url(cafe), form(amount_choice="other", amount_other="7,50"))
    gift = Gift.objects.get()
    assert (gift.amount_cents, gift.match_promised_cents) == (750, 750)


def test_optional_choices_are_kept(personas, client_for, cafe):
    client_for(personas.a).post(
        start_url(cafe), form(donor_name="Dora", anonymous="on", contact_consent="on", email="  Dora@Example.ORG ")
    )
    gift = Gift.objects.get()
    assert (gift.anonymous, gift.contact_consent, gift.email) == (True, True, "dora@example.org")


def test_the_language_of_the_page_is_the_language_of_the_gift(personas, client_for, cafe):
    response = client_for(personas.a).post(f"/en{start_url(cafe)}", form())
    gift = Gift.objects.get()
    assert gift.language == "en"
    assert response["Location"] == f"/en/dons/{gift.pk}/?t={gift.token}"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (form(amount_choice="other", amount_other="2,99"), "amount_other"),
        (form(amount_choice="other", amount_other="10,01"), "amount_other"),
        (form(amount_choice="other", amount_other="-5"), "amount_other"),
        (form(amount_choice="other", amount_other="cinq"), "amount_other"),
        (form(amount_choice="other", amount_other=""), "amount_other"),
        (form(amount_choice="700"), "amount_choice"),
        (form(email=""), "email"),
        (form(email="dora@"), "email"),
        ({"amount_choice": "500"}, "email"),
    ],
)
def test_invalid_gift_is_refused_and_no_gift_is_recorded(personas, client_for, cafe, data, field):
    response = client_for(personas.a).post(start_url(cafe), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Gift.objects.exists()
    assert reserved(cafe.campaign) == 0


def test_the_refused_form_keeps_what_was_typed(personas, client_for, cafe):
    response = client_for(personas.a).post(
        start_url(cafe), form(email="", donor_name="Dora", amount_choice="other", amount_other="7")
    )
    page = text(response)
    assert 'value="Dora"' in page
    assert re.search(r'id="amount-other"[^>]*checked|value="other"\s+checked', page)


@pytest.mark.parametrize(
    "change",
    [
        {"ends_at": timezone.now() - timedelta(minutes=1)},
        {"starts_at": timezone.now() + timedelta(days=1)},
        {"status": "closed"},
    ],
    ids=["ended", "upcoming", "closed"],
)
def test_a_campaign_not_open_for_gifts_refuses_them(personas, client_for, cafe, change):
    Campaign.objects.filter(pk=cafe.campaign_id).update(**change)
    client = client_for(personas.a)
    page = text(client.get(page_url(cafe), follow=True))
    assert f'action="{start_url(cafe)}"' not in page
    response = client.post(start_url(cafe), form())
    assert response.status_code == 400
    assert "not open for gifts" in text(response) or "pas ouverte" in text(response)
    assert not Gift.objects.exists()


def test_a_draft_campaign_is_not_found(personas, client_for, cafe):
    Campaign.objects.filter(pk=cafe.campaign_id).update(status="draft")
    assert client_for(personas.a).post(start_url(cafe), form()).status_code == 404
    assert not Gift.objects.exists()


def test_an_establishment_not_approved_cannot_receive_gifts(personas, client_for, cafe):
    type(cafe).objects.filter(pk=cafe.pk).update(status="pending")
    assert client_for(personas.a).post(start_url(cafe), form()).status_code == 404
    assert not Gift.objects.exists()


def test_an_establishment_of_the_other_collectivite_is_not_found(personas, client_for, cafe):
    assert client_for(personas.b).post(start_url(cafe), form()).status_code == 404
    assert not Gift.objects.exists()


def test_only_post_starts_a_gift(personas, client_for, cafe):
    assert client_for(personas.a).get(start_url(cafe)).status_code == 405


def test_works_without_javascript_with_the_pages_own_csrf_token(personas, cafe):
    """A browser without JavaScript: load the page, submit the form as it is."""
    browser = Client(HTTP_HOST=personas.a.host, enforce_csrf_checks=True)
    page = browser.get(page_url(cafe), follow=True).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(start_url(cafe), form(csrfmiddlewaretoken=token))
    assert response.status_code == 302
    gift = Gift.objects.get()
    assert browser.get(response["Location"]).status_code == 200
    assert gift.status == "pending"


def test_without_the_csrf_token_nothing_happens(personas, cafe):
    response = Client(HTTP_HOST=personas.a.host, enforce_csrf_checks=True).post(start_url(cafe), form())
    assert response.status_code == 403
    assert not Gift.objects.exists()


def test_the_owner_may_give_to_their_own_establishment_but_gets_no_match(personas, client_for, campaign):
    cafe = approved_registration(campaign, owner=personas.a.owner)
    client_for(personas.a, personas.a.owner).post(start_url(cafe), form(email=personas.a.owner.email))
    gift = Gift.objects.get()
    assert (gift.match_promised_cents, gift.match_note) == (0, "own_establishment")
    assert reserved(campaign) == 0


def test_a_signed_in_donor_is_linked_to_the_gift(personas, client_for, cafe):
    client_for(personas.a, personas.a.donor).post(start_url(cafe), form(email=personas.a.donor.email))
    assert Gift.objects.get().user == personas.a.donor
