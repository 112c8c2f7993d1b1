"""The map of a campaign’s establishments: a page (GET /campagnes/<slug>/carte/) that stays useful
without JavaScript or tiles, fed by a compact JSON endpoint (GET /campagnes/<slug>/carte.json)."""

import gzip
import json

import pytest

from ..accounts.helpers import page_text, translated
from .helpers import COLMAR, cafe_campaign, commune, listed

pytestmark = pytest.mark.django_db

MAP = "/campagnes/cafe-solidaire/carte/"
MARKERS = "/campagnes/cafe-solidaire/carte.json"


@pytest.fixture
def campaign(personas):
    return cafe_campaign(personas.a)


@pytest.fixture
def public(personas, client_for):
    return client_for(personas.a)


# The endpoint ------------------------------------------------------------------------------------


def test_markers_are_compact_rows_of_id_position_and_name(personas, public, campaign):
    registration = listed(campaign, personas.a, personas.a.owner, trade_name="Bar du Marché", commune=commune(COLMAR))
    establishment = registration.establishment

    response = public.get(MARKERS)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["markers"] == [
        [establishment.pk, round(establishment.latitude * 1e5), round(establishment.longitude * 1e5), "Bar du Marché"]
    ]
    assert data["markers"][0][1:3] == [4807914, 735770]
    assert data["url"] == "/campagnes/cafe-solidaire/etablissements/{id}/"
    assert b", " not in response.content and b": " not in response.content  # no padding


def test_the_page_url_of_a_marker_leads_to_the_establishment(personas, public, campaign):
    registration = listed(campaign, personas.a, personas.a.owner, trade_name="Bar du Marché")
    data = public.get(MARKERS).json()
    url = data["url"].replace("{id}", str(data["markers"][0][0]))
    response = public.get(url, follow=True)
    assert response.status_code == 200
    assert response.context["registration"] == registration


def test_only_approved_establishments_of_this_campaign_are_on_the_map(personas, public, campaign):
    shown = listed(campaign, personas.a, personas.a.owner, trade_name="Validé")
    for status in ("pending", "changes_requested", "rejected", "withdrawn"):
        listed(campaign, personas.a, personas.a.owner, trade_name=status, status=status)
    listed(cafe_campaign(personas.a, slug="autre"), personas.a, personas.a.owner, trade_name="Autre campagne")
    assert [row[0] for row in public.get(MARKERS).json()["markers"]] == [shown.establishment.pk]


def test_an_establishment_without_a_position_is_left_out(personas, public, campaign):
    listed(campaign, personas.a, personas.a.owner, latitude=None, longitude=None)
    assert public.get(MARKERS).json()["markers"] == []


def test_the_markers_are_compressed_for_clients_that_accept_gzip(personas, public, campaign):
    for n in range(40):
        listed(campaign, personas.a, personas.a.owner, trade_name=f"Café {n:02d}")
    response = public.get(MARKERS, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    data = json.loads(gzip.decompress(response.content))
    assert len(data["markers"]) == 40
    plain = public.get(MARKERS)
    assert len(response.content) < len(plain.content) / 2


def test_the_markers_may_be_cached_briefly_by_anyone(public, campaign):
    cache_control = public.get(MARKERS)["Cache-Control"]
    assert "public" in cache_control and "max-age=60" in cache_control


def test_the_markers_query_does_not_grow_with_the_establishments(
    personas, public, campaign, django_assert_max_num_queries
):
    for _ in range(60):
        listed(campaign, personas.a, personas.a.owner)
    with django_assert_max_num_queries(6):
        assert len(public.get(MARKERS).json()["markers"]) == 60


def test_markers_of_a_draft_or_of_another_collectivite_are_not_found(personas, client_for, public, campaign):
    cafe_campaign(personas.a, slug="brouillon", status="draft", published_at=None)
    assert public.get("/campagnes/brouillon/carte.json").status_code == 404
    assert client_for(personas.b).get(MARKERS).status_code == 404


def test_markers_refuse_post(public, campaign):
    assert public.post(MARKERS).status_code == 405


def test_names_are_sent_as_data_for_the_script_to_show_as_text(personas, public, campaign):
    listed(campaign, personas.a, personas.a.owner, trade_name="<img src=x onerror=alert(1)>")
    assert public.get(MARKERS).json()["markers"][0][3] == "<img src=x onerror=alert(1)>"
    # map.js puts it in a link with textContent and in the marker's title, never as HTML.


# The page ----------------------------------------------------------------------------------------


def test_the_map_page_links_to_the_accessible_list(public, campaign):
    response = public.get(MAP)
    assert response.status_code == 200
    assert 'href="/campagnes/cafe-solidaire/etablissements/"' in response.content.decode()


def test_the_map_page_says_what_to_do_without_javascript(public, campaign):
    page = page_text(public.get(MAP))
    assert "<noscript>" in page
    assert translated("The map needs JavaScript. Use the list of establishments instead.") in page


def test_the_map_page_has_a_status_message_for_tiles_that_cannot_load(public, campaign):
    page = page_text(public.get(MAP))
    assert 'id="map-status" role="status"' in page
    assert translated("The map background could not be loaded; the establishments are still shown.") in page
    assert 'data-markers="/campagnes/cafe-solidaire/carte.json"' in page


def test_the_tiles_are_configurable(settings, public, campaign):
    settings.SOLIDAIRE_MAP_TILES_URL = "https://tiles.grandest.fr/{z}/{x}/{y}.png"
    settings.SOLIDAIRE_MAP_ATTRIBUTION = "© Région Grand Est"
    page = page_text(public.get(MAP))
    assert 'data-tiles="https://tiles.grandest.fr/{z}/{x}/{y}.png"' in page
    assert 'data-attribution="© Région Grand Est"' in page


def test_the_map_page_does_not_list_the_markers_itself(personas, public, campaign):
    """Thousands of establishments: the page stays light, markers come from the JSON endpoint."""
    for n in range(30):
        listed(campaign, personas.a, personas.a.owner, trade_name=f"Café {n:02d}")
    assert "Café 29" not in public.get(MAP).content.decode()


def test_the_map_of_another_collectivites_campaign_is_not_found(personas, client_for, campaign):
    assert client_for(personas.b).get(MAP).status_code == 404


def test_the_directory_links_to_the_map(public, campaign):
    assert (
        'href="/campagnes/cafe-solidaire/carte/"'
        in public.get("/campagnes/cafe-solidaire/etablissements/").content.decode()
    )
