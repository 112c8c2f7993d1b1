"""Loads the shipped CSV files into the geo tables. Runs after `migrate` (and after a test
database flush) and only does work when the table does not already hold this version."""

import csv
from pathlib import Path

from django.db import transaction

from .text import fold

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _float(value: str):
    return float(value) if value else None


@transaction.atomic
def load_reference_data(using: str = "default") -> int:
    """Inserts whatever régions, départements and communes are missing; returns how many
    communes were added."""
    from .models import Commune, Departement, Region

    communes = list(_rows("communes-fr.csv"))
    if Commune.objects.using(using).count() == len(communes):
        return 0
    regions = [Region(code=r["region_code"], name=r["name"]) for r in _rows("regions-fr.csv")]
    Region.objects.using(using).bulk_create(regions, ignore_conflicts=True)
    departements = [
        Departement(code=d["department_code"], name=d["name"], region_id=d["region_code"])
        for d in _rows("departements-fr.csv")
    ]
    Departement.objects.using(using).bulk_create(departements, ignore_conflicts=True)
    known = set(Commune.objects.using(using).values_list("insee_code", flat=True))
    missing = [
        Commune(
            insee_code=c["insee_code"],
            name=c["name"],
            search_name=fold(c["name"]),
            postal_codes=c["postal_codes"],
            departement_id=c["department_code"],
            population=int(c["population"] or 0),
            latitude=_float(c["latitude"]),
            longitude=_float(c["longitude"]),
        )
        for c in communes
        if c["insee_code"] not in known
    ]
    Commune.objects.using(using).bulk_create(missing, batch_size=2000)
    return len(missing)


def load_after_migrate(sender, using="default", **kwargs):
    load_reference_data(using=using)
