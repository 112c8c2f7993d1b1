"""Importing the bank’s camt.053 statement (solidaire.payouts.camt): a booked debit naming a line
by its end-to-end id, for its amount, marks it paid; a return marks it failed and its money owed
again; everything else is listed with why and nothing guessed; a file is imported once, only for
the collectivité’s own account, and read safely (no entity expansion). The statements are written
here, as banks send them (camt.053.001.02 and .08)."""

import itertools

import pytest
from django.utils import timezone

from solidaire.core.errors import ActionError
from solidaire.ledger.checks import check_all
from solidaire.payouts import actions
from solidaire.payouts.camt import import_statement, parse
from solidaire.payouts.models import BatchStatus, LineStatus, StatementImport
from solidaire.payouts.owed import owed, position

from ..gifts import approved_registration, give

_ids = itertools.count(1)


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def tx(e2e: str, cents: int, *, version: str = "02", direction: str = "", returned: str = "") -> str:
    """One TxDtls: .02 gives the amount in AmtDtls only; .08 as its own Amt (and the direction)."""
    amount = (
        f'<Amt Ccy="EUR">{money(cents)}</Amt>'
        if version == "08"
        else f'<AmtDtls><TxAmt><Amt Ccy="EUR">{money(cents)}</Amt></TxAmt></AmtDtls>'
    )
    side = f"<CdtDbtInd>{direction}</CdtDbtInd>" if direction and version == "08" else ""
    refs = f"<Refs><EndToEndId>{e2e}</EndToEndId></Refs>" if e2e else "<Refs><AcctSvcrRef>BANK-REF</AcctSvcrRef></Refs>"
    back = f"<RtrInf><Rsn><Cd>{returned}</Cd></Rsn><AddtlInf>Compte clos</AddtlInf></RtrInf>" if returned else ""
    return f"<TxDtls>{refs}{amount}{side}{back}</TxDtls>"


def entry(cents: int, details: list[str], *, direction: str = "DBIT", status: str = "BOOK", version: str = "02") -> str:
    sts = f"<Sts><Cd>{status}</Cd></Sts>" if version == "08" else f"<Sts>{status}</Sts>"
    family = "RRTN" if direction == "CRDT" else "ESCT"
    return (
        f'<Ntry><Amt Ccy="EUR">{money(cents)}</Amt><CdtDbtInd>{direction}</CdtDbtInd>{sts}'
        "<BookgDt><Dt>2026-06-02</Dt></BookgDt><ValDt><Dt>2026-06-02</Dt></ValDt>"
        f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>{family}</SubFmlyCd></Fmly></Domn></BkTxCd>"
        f"<NtryDtls>{''.join(details)}</NtryDtls></Ntry>"
    )


def debit(line, cents: int | None = None, *, version: str = "02") -> str:
    """The bank’s booking of one transfer of the batch."""
    cents = line.amount_cents if cents is None else cents
    return entry(cents, [tx(line.end_to_end_id, cents, version=version, direction="DBIT")], version=version)


def returned(line, reason: str = "AC04", *, version: str = "02") -> str:
    """The transfer coming back (the beneficiary’s bank refused it): a credit with return info."""
    detail = tx(line.end_to_end_id, line.amount_cents, version=version, direction="CRDT", returned=reason)
    return entry(line.amount_cents, [detail], direction="CRDT", version=version)


def statement(entries: list[str], *, iban: str, version: str = "02") -> bytes:
    """A whole camt.053.001.<version> statement; each one different (its message id)."""
    n = next(_ids)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-{n:06d}</MsgId><CreDtTm>2026-06-02T08:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-{n:06d}-1</Id>
      <ElctrncSeqNb>{n}</ElctrncSeqNb>
      <CreDtTm>2026-06-02T08:00:00</CreDtTm>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100000.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-01</Dt></Dt></Bal>
      {"".join(entries)}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


@pytest.fixture
def sent(personas, cafe, finance, bank_account):
    """A batch of two lines (Café de la Gare 15 €, a bar 7 €) approved and sent to the bank."""
    bar = approved_registration(cafe.campaign, name="Bar du Marché")
    give(cafe, 500)
    give(cafe, 1000, email="eve@example.org")
    give(bar, 700)
    preparer, approver = finance
    batch = actions.prepare_batch(campaign=cafe.campaign, channel="matching", actor=preparer)
    actions.approve_batch(batch=batch, actor=approver)
    actions.mark_sent(batch=batch, actor=preparer)
    lines = {line.registration_id: line for line in batch.lines.all()}
    return batch, lines[cafe.pk], lines[bar.pk]


