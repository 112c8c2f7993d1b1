"""Loads the shipped CSV files into the geo tables. Runs after every `migrate` (and after a test
database flush): it inserts what is missing and corrects what changed, so that a corrected list
shipped with a new version reaches existing databases (`solidaire reload-communes` does the same
without migrating).

Every published position is checked (positions.py): an impossible one is dropped with a warning
and the commune counts as having no position. Each département gets a centre, the mean of its
communes' positions, where what has no better position is placed (marked approximate)."""

import csv
import logging
import math
import statistics
from collections import defaultdict
from pathlib import Path

from django.db import transaction
from django.dispatch import Signal

from .positions import CHEFS_LIEUX, MAX_KM_FROM_DEPARTEMENT, OVERSEAS, is_in_territory, km_between
from .text import fold

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"

# Sent when positions changed in a database that already held communes: `communes` lists the
# INSEE codes of the communes whose position — or, for those without one, whose département's
# centre — changed; `using` names the database. Packages that copied a commune's position (the
# establishments) move what they placed there.
positions_changed = Signal()


def _rows(data_dir: Path, name: str):
    with open(data_dir / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _float(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def checked_positions(communes: list[dict]) -> tuple[dict, list[str]]:
    """{INSEE code: (latitude, longitude) or None} and the codes whose published position was
    refused: outside the territory of its département, or (metropolitan France) further from the
    middle of its département's communes than any commune can be."""
    positions, refused = {}, []
    for row in communes:
        code = row["insee_code"]
        latitude, longitude = _float(row["latitude"]), _float(row["longitude"])
        if is_in_territory(row["department_code"], latitude, longitude):
            positions[code] = (round(latitude, 5), round(longitude, 5))
        else:
            positions[code] = None
            if (row["latitude"] or "").strip() or (row["longitude"] or "").strip():
                refused.append(code)
    by_departement = defaultdict(list)
    for row in communes:
        if positions[row["insee_code"]] is not None and row["department_code"] not in OVERSEAS:
            by_departement[row["department_code"]].append(row["insee_code"])
    for codes in by_departement.values():
        middle = (
            statistics.median(positions[c][0] for c in codes),
            statistics.median(positions[c][1] for c in codes),
        )
        for code in codes:
            if km_between(positions[code], middle) > MAX_KM_FROM_DEPARTEMENT:
                positions[code] = None
                refused.append(code)
    return positions, sorted(refused)


def departement_centres(communes: list[dict], positions: dict) -> dict:
    """{département code: (latitude, longitude) or None}: the mean of its communes' positions, else
    the chef-lieu of an overseas collectivité whose communes have none."""
    points = defaultdict(list)
    for row in communes:
        if positions[row["insee_code"]] is not None:
            points[row["department_code"]].append(positions[row["insee_code"]])
    centres = {}
    for code in {row["department_code"] for row in communes} | set(CHEFS_LIEUX):
        if points[code]:
            centres[code] = (
                round(statistics.fmean(p[0] for p in points[code]), 5),
                round(statistics.fmean(p[1] for p in points[code]), 5),
            )
        else:
            centres[code] = CHEFS_LIEUX.get(code)
    return centres


# Compared with the list on every load; search_name follows name.
COMMUNE_FIELDS = ("name", "postal_codes", "departement_id", "population", "latitude", "longitude")


@transaction.atomic
def load_reference_data(using: str = "default", data_dir: Path | None = None) -> dict:
    """Inserts the missing régions, départements and communes and corrects those that changed.
    Returns {"added": n, "updated": n, "moved": [INSEE codes whose position changed]}."""
    from .models import Commune, Departement, Region

    data_dir = data_dir or DATA_DIR
    communes = list(_rows(data_dir, "communes-fr.csv"))
    positions, refused = checked_positions(communes)
    centres = departement_centres(communes, positions)

    Region.objects.using(using).bulk_create(
        [Region(code=r["region_code"], name=r["name"]) for r in _rows(data_dir, "regions-fr.csv")],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name"],
    )
    former_centres = {
        code: (lat, lon) if lat is not None else None
        for code, lat, lon in Departement.objects.using(using).values_list("code", "latitude", "longitude")
    }
    Departement.objects.using(using).bulk_create(
        [
            Departement(
                code=d["department_code"],
                name=d["name"],
                region_id=d["region_code"],
                latitude=(centres.get(d["department_code"]) or (None, None))[0],
                longitude=(centres.get(d["department_code"]) or (None, None))[1],
            )
            for d in _rows(data_dir, "departements-fr.csv")
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "region", "latitude", "longitude"],
    )
    recentred = {code for code, centre in centres.items() if code in former_centres and former_centres[code] != centre}

    existing = {
        row[0]: row[1:] for row in Commune.objects.using(using).values_list("insee_code", *COMMUNE_FIELDS).iterator()
    }
    missing, changed, moved = [], [], []
    for row in communes:
        code = row["insee_code"]
        latitude, longitude = positions[code] or (None, None)
        values = (
            row["name"],
            row["postal_codes"],
            row["department_code"],
            int(row["population"] or 0),
            latitude,
            longitude,
        )
        former = existing.get(code)
        if former == values:
            if latitude is None and row["department_code"] in recentred:
                moved.append(code)
            continue
        commune = Commune(
            insee_code=code, search_name=fold(row["name"]), **dict(zip(COMMUNE_FIELDS, values, strict=True))
        )
        if former is None:
            missing.append(commune)
            continue
        changed.append(commune)
        if former[-2:] != values[-2:] or (latitude is None and row["department_code"] in recentred):
            moved.append(code)
    Commune.objects.using(using).bulk_create(missing, batch_size=2000)
    Commune.objects.using(using).bulk_update(changed, [*COMMUNE_FIELDS, "search_name"], batch_size=1000)
    if (missing or changed) and refused:
        logger.warning(
            "%d communes have an impossible position in communes-fr.csv and are treated as having none "
            "(what is there is placed at the centre of its département, marked approximate): %s",
            len(refused),
            ", ".join(refused),
        )
    if moved:
        positions_changed.send(sender=Commune, communes=moved, using=using)
    return {"added": len(missing), "updated": len(changed), "moved": moved}


def load_after_migrate(sender, using="default", **kwargs):
    load_reference_data(using=using)
