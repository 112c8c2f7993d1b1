"""The open-data file of a campaign (/campagnes/<slug>/subventions.csv): the public match each
beneficiary received, one row per beneficiary, in the SCDL "Subventions" schema 2.1.1 shipped in
solidaire/opendata/schemas/ — validated here with frictionless, the amounts checked against the
journal, refunds taken off, licence and last update sent with the file."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from frictionless import Resource, Schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solidaire.beneficiaries.models import Establishment
from solidaire.ledger.models import AccountKind, Posting
from solidaire.opendata import scdl

from ..donations.helpers import refund
from ..factories import CampaignFactory
from ..gifts import approved_registration, give
from .conftest import SIRET_A

pytestmark = pytest.mark.django_db


def url(campaign) -> str:
    return reverse("opendata:subventions_csv", args=[campaign.slug])


def download(client, campaign):
    response = client.get(url(campaign))
    assert response.status_code == 200, response.status_code
    return response


def parse(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def validate(text: str, tmp_path):
    """The file as frictionless reads it, against the shipped Table Schema."""
    path = tmp_path / "subventions.csv"
    path.write_bytes(text.encode("utf-8"))
    schema = Schema.from_descriptor(json.loads(scdl.SCHEMA_FILE.read_text(encoding="utf-8")))
    return Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()


def journal_match(registration) -> Decimal:
    """The public match of a beneficiary as the journal has it, in euros."""
    cents = sum(
        Posting.objects.filter(
            account__kind=AccountKind.CAMPAIGN_MATCHING, entry__gift__registration=registration
        ).values_list("amount_cents", flat=True)
    )
    return Decimal(cents) / 100


def test_the_file_validates_against_the_scdl_schema(personas, client_for, cafe, bar, tmp_path):
    give(cafe, 500, email="one@example.org")
    give(bar, 1000, email="two@example.org")
    response = download(client_for(personas.a), cafe.campaign)
    report = validate(response.content.decode("utf-8"), tmp_path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 2


def test_a_broken_row_fails_the_validation(personas, client_for, cafe, tmp_path):
    """The validation can fail: a match written with a decimal comma is not a number."""
    give(cafe, 500)
    text = download(client_for(personas.a), cafe.campaign).content.decode("utf-8").replace("5.00", "5,00")
    assert not validate(text, tmp_path).valid


def test_header_row_and_values(personas, client_for, campaign, cafe):
    give(cafe, 700, email="one@example.org")
    response = download(client_for(personas.a), campaign)
    text = response.content.decode("utf-8")
    assert text.splitlines()[0] == ",".join(scdl.columns())
    assert scdl.columns()[:6] == [
        "nomAttribuant",
        "idAttribuant",
        "dateConvention",
        "referenceDecision",
        "nomBeneficiaire",
        "idBeneficiaire",
    ]
    (row,) = parse(response)
    establishment = cafe.establishment
    assert row == {
        "nomAttribuant": "Région Grand Est",
        "idAttribuant": SIRET_A,
        "dateConvention": "2020-11-20",
        "referenceDecision": "Délibération CP-2020-118",
        "nomBeneficiaire": establishment.legal_name,
        "idBeneficiaire": establishment.siret,
        "rnaBeneficiaire": "",
        "objet": "Abondement public des dons de la campagne « Café Solidaire »",
        "montant": "7.00",
        "nature": "aide en numéraire",
        "conditionsVersement": "échelonné",
        "datesPeriodeVersement": scdl.period(campaign),
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1.00",
        "dispositifAide": "",
    }


def test_utf8_comma_separated_with_licence_and_last_update(personas, client_for, cafe):
    give(cafe, 500)
    response = download(client_for(personas.a), cafe.campaign)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert 'rel="license"' in response["Link"] and scdl.LICENCE_URL in response["Link"]
    assert 'rel="describedby"' in response["Link"] and scdl.SCHEMA_URL in response["Link"]
    assert response["Last-Modified"]
    response.content.decode("utf-8")  # strict
    assert not response.content.startswith(b"\xef\xbb\xbf")


def test_amounts_equal_the_journal_and_refunds_reduce_them(personas, client_for, campaign, cafe, bar):
    first = give(cafe, 1000, email="one@example.org")
    give(cafe, 500, email="two@example.org")
    give(bar, 300, email="three@example.org")
    refund(first, amount_cents=400)  # a partial refund takes back 4 € of the match
    rows = {
        row["nomBeneficiaire"]: Decimal(row["montant"]) for row in parse(download(client_for(personas.a), campaign))
    }
    assert rows[cafe.establishment.legal_name] == journal_match(cafe) == Decimal("11.00")
    assert rows[bar.establishment.legal_name] == journal_match(bar) == Decimal("3.00")


def test_a_beneficiary_whose_match_was_all_refunded_has_no_row(personas, client_for, campaign, cafe, bar):
    refund(give(cafe, 500))
    give(bar, 500)
    names = [row["nomBeneficiaire"] for row in parse(download(client_for(personas.a), campaign))]
    assert names == [bar.establishment.legal_name]


def test_an_association_is_identified_by_its_rna(personas, client_for, campaign, tmp_path):
    association = approved_registration(campaign, name="Les Amis du Zinc")
    Establishment.objects.filter(pk=association.establishment_id).update(siret="", rna="W672001234")
    give(association, 500)
    response = download(client_for(personas.a), campaign)
    (row,) = parse(response)
    assert (row["idBeneficiaire"], row["rnaBeneficiaire"]) == ("", "W672001234")
    assert validate(response.content.decode("utf-8"), tmp_path).valid


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    history=st.lists(
        st.tuples(st.integers(0, 1), st.integers(3, 10), st.integers(0, 100)),
        min_size=1,
        max_size=5,
    )
)
def test_any_history_of_gifts_and_refunds_matches_the_journal(personas, client_for, history):
    """Random gifts to two beneficiaries, some refunded in part: each row's amount is the
    journal's, and the rows add up to the public money the campaign used."""
    tenant = personas.a.tenant
    tenant.siret = SIRET_A
    tenant.save(update_fields=["siret"])
    campaign = CampaignFactory(collectivite=tenant, decision_date="2020-11-20")
    beneficiaries = [approved_registration(campaign), approved_registration(campaign)]
    for n, (which, euros, refunded_percent) in enumerate(history):
        gift = give(beneficiaries[which], euros * 100, email=f"donor{n}@example.org")
        cents = euros * refunded_percent  # euros × 100 × percent / 100
        if cents:
            refund(gift, amount_cents=cents)
    rows = {row["idBeneficiaire"]: Decimal(row["montant"]) for row in parse(download(client_for(personas.a), campaign))}
    for registration in beneficiaries:
        expected = journal_match(registration)
        assert rows.get(registration.establishment.siret, Decimal(0)) == expected
    used = -sum(
        Posting.objects.filter(account__kind=AccountKind.CAMPAIGN_MATCHING, account__campaign=campaign).values_list(
            "amount_cents", flat=True
        )
    )
    assert sum(rows.values()) == Decimal(-used) / 100