def load(personas, finance, content: bytes, name: str = "releve.xml") -> StatementImport:
    return import_statement(collectivite=personas.a.tenant, file_name=name, content=content, actor=finance[0])


def statuses(batch) -> dict[str, str]:
    return dict(batch.lines.values_list("end_to_end_id", "status"))


def test_a_booked_debit_with_the_lines_reference_and_amount_marks_it_paid(personas, finance, bank_account, sent):
    batch, cafe_line, bar_line = sent
    imported = load(personas, finance, statement([debit(cafe_line)], iban=bank_account.iban))
    assert imported.matched == [cafe_line.end_to_end_id]
    assert imported.unmatched == [] and imported.failed == [] and imported.already_paid == []
    assert statuses(batch) == {cafe_line.end_to_end_id: LineStatus.PAID, bar_line.end_to_end_id: LineStatus.PENDING}
    assert position(cafe_line.registration).paid["matching"] == 1500
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT  # the bar is still to be paid
    assert check_all() == []


def test_the_last_line_paid_settles_the_batch_and_a_later_statement_says_already_paid(
    personas, finance, bank_account, sent
):
    batch, cafe_line, bar_line = sent
    load(personas, finance, statement([debit(cafe_line), debit(bar_line)], iban=bank_account.iban))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SETTLED
    again = load(personas, finance, statement([debit(bar_line)], iban=bank_account.iban), "releve-2.xml")
    assert again.matched == [] and again.already_paid == [bar_line.end_to_end_id]
    assert check_all() == []


def test_an_entry_with_an_unknown_reference_is_listed_and_pays_nothing(personas, finance, bank_account, sent):
    batch, cafe_line, bar_line = sent
    stranger = entry(1500, [tx("VRS-1999-0001-00001", 1500)])
    no_reference = entry(700, [tx("", 700)])
    imported = load(personas, finance, statement([stranger, no_reference], iban=bank_account.iban))
    assert imported.matched == []
    assert [(u["reference"], u["amount_cents"], u["why"]) for u in imported.unmatched] == [
        ("VRS-1999-0001-00001", 1500, "unknown_reference"),
        ("", 700, "no_reference"),
    ]
    assert set(statuses(batch).values()) == {LineStatus.PENDING}


def test_an_amount_that_differs_is_not_paid(personas, finance, bank_account, sent):
    batch, cafe_line, _bar_line = sent
    imported = load(personas, finance, statement([debit(cafe_line, 1499)], iban=bank_account.iban))
    assert imported.matched == []
    assert imported.unmatched == [
        {"reference": cafe_line.end_to_end_id, "amount_cents": 1499, "direction": "DBIT", "why": "amount_differs"}
    ]
    assert set(statuses(batch).values()) == {LineStatus.PENDING}


def test_pending_entries_and_money_received_are_listed_not_paid(personas, finance, bank_account, sent):
    batch, cafe_line, bar_line = sent
    pending = entry(1500, [tx(cafe_line.end_to_end_id, 1500)], status="PDNG")
    credit = entry(700, [tx(bar_line.end_to_end_id, 700)], direction="CRDT")  # no return information
    imported = load(personas, finance, statement([pending, credit], iban=bank_account.iban))
    assert [u["why"] for u in imported.unmatched] == ["not_booked", "not_a_transfer"]
    assert set(statuses(batch).values()) == {LineStatus.PENDING}


def test_a_statement_is_imported_once(personas, finance, bank_account, sent):
    batch, cafe_line, _bar_line = sent
    content = statement([debit(cafe_line)], iban=bank_account.iban)
    load(personas, finance, content)
    with pytest.raises(ActionError) as refused:
        load(personas, finance, content, "the-same-renamed.xml")
    assert refused.value.code == "duplicate"
    assert StatementImport.objects.filter(collectivite=personas.a.tenant).count() == 1


def test_a_statement_of_another_account_is_refused(personas, finance, bank_account, sent):
    batch, cafe_line, _bar_line = sent
    other = "FR7630004000031234567890143"
    with pytest.raises(ActionError) as refused:
        load(personas, finance, statement([debit(cafe_line)], iban=other))
    assert other in str(refused.value.message)
    assert refused.value.field == "file"
    assert not StatementImport.objects.exists()
    assert set(statuses(batch).values()) == {LineStatus.PENDING}


