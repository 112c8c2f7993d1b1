"""Item 22 of issue 10: five Grand Est communes had their latitude copied into their longitude
(cafés shown in Asia). The corrected list is shipped, every position is checked on import against
France's territories, and what is in a commune without a position is placed at its département's
centre, marked approximate — on the map and on the establishment’s page."""

import csv
import io
import logging
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from solidaire.beneficiaries.directory import markers
from solidaire.beneficiaries.models import Establishment, PositionSource, Registration
from solidaire.geo import loader
from solidaire.geo.geocoding import commune_centre
from solidaire.geo.models import Commune, Departement
from solidaire.geo.positions import METROPOLITAN, OVERSEAS, is_in_territory

from ..beneficiaries.helpers import EstablishmentFactory, cafe_campaign, form_data, page_url, register_url

pytestmark = pytest.mark.django_db

# Published with the latitude copied into the longitude (and Solore-en-Forez, Lanester: "nan").
SHOWN_IN_ASIA = {"55180": 49.20747, "55266": 49.16691, "55541": 48.82255, "57073": 49.12705, "88513": 48.34066}


def listed(campaign, side, owner, **kwargs) -> Registration:
    """An establishment of `owner` approved in `campaign`."""
    establishment = EstablishmentFactory(collectivite=side.tenant, owner=owner, **kwargs)
    now = timezone.now()
    return Registration.objects.create(
        campaign=campaign,
        establishment=establishment,
        legal_identifier=establishment.legal_identifier,
        status="approved",
        terms_accepted_at=now,
        submitted_at=now,
        approved_at=now,
    )


def _row(code, departement, latitude, longitude):
    return {"insee_code": code, "department_code": departement, "latitude": latitude, "longitude": longitude}


def test_no_commune_of_the_shipped_list_is_outside_its_territory():
    positioned = Commune.objects.exclude(latitude=None).values_list("departement_id", "latitude", "longitude")
    assert positioned.count() > 34_000
    assert all(is_in_territory(d, lat, lon) for d, lat, lon in positioned)
    assert set(Commune.objects.filter(pk__in=SHOWN_IN_ASIA, latitude=None).values_list("pk", flat=True)) == set(
        SHOWN_IN_ASIA
    )
    # What the correction left: a minus sign lost in Guadeloupe and in Brittany.
    assert Commune.objects.get(pk="97102").latitude is None  # Anse-Bertrand, longitude +61.5
    assert Commune.objects.get(pk="56034").latitude is None  # Carnac, longitude +3.08
    assert Commune.objects.get(pk="67482").latitude == pytest.approx(48.58, abs=0.05)  # Strasbourg stays


def test_a_position_outside_its_territory_is_refused():
    positions, refused = loader.checked_positions(
        [
            _row("55180", "55", "49.20747", "49.20747"),  # latitude copied into longitude
            _row("55181", "55", "49.1", "5.3"),
            _row("42084", "42", "nan", "nan"),
            _row("56098", "56", "", ""),  # no position published: not a refusal
            _row("97102", "971", "16.47209", "61.50881"),  # minus sign lost
            _row("97209", "972", "14.6", "-61.07"),  # Fort-de-France
            _row("97411", "974", "-20.88", "55.45"),  # Saint-Denis de La Réunion
            _row("2A004", "2A", "41.92", "8.74"),  # Ajaccio, Corsica is metropolitan France
            _row("97209", "972", "48.6", "7.7"),  # Martinique's code with a position in Alsace
        ]
    )
    assert positions["55181"] == (49.1, 5.3) and positions["2A004"] == (41.92, 8.74)
    assert positions["97411"] == (-20.88, 55.45)
    assert positions["55180"] is None and positions["42084"] is None and positions["56098"] is None
    assert positions["97102"] is None and positions["97209"] is None
    assert refused == ["42084", "55180", "97102", "97209"]


def test_a_metropolitan_position_far_from_the_rest_of_its_departement_is_refused():
    rows = [_row(f"5600{i}", "56", "47.7", f"-2.{i}") for i in range(1, 6)] + [_row("56034", "56", "47.58", "3.08")]
    positions, refused = loader.checked_positions(rows)
    assert refused == ["56034"] and positions["56001"] == (47.7, -2.1)


def test_every_territory_has_a_box_and_each_departement_a_centre_inside_it():
    centres = {d.code: (d.latitude, d.longitude) for d in Departement.objects.all()}
    assert all(centre[0] is not None for centre in centres.values()), [c for c, p in centres.items() if p[0] is None]
    for code, (latitude, longitude) in centres.items():
        assert is_in_territory(code, latitude, longitude), code
    assert set(OVERSEAS) == {c for c in centres if c.startswith("97") or c.startswith("98")}
    assert METROPOLITAN.contains(*centres["55"])


