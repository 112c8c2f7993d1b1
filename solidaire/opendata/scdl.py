"""The public match of a campaign as open data, in the SCDL "Subventions" schema 2.1.1
(schemas/scdl-subventions-2.1.1.json; docs/adr/0021-open-data-scdl.md maps every column).

One row per beneficiary that received public money: each beneficiary’s match is a subsidy of
its own (`montant`, `pourcentageSubvention` = 1.00), granted by the collectivité (its SIRET) under
the campaign’s decision. The file can be published only once the collectivité has its SIRET and
the campaign its decision date — `missing()` says what is lacking."""

import csv
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .figures import beneficiaries

SCHEMA_VERSION = "2.1.1"
SCHEMA_FILE = Path(__file__).parent / "schemas" / f"scdl-subventions-{SCHEMA_VERSION}.json"
SCHEMA_URL = f"https://gitlab.com/opendatafrance/scdl/subventions/-/raw/v{SCHEMA_VERSION}/schema.json"
SCHEMA_PAGE = f"https://schema.data.gouv.fr/scdl/subventions/{SCHEMA_VERSION}/"
SCHEMA_NAME = "scdl/subventions"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
LICENCE_NAME = "Licence Ouverte / Open Licence 2.0"
LICENCE_ID = "etalab-2.0"

NATURE = "aide en numéraire"
# Beneficiaries are paid in payout batches, as gifts come: several payments over the campaign.
CONDITIONS = "échelonné"
NOT_NOTIFIED = "non"  # the schema's falseValues
RNA = re.compile(r"^W\d{9}$")
OBJET_MAX = 256


@cache
def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def columns() -> list[str]:
    """The header row, in the schema's order."""
    return [f["name"] for f in schema()["fields"]]


@dataclass(frozen=True)
class Missing:
    code: str
    label: str


MISSING = {
    "siret": _("the collectivité’s SIRET (settings of the collectivité)"),
    "decision_date": _("the date of the decision granting the public match (the campaign’s form)"),
}


def missing(campaign) -> list[Missing]:
    """What the collectivité must fill in before the file can be published (the schema requires
    the grantor's SIRET and the date of the agreement)."""
    found = []
    if not campaign.collectivite.siret:
        found.append(Missing("siret", MISSING["siret"]))
    if not campaign.decision_date:
        found.append(Missing("decision_date", MISSING["decision_date"]))
    return found


def _euros(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def _day(moment) -> str:
    return timezone.localtime(moment).date().isoformat()


def period(campaign) -> str:
    """datesPeriodeVersement: the period the public match is earned in, from the opening of
    gifts to their closing (or the day the campaign was closed, if earlier)."""
    end = campaign.ends_at
    if campaign.closed_at and campaign.closed_at < end:
        end = campaign.closed_at
    return f"{_day(campaign.starts_at)}/{_day(max(end, campaign.starts_at))}"


def objet(campaign) -> str:
    return f"Abondement public des dons de la campagne « {campaign.title} »"[:OBJET_MAX]


def rows(campaign) -> list[dict]:
    """The file's rows, as strings keyed by column. Only beneficiaries with a positive match."""
    collectivite = campaign.collectivite
    common = {
        "nomAttribuant": collectivite.name,
        "idAttribuant": collectivite.siret,
        "dateConvention": campaign.decision_date.isoformat() if campaign.decision_date else "",
        "referenceDecision": campaign.decision_reference,
        "objet": objet(campaign),
        "nature": NATURE,
        "conditionsVersement": CONDITIONS,
        "datesPeriodeVersement": period(campaign),
        "idRAE": "",
        "notificationUE": NOT_NOTIFIED,
        "pourcentageSubvention": "1.00",
        "dispositifAide": "",
    }
    found = []
    for beneficiary in sorted(beneficiaries(campaign), key=lambda b: (b.legal_name.casefold(), b.registration_id)):
        if beneficiary.match_cents <= 0:
            continue
        found.append(
            {
                **common,
                "nomBeneficiaire": beneficiary.legal_name or beneficiary.trade_name,
                "idBeneficiaire": beneficiary.siret,
                "rnaBeneficiaire": beneficiary.rna if RNA.match(beneficiary.rna or "") else "",
                "montant": _euros(beneficiary.match_cents),
            }
        )
    return found


def to_csv(campaign) -> str:
    """UTF-8 (the caller encodes), comma-separated, a header row, CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(), extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows(campaign))
    return out.getvalue()


def file_name(campaign) -> str:
    return f"subventions-{campaign.collectivite.slug}-{campaign.slug}.csv"