def test_a_returned_transfer_fails_its_line_and_the_money_is_owed_again(personas, cafe, finance, bank_account, sent):
    batch, cafe_line, bar_line = sent
    assert position(cafe).owed["matching"] == 0
    imported = load(
        personas, finance, statement([returned(cafe_line, "AC04"), debit(bar_line)], iban=bank_account.iban)
    )
    assert imported.failed == [cafe_line.end_to_end_id]
    assert imported.matched == [bar_line.end_to_end_id]
    cafe_line.refresh_from_db()
    assert cafe_line.status == LineStatus.FAILED and "AC04" in cafe_line.failure_reason
    assert position(cafe).owed["matching"] == 1500 and position(cafe).in_batch["matching"] == 0
    [again] = [item for item in owed(cafe.campaign, "matching", cutoff=timezone.now()) if item.registration == cafe]
    assert again.amount_cents == 1500 and not again.apart  # the next batch pays it
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SETTLED  # nothing left to be paid in it
    assert check_all() == []


def test_a_return_after_the_line_was_paid_is_listed_for_a_person_to_check(personas, finance, bank_account, sent):
    batch, cafe_line, _bar_line = sent
    actions.mark_paid(batch=batch, actor=finance[0], lines=[cafe_line])
    imported = load(personas, finance, statement([returned(cafe_line)], iban=bank_account.iban))
    assert imported.failed == [] and [u["why"] for u in imported.unmatched] == ["returned_paid"]
    cafe_line.refresh_from_db()
    assert cafe_line.status == LineStatus.PAID


@pytest.mark.parametrize("debit_first", [True, False], ids=["debit-then-return", "return-then-debit"])
def test_a_transfer_sent_and_returned_in_one_statement_fails(personas, cafe, finance, bank_account, sent, debit_first):
    _batch, cafe_line, _bar_line = sent
    entries = [debit(cafe_line), returned(cafe_line)]
    imported = load(personas, finance, statement(entries if debit_first else entries[::-1], iban=bank_account.iban))
    assert (imported.matched, imported.failed, imported.already_paid) == ([], [cafe_line.end_to_end_id], [])
    cafe_line.refresh_from_db()
    assert cafe_line.status == LineStatus.FAILED
    assert position(cafe).owed["matching"] == 1500
    assert check_all() == []


def test_camt_053_001_08_with_one_booking_for_the_whole_batch(personas, finance, bank_account, sent):
    """Banks often book a batch as one debit with a TxDtls per transfer, each with its own Amt
    (.08 has TxDtls/Amt; AmtDtls is optional)."""
    batch, cafe_line, bar_line = sent
    details = [
        tx(line.end_to_end_id, line.amount_cents, version="08", direction="DBIT") for line in (cafe_line, bar_line)
    ]
    content = statement([entry(2200, details, version="08")], iban=bank_account.iban, version="08")
    assert [(t.reference, t.amount_cents, t.booked) for t in parse(content)[1]] == [
        (cafe_line.end_to_end_id, 1500, True),
        (bar_line.end_to_end_id, 700, True),
    ]
    imported = load(personas, finance, content)
    assert sorted(imported.matched) == sorted([cafe_line.end_to_end_id, bar_line.end_to_end_id])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SETTLED


def test_camt_053_001_08_return(personas, finance, bank_account, sent):
    batch, cafe_line, _bar_line = sent
    imported = load(
        personas, finance, statement([returned(cafe_line, "MS03", version="08")], iban=bank_account.iban, version="08")
    )
    assert imported.failed == [cafe_line.end_to_end_id]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Acct><Id><IBAN>&lol9;</IBAN></Id></Acct></Stmt></BkToCstmrStmt></Document>
"""

# An external entity: a parser that resolved it would put the server's file in the statement.
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY iban SYSTEM "file:///etc/hostname">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Acct><Id><IBAN>&iban;</IBAN></Id></Acct></Stmt></BkToCstmrStmt></Document>
"""


@pytest.mark.parametrize("content", [BOMB, XXE], ids=["billion-laughs", "external-entity"])
def test_entity_expansion_is_refused_without_being_expanded(personas, finance, bank_account, sent, content):
    with pytest.raises(ValueError, match="not XML"):
        parse(content)
    with pytest.raises(ActionError) as refused:
        load(personas, finance, content)
    assert refused.value.field == "file"
    assert not StatementImport.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"not xml at all",
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>',
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>',
    ],
    ids=["text", "a-sepa-file", "no-statement"],
)
def test_what_is_not_a_statement_is_refused(personas, finance, bank_account, content):
    with pytest.raises(ActionError):
        load(personas, finance, content)
    assert not StatementImport.objects.exists()