def test_an_impossible_position_is_reported_by_a_warning_on_import(tmp_path, caplog):
    for name in ("regions-fr.csv", "departements-fr.csv"):
        shutil.copy(loader.DATA_DIR / name, tmp_path / name)
    with open(tmp_path / "communes-fr.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["insee_code", "name", "postal_codes", "department_code", "region_code", "population"]
            + ["latitude", "longitude"]
        )
        writer.writerow(["55180", "Esnes-en-Argonne", "55100", "55", "44", "135", "49.20747", "49.20747"])
    with caplog.at_level(logging.WARNING, logger="solidaire.geo.loader"):
        result = loader.load_reference_data(data_dir=Path(tmp_path))
    assert result["updated"] == 0 and result["added"] == 0  # already without a position
    Commune.objects.filter(pk="55180").update(name="Esnes")
    with caplog.at_level(logging.WARNING, logger="solidaire.geo.loader"):
        result = loader.load_reference_data(data_dir=Path(tmp_path))
    assert result["updated"] == 1
    assert "impossible position" in caplog.text and "55180" in caplog.text
    assert Commune.objects.get(pk="55180").latitude is None


def test_a_commune_without_a_position_gives_its_departements_centre_marked_approximate():
    esnes = Commune.objects.select_related("departement").get(pk="55180")
    position = commune_centre(esnes)
    meuse = Departement.objects.get(pk="55")
    assert (position.latitude, position.longitude) == (meuse.latitude, meuse.longitude)
    assert position.approximate and position.source == "departement"
    assert not commune_centre(Commune.objects.get(pk="67482")).approximate


def test_reloading_the_corrected_list_brings_back_the_cafes_shown_in_asia(personas):
    """A database loaded from the former list: the commune at (49.2, 49.2), a café placed there.
    `migrate` (or `reload-communes`) corrects the commune and moves the café."""
    campaign = cafe_campaign(personas.a)
    Commune.objects.filter(pk="55180").update(latitude=49.20747, longitude=49.20747)
    asia = listed(campaign, personas.a, personas.a.owner, commune=Commune.objects.get(pk="55180"))
    precise = listed(campaign, personas.a, personas.a.owner)  # Strasbourg, untouched
    precise_position = (precise.establishment.latitude, precise.establishment.longitude)
    output = io.StringIO()
    call_command("reload-communes", stdout=output)
    assert "Communes added: 0, corrected: 1" in output.getvalue()
    moved = Establishment.objects.get(pk=asia.establishment_id)
    meuse = Departement.objects.get(pk="55")
    assert (moved.latitude, moved.longitude) == (meuse.latitude, meuse.longitude)
    assert moved.position_source == PositionSource.DEPARTEMENT and moved.position_is_approximate
    assert Commune.objects.get(pk="55180").longitude is None
    still = Establishment.objects.get(pk=precise.establishment_id)
    assert (still.latitude, still.longitude) == precise_position and not still.position_is_approximate


def test_an_establishment_in_a_commune_without_a_position_is_on_the_map_marked_approximate(
    personas, client_for, django_capture_on_commit_callbacks
):
    campaign = cafe_campaign(personas.a)
    Commune.objects.filter(pk="67482").update(latitude=None, longitude=None)  # Strasbourg, unknown
    client = client_for(personas.a, personas.a.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(campaign), form_data())
    assert response.status_code == 302
    establishment = Establishment.objects.get(owner=personas.a.owner)
    bas_rhin = Departement.objects.get(pk="67")
    assert (establishment.latitude, establishment.longitude) == (bas_rhin.latitude, bas_rhin.longitude)
    assert establishment.position_source == PositionSource.DEPARTEMENT
    registration = establishment.registrations.get()
    type(registration).objects.filter(pk=registration.pk).update(status="approved")
    other = listed(campaign, personas.a, personas.a.donor, commune=Commune.objects.get(pk="67180"))
    rows = {row[0]: row for row in markers(campaign)}
    assert rows[establishment.pk][4:] == [1] and rows[other.establishment_id][4:] == []
    # French once the catalogue is translated ("position approximative"), English until then.
    page = client_for(personas.a).get(page_url(registration)).content.decode()
    assert "approximate position" in page or "position approximative" in page
    assert "approxim" not in client_for(personas.a).get(page_url(other)).content.decode()
    the_map = client_for(personas.a).get(f"/campagnes/{campaign.slug}/carte/").content.decode()
    assert 'data-approximate="' in the_map
