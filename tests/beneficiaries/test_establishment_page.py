"""An establishment’s public page in a campaign (GET /campagnes/<slug>/etablissements/<pk>-<name>/):
approved registrations only, one canonical and shareable URL with Open Graph tags, the owner's
text shown as text, totals received and what the collectivité adds to a gift."""

import html
import re

import pytest
from django.core.files.base import ContentFile

from solidaire.core.money import format_cents

from ..accounts.helpers import page_text, translated
from ..factories import CampaignFactory
from .helpers import (
    EstablishmentFactory,
    RegistrationFactory,
    cafe_campaign,
    commune,
    listed,
    page_url,
    picture,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas):
    return cafe_campaign(personas.a)


@pytest.fixture
def registration(personas, campaign):
    return listed(
        campaign,
        personas.a,
        personas.a.owner,
        trade_name="Le Café des Arts",
        description="Un café de quartier.\nAvec une terrasse.",
        address="12 rue des Orfèvres",
        opening_hours="Du mardi au samedi",
        phone="03 88 00 00 00",
        website="https://cafe-des-arts.example",
        counterpart="Un café offert pour chaque don.",
    )


def text(response) -> str:
    return page_text(response).replace("\u202f", " ").replace("\u00a0", " ")


def meta(response, prop) -> str:
    match = re.search(rf'<meta property="{prop}" content="([^"]*)"', response.content.decode())
    assert match, f"no {prop}"
    return match.group(1)


@pytest.fixture
def public(personas, client_for):
    return client_for(personas.a)


def test_the_page_shows_what_a_donor_needs(public, registration):
    response = public.get(page_url(registration))
    assert response.status_code == 200
    page = text(response)
    for shown in (
        "Le Café des Arts",
        "Un café de quartier.",
        "12 rue des Orfèvres",
        "67000 Strasbourg",
        "Du mardi au samedi",
        "Un café offert pour chaque don.",
        "https://cafe-des-arts.example",
        "03 88 00 00 00",
    ):
        assert shown in page, shown


def totals(response) -> str:
    match = re.search(r'class="totals-big">([^<]*)<', response.content.decode())
    assert match, "no totals on the page"
    return " ".join(html.unescape(match.group(1)).split())


def euros(cents) -> str:
    return " ".join(format_cents(cents, "fr").split())


def test_totals_are_zero_until_gifts_exist(public, registration):
    assert euros(0) in totals(public.get(page_url(registration)))


def test_totals_add_gifts_and_matching(public, registration):
    registration.gifts_count = 3
    registration.gifts_total_cents = 2_000
    registration.matching_total_cents = 1_500
    registration.save()
    response = public.get(page_url(registration))
    assert euros(3_500) in totals(response)
    assert euros(2_000) in text(response) and euros(1_500) in text(response)


def adds(campaign, gift, added) -> str:
    message = translated(
        "For each gift, %(name)s adds public money: give %(gift)s and the establishment receives %(added)s more.",
        name=campaign.collectivite.name_with_article,  # "la Région Grand Est", typeset: no capital mid-sentence
        gift=format_cents(gift, "fr"),
        added=format_cents(added, "fr"),
    )
    return " ".join(message.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_the_page_says_what_the_collectivite_adds_to_a_gift(public, campaign, registration):
    page = " ".join(text(public.get(page_url(registration))).split())
    assert adds(campaign, 500, 500) in page


def test_what_the_collectivite_adds_follows_the_campaigns_ratio(personas, public):
    half = cafe_campaign(personas.a, slug="moitie", matching_ratio_percent=50, suggested_gifts_cents=[1000])
    registration = listed(half, personas.a, personas.a.owner, trade_name="Bar")
    page = " ".join(text(public.get(page_url(registration))).split())
    assert adds(half, 1000, 500) in page


def test_the_owners_text_is_shown_as_text_not_html(personas, public, campaign):
    registration = listed(
        campaign,
        personas.a,
        personas.a.owner,
        trade_name="Le <b>Café</b>",
        description='<script>alert("x")</script><img src=x onerror=alert(1)>',
        opening_hours="<iframe src=//evil.example>",
        counterpart="<a href='//evil.example'>gagnez</a>",
    )
    page = public.get(page_url(registration)).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "<iframe" not in page and "<a href='//evil.example'>" not in page and "<b>Café</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;iframe src=//evil.example&gt;" in page


def test_open_graph_tags_make_the_page_shareable(public, registration):
    response = public.get(page_url(registration))
    assert meta(response, "og:title") == "Le Café des Arts — Café Solidaire"
    assert meta(response, "og:description").startswith("Un café de quartier.")
    assert meta(response, "og:type") == "website"
    assert meta(response, "og:url") == f"http://grand-est.localhost{page_url(registration)}"
    assert f'<link rel="canonical" href="http://grand-est.localhost{page_url(registration)}">' in (
        response.content.decode()
    )


def test_the_photo_is_shown_and_shared(personas, public, registration):
    establishment = registration.establishment
    establishment.photo.save("terrasse.jpg", ContentFile(picture(size=(640, 480)).read()))
    establishment.photo_alt = "La terrasse au soleil"
    establishment.save()

    response = public.get(page_url(registration))

    page = response.content.decode()
    assert 'alt="La terrasse au soleil"' in page
    assert meta(response, "og:image").startswith("http://grand-est.localhost/")
    assert establishment.photo.url in meta(response, "og:image")


def test_a_wrong_or_missing_name_in_the_url_redirects_to_the_canonical_url(public, registration):
    pk = registration.establishment.pk
    for path in (
        f"/campagnes/cafe-solidaire/etablissements/{pk}-ancien-nom/",
        f"/campagnes/cafe-solidaire/etablissements/{pk}/",
    ):
        response = public.get(path)
        assert response.status_code == 301, path
        assert response["Location"] == page_url(registration)


def test_a_name_without_letters_gets_a_usable_url(personas, public, campaign):
    registration = listed(campaign, personas.a, personas.a.owner, trade_name="☕ ☕")
    response = public.get(f"/campagnes/cafe-solidaire/etablissements/{registration.establishment.pk}/")
    assert response["Location"].endswith(f"/{registration.establishment.pk}-etablissement/")
    assert public.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("status", ["pending", "changes_requested", "rejected", "withdrawn"])
def test_a_registration_that_is_not_approved_has_no_public_page(personas, public, campaign, status):
    registration = listed(campaign, personas.a, personas.a.owner, trade_name="En attente", status=status)
    assert public.get(page_url(registration)).status_code == 404
    assert public.get(f"/campagnes/cafe-solidaire/etablissements/{registration.establishment.pk}/").status_code == 404


def test_an_establishment_approved_in_another_campaign_only_is_not_shown_in_this_one(personas, public, registration):
    other = cafe_campaign(personas.a, slug="commerces")
    path = page_url(registration).replace("/cafe-solidaire/", f"/{other.slug}/")
    assert public.get(path).status_code == 404


def test_an_establishment_of_another_collectivite_is_not_found(personas, client_for, registration):
    assert client_for(personas.b).get(page_url(registration)).status_code == 404
    metz = CampaignFactory(collectivite=personas.b.tenant, slug="cafe-solidaire")
    theirs = RegistrationFactory(
        campaign=metz,
        establishment=EstablishmentFactory(
            collectivite=personas.b.tenant, owner=personas.b.owner, commune=commune("57463")
        ),
    )
    assert client_for(personas.a).get(page_url(theirs)).status_code == 404
    assert client_for(personas.b).get(page_url(theirs)).status_code == 200
