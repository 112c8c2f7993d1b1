"""Positions on the map: the commune's centre by default; the national address API (BAN) gives a
precise position when configured and reachable, never required. Geocoding runs as a background
task after a registration or an address change."""

import copy

import pytest

from solidaire.beneficiaries.models import Establishment
from solidaire.beneficiaries.tasks import geocode_establishment
from solidaire.geo.geocoding import BanGeocoder, CommuneCentreGeocoder, Position, commune_centre, get_geocoder

from .helpers import STRASBOURG, EstablishmentFactory, cafe_campaign, commune, fake_urlopen, fixture_json, form_data

pytestmark = pytest.mark.django_db

URL = "https://api-adresse.data.gouv.fr/search/"


@pytest.fixture
def payload():
    return fixture_json("api-adresse-search.json")


@pytest.fixture
def geocoder():
    return BanGeocoder(URL)


@pytest.fixture
def strasbourg():
    return commune(STRASBOURG)


# The adapter -------------------------------------------------------------------------------------


def test_parse_reads_longitude_then_latitude(geocoder, payload, strasbourg):
    assert geocoder.parse(payload, strasbourg) == Position(48.581826, 7.748812, "geocoder")


def test_a_result_in_another_commune_is_ignored(geocoder, payload):
    assert geocoder.parse(payload, commune("68066")) is None


def test_a_result_with_a_low_score_is_ignored(geocoder, payload, strasbourg):
    unsure = copy.deepcopy(payload)
    unsure["features"][0]["properties"]["score"] = 0.31
    assert geocoder.parse(unsure, strasbourg) is None


def test_the_first_acceptable_feature_wins(geocoder, payload, strasbourg):
    wrong_city = copy.deepcopy(payload["features"][0])
    wrong_city["properties"]["citycode"] = "67218"
    wrong_city["geometry"]["coordinates"] = [7.0, 48.0]
    several = {**payload, "features": [wrong_city, payload["features"][0]]}
    assert geocoder.parse(several, strasbourg).latitude == 48.581826


@pytest.mark.parametrize(
    "answer",
    [{}, {"type": "FeatureCollection", "features": []}, {"features": [{"properties": {"citycode": STRASBOURG}}]}],
)
def test_an_empty_or_malformed_answer_gives_no_position(geocoder, strasbourg, answer):
    assert geocoder.parse(answer, strasbourg) is None


def test_the_request_narrows_the_search_to_the_commune_and_postcode(geocoder, strasbourg):
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(geocoder.request_url("12 rue des Orfèvres", strasbourg, "67000")).query)
    assert query == {
        "q": ["12 rue des Orfèvres 67000 Strasbourg"],
        "citycode": [STRASBOURG],
        "postcode": ["67000"],
        "limit": ["1"],
    }


def test_geocode_asks_the_api(monkeypatch, geocoder, payload, strasbourg):
    calls = []
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(payload, calls=calls))
    assert geocoder.geocode("12 rue des Orfèvres", strasbourg, "67000").source == "geocoder"
    assert calls == [geocoder.request_url("12 rue des Orfèvres", strasbourg, "67000")]


@pytest.mark.parametrize("error", [OSError("no route to host"), TimeoutError()])
def test_when_the_api_cannot_be_reached_there_is_no_position(monkeypatch, geocoder, strasbourg, error):
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(error=error))
    assert geocoder.geocode("12 rue des Orfèvres", strasbourg, "67000") is None


def test_offline_installs_use_the_commune_centre(settings, strasbourg):
    settings.SOLIDAIRE_GEOCODER = "none"
    assert isinstance(get_geocoder(), CommuneCentreGeocoder)
    assert get_geocoder().geocode("12 rue des Orfèvres", strasbourg) is None
    assert commune_centre(strasbourg) == Position(strasbourg.latitude, strasbourg.longitude, "commune")
    settings.SOLIDAIRE_GEOCODER = "ban"
    assert isinstance(get_geocoder(), BanGeocoder)


# The task ---------------------------------------------------------------------------------------


class FixedGeocoder:
    def __init__(self, position):
        self.position = position
        self.asked = []

    def geocode(self, address, commune, postal_code=""):
        self.asked.append((address, commune.insee_code, postal_code))
        return self.position


def test_the_task_stores_the_precise_position(monkeypatch, personas):
    establishment = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner)
    geocoder = FixedGeocoder(Position(48.58, 7.75, "geocoder"))
    monkeypatch.setattr("solidaire.beneficiaries.tasks.get_geocoder", lambda: geocoder)

    geocode_establishment(establishment.pk)

    establishment = Establishment.objects.get(pk=establishment.pk)
    assert (establishment.latitude, establishment.longitude, establishment.position_source) == (
        48.58,
        7.75,
        "geocoder",
    )
    assert geocoder.asked == [("1 place de la Gare", STRASBOURG, "67000")]


def test_the_task_keeps_the_commune_centre_when_the_geocoder_has_nothing(monkeypatch, personas, strasbourg):
    establishment = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner)
    monkeypatch.setattr("solidaire.beneficiaries.tasks.get_geocoder", lambda: FixedGeocoder(None))
    geocode_establishment(establishment.pk)
    establishment = Establishment.objects.get(pk=establishment.pk)
    assert (establishment.latitude, establishment.longitude) == (strasbourg.latitude, strasbourg.longitude)
    assert establishment.position_source == "commune"


def test_the_task_keeps_the_commune_centre_when_the_api_is_unreachable(monkeypatch, settings, personas, strasbourg):
    settings.SOLIDAIRE_GEOCODER = "ban"
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(error=OSError("offline")))
    establishment = EstablishmentFactory(collectivite=personas.a.tenant, owner=personas.a.owner)
    geocode_establishment(establishment.pk)
    establishment = Establishment.objects.get(pk=establishment.pk)
    assert (establishment.latitude, establishment.longitude, establishment.position_source) == (
        strasbourg.latitude,
        strasbourg.longitude,
        "commune",
    )


def test_the_task_does_nothing_for_an_establishment_that_no_longer_exists(monkeypatch):
    geocoder = FixedGeocoder(Position(1.0, 2.0, "geocoder"))
    monkeypatch.setattr("solidaire.beneficiaries.tasks.get_geocoder", lambda: geocoder)
    geocode_establishment(999_999)
    assert geocoder.asked == []


def test_a_registration_is_geocoded_once_saved(
    monkeypatch, personas, client_for, payload, settings, django_capture_on_commit_callbacks
):
    settings.SOLIDAIRE_GEOCODER = "ban"
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(payload))
    campaign = cafe_campaign(personas.a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.a, personas.a.owner).post(
            f"/mon-espace/inscription/{campaign.slug}/", form_data()
        )
    assert response.status_code == 302
    establishment = Establishment.objects.get()
    assert (establishment.latitude, establishment.longitude, establishment.position_source) == (
        48.581826,
        7.748812,
        "geocoder",
    )


def test_registration_does_not_wait_for_an_unreachable_api(
    monkeypatch, personas, client_for, settings, strasbourg, django_capture_on_commit_callbacks
):
    settings.SOLIDAIRE_GEOCODER = "ban"
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(error=OSError("offline")))
    campaign = cafe_campaign(personas.a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.a, personas.a.owner).post(
            f"/mon-espace/inscription/{campaign.slug}/", form_data()
        )
    assert response.status_code == 302
    establishment = Establishment.objects.get()
    assert (establishment.latitude, establishment.longitude) == (strasbourg.latitude, strasbourg.longitude)
