"""The SEPA credit-transfer file made when a batch is approved: valid against the ISO 20022 schema
of the version the collectivité’s bank asks for (pain.001.001.09 or .03), and saying exactly what
the frozen lines say — count, total, each beneficiary’s IBAN, amount and end-to-end id — from the
collectivité’s own account. A file that would not pass the schema refuses the approval."""

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from defusedxml import ElementTree

from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError
from solidaire.payouts import actions
from solidaire.payouts.models import BatchStatus, DocumentKind, PainVersion

from ..gifts import approved_registration, give

SCHEMAS = Path(sepaxml.__file__).parent / "schemas"


@pytest.fixture
def prepared(personas, cafe, finance, bank_account):
    """A batch of the public match for two beneficiaries (15 € and 7 €), waiting for approval."""
    bar = approved_registration(cafe.campaign, name="Bar du Marché")
    give(cafe, 500)
    give(cafe, 1000, email="eve@example.org")
    give(bar, 700)
    return actions.prepare_batch(
        campaign=cafe.campaign, channel="matching", actor=finance[0], decision_reference="D-42"
    )


def euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


@pytest.mark.parametrize("version", PainVersion.values)
def test_the_sepa_file_passes_the_schema_and_says_what_the_lines_say(prepared, finance, bank_account, version):
    bank_account.pain_version = version
    bank_account.save()
    batch = actions.approve_batch(batch=prepared, actor=finance[1])
    document = batch.documents.get(kind=DocumentKind.SEPA)
    content = bytes(document.content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()

    # Valid against the schema of the version asked for (and only that version's namespace).
    xmlschema.XMLSchema(str(SCHEMAS / f"{version}.xsd")).validate(content.decode())
    root = ElementTree.fromstring(content)
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
    assert root.tag == f"{{{ns['p']}}}Document"

    lines = sorted(batch.lines.all(), key=lambda line: line.end_to_end_id)
    assert len(lines) == batch.lines_count == 2
    assert sum(line.amount_cents for line in lines) == batch.total_cents == 2200

    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", ns)
    assert int(header.findtext("p:NbOfTxs", namespaces=ns)) == batch.lines_count
    assert Decimal(header.findtext("p:CtrlSum", namespaces=ns)) == euros(batch.total_cents)
    [payment] = root.findall("p:CstmrCdtTrfInitn/p:PmtInf", ns)
    assert int(payment.findtext("p:NbOfTxs", namespaces=ns)) == batch.lines_count
    assert Decimal(payment.findtext("p:CtrlSum", namespaces=ns)) == euros(batch.total_cents)
    execution = payment.findtext("p:ReqdExctnDt", namespaces=ns) or payment.findtext(
        "p:ReqdExctnDt/p:Dt", namespaces=ns
    )
    assert execution == batch.execution_date.isoformat()

    # From the collectivité’s account, as its settings say.
    assert payment.findtext("p:Dbtr/p:Nm", namespaces=ns) == bank_account.debtor_name
    assert payment.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=ns) == bank_account.iban
    bic = "p:BICFI" if version == PainVersion.V09 else "p:BIC"
    assert payment.findtext(f"p:DbtrAgt/p:FinInstnId/{bic}", namespaces=ns) == bank_account.bic

    found = [
        (
            tx.findtext("p:PmtId/p:EndToEndId", namespaces=ns),
            tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=ns),
            Decimal(tx.findtext("p:Amt/p:InstdAmt", namespaces=ns)),
            tx.find("p:Amt/p:InstdAmt", ns).get("Ccy"),
            tx.findtext("p:Cdtr/p:Nm", namespaces=ns),
        )
        for tx in payment.findall("p:CdtTrfTxInf", ns)
    ]
    assert sorted(found) == [
        (line.end_to_end_id, line.iban, euros(line.amount_cents), "EUR", line.account_holder) for line in lines
    ]


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("iban", "FR76 3000 1007 9412 3456 7890 185", "sepa"),  # as people type it: the schema wants it compact
        ("iban", "NOT-AN-IBAN", "no_account"),  # refused before the file is made
        ("iban", "FR7630001007941234567890186", "no_account"),  # the schema would take it: a wrong check digit
        ("bic", "BDF", "sepa"),
    ],
)
def test_an_account_the_schema_refuses_refuses_the_approval(prepared, finance, bank_account, field, value, code):
    setattr(bank_account, field, value)
    bank_account.save()
    with pytest.raises(ActionError) as refused:
        actions.approve_batch(batch=prepared, actor=finance[1])
    assert refused.value.code == code
    prepared.refresh_from_db()
    assert prepared.status == BatchStatus.PREPARED
    assert prepared.approved_by is None and prepared.approved_at is None
    assert not prepared.documents.exists()
    assert not AuditEvent.objects.filter(action="payout.batch_approved").exists()
    # Once the account is right, the same batch is approved.
    setattr(bank_account, field, {"iban": "FR7630001007941234567890185", "bic": "BDFEFRPPCCT"}[field])
    bank_account.save()
    assert actions.approve_batch(batch=prepared, actor=finance[1]).status == BatchStatus.APPROVED
