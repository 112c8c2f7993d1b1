"""The company register adapter (Recherche d'entreprises, SIRENE): what moderators compare a
registration with. Its answer is parsed from the documented format; a failure never blocks."""

import copy
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from solidaire.beneficiaries.registry import (
    NoRegistry,
    RechercheEntreprisesRegistry,
    RegistryRecord,
    get_registry,
)

from .helpers import SIRET, fake_urlopen, fixture_json

URL = "https://recherche-entreprises.api.gouv.fr/search"
HEAD_OFFICE = "41234567000019"


@pytest.fixture
def payload():
    return fixture_json("recherche-entreprises-search.json")


@pytest.fixture
def registry():
    return RechercheEntreprisesRegistry(URL)


def test_parse_finds_the_establishment_among_the_matching_ones(registry, payload):
    assert registry.parse(payload, SIRET) == RegistryRecord(
        siret=SIRET,
        name="CAFE DES ARTS (LE CAFE DES ARTS)",
        address="12 RUE DES ORFEVRES 67000 STRASBOURG",
        postal_code="67000",
        commune_code="67482",
        commune_name="STRASBOURG",
        activity="56.30Z",
        active=True,
    )


def test_parse_finds_the_head_office(registry, payload):
    record = registry.parse(payload, HEAD_OFFICE)
    assert record.address == "3 RUE DU VIEUX MARCHE AUX POISSONS 67000 STRASBOURG"
    assert record.active


def test_parse_reports_a_closed_establishment(registry, payload):
    closed = copy.deepcopy(payload)
    closed["results"][0]["matching_etablissements"][0]["etat_administratif"] = "F"
    assert registry.parse(closed, SIRET).active is False


def test_parse_returns_none_for_an_unknown_siret_or_an_empty_answer(registry, payload):
    assert registry.parse(payload, "73282932000074") is None
    assert registry.parse({"results": [], "total_results": 0}, SIRET) is None
    assert registry.parse({}, SIRET) is None


def test_parse_falls_back_to_the_legal_name_and_the_units_activity(registry, payload):
    unit = payload["results"][0]
    del unit["nom_complet"]
    del unit["matching_etablissements"][0]["activite_principale"]
    record = registry.parse(payload, SIRET)
    assert record.name == "CAFE DES ARTS"
    assert record.activity == "56.30Z"


def test_the_request_asks_for_the_siret(registry):
    url = registry.request_url(SIRET)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == URL
    assert parse_qs(parts.query) == {"q": [SIRET], "page": ["1"], "per_page": ["1"]}


def test_lookup_asks_the_api_once_and_keeps_the_answer_a_day(monkeypatch, registry, payload):
    calls = []
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(payload, calls=calls))
    assert registry.lookup(SIRET).name == "CAFE DES ARTS (LE CAFE DES ARTS)"
    assert registry.lookup(SIRET).name == "CAFE DES ARTS (LE CAFE DES ARTS)"
    assert calls == [registry.request_url(SIRET)]


def test_an_unknown_siret_is_remembered_as_unknown(monkeypatch, registry, payload):
    calls = []
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(payload, calls=calls))
    assert registry.lookup("73282932000074") is None
    assert registry.lookup("73282932000074") is None
    assert len(calls) == 1


@pytest.mark.parametrize("error", [OSError("network unreachable"), TimeoutError("timed out")])
def test_a_network_failure_gives_no_record_and_is_retried_next_time(monkeypatch, registry, payload, error):
    calls = []
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(error=error, calls=calls))
    assert registry.lookup(SIRET) is None
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen(payload, calls=calls))
    assert registry.lookup(SIRET).siret == SIRET
    assert len(calls) == 2


def test_an_answer_that_is_not_json_gives_no_record(monkeypatch, registry):
    import io

    monkeypatch.setattr("urllib.request.urlopen", lambda request, timeout=None: io.BytesIO(b"<html>502</html>"))
    assert registry.lookup(SIRET) is None


def test_the_register_is_off_unless_configured(settings):
    settings.SOLIDAIRE_SIRET_REGISTRY = "none"
    assert isinstance(get_registry(), NoRegistry)
    assert get_registry().lookup(SIRET) is None
    settings.SOLIDAIRE_SIRET_REGISTRY = "recherche-entreprises"
    settings.SOLIDAIRE_SIRET_REGISTRY_URL = "https://registry.example/search"
    configured = get_registry()
    assert isinstance(configured, RechercheEntreprisesRegistry)
    assert configured.base_url == "https://registry.example/search"


def test_the_fixture_is_in_the_documented_format(payload):
    """Keeps the fixture honest: the fields the adapter reads, where the API puts them."""
    unit = payload["results"][0]
    assert {"siren", "nom_complet", "siege", "matching_etablissements"} <= set(unit)
    for etab in [unit["siege"], *unit["matching_etablissements"]]:
        assert {"siret", "adresse", "code_postal", "commune", "libelle_commune", "etat_administratif"} <= set(etab)
        assert etab["siret"].startswith(unit["siren"])
    json.dumps(payload)
