"""The bank’s account statement (ISO 20022 camt.053, versions .02 to .13) read to mark payout
lines paid: each booked debit names the transfer by its end-to-end id; one that matches a line
still to be paid, for the same amount, marks it paid; a returned transfer (a credit with return
information) marks its line failed with the bank’s reason. Anything else is listed with why,
never guessed. A statement is imported once (by its SHA-256). Parsed with defusedxml: the file
comes from outside."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.core.errors import ActionError

from .actions import mark_failed, mark_paid
from .models import BatchStatus, Line, LineStatus, PayoutSettings, StatementImport

MAX_BYTES = 10 * 1024 * 1024
# Why an entry of the statement was not matched, in words.
WHY = {
    "not_booked": _("Not booked yet by the bank"),
    "unknown_reference": _("No payment of this collectivité has this reference"),
    "no_reference": _("The bank gave no end-to-end reference"),
    "amount_differs": _("The amount differs from the payment’s"),
    "not_a_transfer": _("Money received, not a transfer made"),
    "returned_paid": _("Returned after the payment was marked paid: check with the bank"),
    "returned_failed": _("Returned, and the payment is already marked failed"),
    "returned_cancelled": _("Returned, but its batch was cancelled"),
    "returned_pending": _("Returned, but the payment’s batch is not marked sent yet"),
    "line_failed": _("The payment is marked failed"),
    "line_cancelled": _("The payment’s batch was cancelled"),
    "line_not_sent": _("The payment’s batch is not marked sent yet"),
}


@dataclass(frozen=True)
class Transaction:
    reference: str  # the end-to-end id ("" when the bank gave none)
    amount_cents: int
    direction: str  # "DBIT" (a transfer left), "CRDT" (money came in: a return, when it says so)
    booked: bool
    returned: str = ""  # the return reason code, for a returned transfer


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, *path):
    for name in path:
        if element is None:
            return None
        element = next((child for child in element if _local(child.tag) == name), None)
    return element


def _children(element, name):
    return [child for child in element if _local(child.tag) == name] if element is not None else []


def _text(element, *path) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _cents(element) -> int:
    if element is None:
        raise ValueError("no amount")
    if element.get("Ccy", "EUR") != "EUR":
        raise ValueError("not in euros")
    value = Decimal((element.text or "").strip())
    cents = value * 100
    if cents != cents.to_integral_value() or cents < 0:
        raise ValueError("not an amount in cents")
    return int(cents)


def parse(content: bytes) -> tuple[str, list[Transaction]]:
    """(the account's IBAN, its transactions) or ValueError."""
    try:
        root = ElementTree.fromstring(content)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ValueError("not XML") from exc
    if _local(root.tag) != "Document" or "camt.053" not in root.tag:
        raise ValueError("not camt.053")
    statement_root = _child(root, "BkToCstmrStmt")
    statements = _children(statement_root, "Stmt")
    if not statements:
        raise ValueError("no statement")
    ibans, found = set(), []
    for statement in statements:
        ibans.add(_text(statement, "Acct", "Id", "IBAN").replace(" ", "").upper())
        for entry in _children(statement, "Ntry"):
            status = _text(entry, "Sts", "Cd") or _text(entry, "Sts")
            direction = _text(entry, "CdtDbtInd")
            details = [tx for d in _children(entry, "NtryDtls") for tx in _children(d, "TxDtls")]
            entry_cents = _cents(_child(entry, "Amt"))
            if not details:
                found.append(Transaction("", entry_cents, direction, status == "BOOK"))
                continue
            for tx in details:
                # Not `or`: an element without children is falsy, however much it holds.
                amount = _child(tx, "Amt")
                if amount is None:
                    amount = _child(tx, "AmtDtls", "TxAmt", "Amt")
                cents = _cents(amount) if amount is not None else (entry_cents if len(details) == 1 else None)
                if cents is None:
                    raise ValueError("a transaction without its amount")
                found.append(
                    Transaction(
                        reference=_text(tx, "Refs", "EndToEndId"),
                        amount_cents=cents,
                        direction=_text(tx, "CdtDbtInd") or direction,
                        booked=status == "BOOK",
                        returned=_text(tx, "RtrInf", "Rsn", "Cd")
                        or ("RETURN" if _child(tx, "RtrInf") is not None else ""),
                    )
                )
    if len(ibans) != 1:
        raise ValueError("several accounts")
    return ibans.pop(), found


def _unmatched(tx: Transaction, why: str) -> dict:
    return {"reference": tx.reference, "amount_cents": tx.amount_cents, "direction": tx.direction, "why": why}


@transaction.atomic
def import_statement(*, collectivite, file_name: str, content: bytes, actor) -> StatementImport:
    """Marks paid (or failed, for returns) the lines the statement names; refuses a statement of
    another account, or one imported before."""
    if len(content) > MAX_BYTES:
        raise ActionError(_("The statement is too large (10 MB at most)."), field="file")
    try:
        iban, transactions = parse(content)
    except (ValueError, InvalidOperation) as exc:
        raise ActionError(_("This file is not a camt.053 bank statement that can be read."), field="file") from exc
    account = PayoutSettings.objects.filter(collectivite=collectivite).first()
    if account is None or account.iban.replace(" ", "").upper() != iban:
        raise ActionError(
            _("This statement is of the account %(iban)s, not of the collectivité’s payout account.") % {"iban": iban},
            field="file",
        )
    sha256 = hashlib.sha256(content).hexdigest()
    earlier = StatementImport.objects.filter(collectivite=collectivite, sha256=sha256).first()
    if earlier is not None:
        raise ActionError(
            _("This statement was imported already, on %(date)s.") % {"date": earlier.imported_at.date().isoformat()},
            field="file",
            code="duplicate",
        )
    references = {tx.reference for tx in transactions if tx.reference}
    lines = {
        line.end_to_end_id: line
        for line in Line.objects.filter(batch__collectivite=collectivite, end_to_end_id__in=references).select_related(
            "batch"
        )
    }
    to_pay, matched, already_paid, unmatched, failed, seen = defaultdict(list), [], [], [], [], set()
    for tx in transactions:
        line = lines.get(tx.reference)
        if not tx.booked:
            unmatched.append(_unmatched(tx, "not_booked"))
        elif line is None:
            unmatched.append(_unmatched(tx, "unknown_reference" if tx.reference else "no_reference"))
        elif tx.amount_cents != line.amount_cents:
            unmatched.append(_unmatched(tx, "amount_differs"))
        elif tx.direction == "CRDT" and tx.returned:
            if line.end_to_end_id in matched:  # sent and returned in the same statement: it failed
                to_pay[line.batch].remove(line)
                matched.remove(line.end_to_end_id)
                seen.discard(line.pk)
            if line.status == LineStatus.PENDING and line.batch.status == BatchStatus.SENT and line.pk not in seen:
                mark_failed(
                    line=line, actor=actor, reason=gettext("Returned by the bank (%(code)s)") % {"code": tx.returned}
                )
                failed.append(line.end_to_end_id)
                seen.add(line.pk)
            else:
                unmatched.append(_unmatched(tx, "returned_" + line.status))
        elif tx.direction != "DBIT":
            unmatched.append(_unmatched(tx, "not_a_transfer"))
        elif line.end_to_end_id in failed:  # the transfer whose return this statement booked first
            unmatched.append(_unmatched(tx, "line_failed"))
        elif line.pk in seen or line.status == LineStatus.PAID:
            already_paid.append(line.end_to_end_id)
        elif line.status != LineStatus.PENDING or line.batch.status != BatchStatus.SENT:
            unmatched.append(
                _unmatched(tx, "line_" + (line.status if line.status != LineStatus.PENDING else "not_sent"))
            )
        else:
            to_pay[line.batch].append(line)
            matched.append(line.end_to_end_id)
            seen.add(line.pk)
    for batch, batch_lines in to_pay.items():
        mark_paid(batch=batch, actor=actor, lines=batch_lines)
    try:
        with transaction.atomic():
            imported = StatementImport.objects.create(
                collectivite=collectivite,
                file_name=file_name[:200],
                sha256=sha256,
                imported_by=actor,
                matched=matched,
                already_paid=already_paid,
                unmatched=unmatched,
                failed=failed,
            )
    except IntegrityError as exc:  # the same file, imported at the same moment by someone else
        raise ActionError(_("This statement was imported already."), field="file", code="duplicate") from exc
    record(
        collectivite=collectivite,
        actor=actor,
        action="payout.statement_imported",
        obj=imported,
        label=f"{imported.file_name} — {len(matched)} / {len(transactions)}",
        data={
            "matched": len(matched),
            "failed": len(failed),
            "already_paid": len(already_paid),
            "unmatched": len(unmatched),
        },
    )
    return imported