def test_drafts_and_other_collectivites_campaigns_answer_404(personas, client_for, campaign):
    draft = CampaignFactory(collectivite=personas.a.tenant, status="draft", decision_date="2020-11-20")
    theirs = CampaignFactory(collectivite=personas.b.tenant, decision_date="2020-11-20")
    client = client_for(personas.a)
    assert client.get(url(draft)).status_code == 404
    assert client.get(url(theirs)).status_code == 404
    assert client.get(url(campaign)).status_code == 200


@pytest.mark.parametrize("lacking", ["siret", "decision_date"])
def test_without_the_siret_or_the_decision_date_there_is_no_file(personas, client_for, campaign, cafe, lacking):
    give(cafe, 500)
    if lacking == "siret":
        personas.a.tenant.siret = ""
        personas.a.tenant.save(update_fields=["siret"])
    else:
        campaign.decision_date = None
        campaign.save(update_fields=["decision_date"])
    assert client_for(personas.a).get(url(campaign)).status_code == 404


def test_without_a_decision_reference_the_file_is_still_valid(personas, client_for, campaign, cafe, tmp_path):
    campaign.decision_reference = ""
    campaign.save(update_fields=["decision_reference"])
    give(cafe, 500)
    response = download(client_for(personas.a), campaign)
    assert parse(response)[0]["referenceDecision"] == ""
    assert validate(response.content.decode("utf-8"), tmp_path).valid


def test_no_donor_appears_in_the_file(personas, client_for, cafe):
    give(cafe, 500, email="jeanne.martin@example.org", donor_name="Jeanne Martin", public_message="Tenez bon !")
    text = download(client_for(personas.a), cafe.campaign).content.decode("utf-8")
    for secret in ("Jeanne", "Martin", "jeanne.martin", "Tenez bon"):
        assert secret not in text
