"""`solidaire payouts …`: the whole cycle from the shell, through the same write paths as the
pages — what is owed, a batch prepared by one finance officer and approved by the other, its
files exported as approved, sent, paid by hand and from the bank’s statement — and what it
refuses: the preparer approving, anyone not in the collectivité’s finance team, unknown names."""

import csv
import hashlib
import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from defusedxml import ElementTree
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import gettext

from solidaire.audit.models import AuditEvent
from solidaire.ledger.checks import check_all
from solidaire.payouts.models import Batch, BatchStatus, DocumentKind, LineStatus, StatementImport
from solidaire.payouts.owed import owed, position

from ..factories import MembershipFactory, UserFactory
from ..gifts import approved_registration, give
from .conftest import current_code
from .test_camt import debit, statement

TENANT = ("--tenant", "grand-est")
CAMPAIGN = ("--campaign", "cafe-solidaire")


def run(*args) -> str:
    out = io.StringIO()
    call_command("payouts", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def run_json(*args):
    return json.loads(run(*args, "--json"))


@pytest.fixture
def owed_now(personas, cafe):
    """Café de la Gare owed 15 € of public match and the Bar du Marché 7 €; two more wait apart:
    one without a valid IBAN, one whose payments a moderator held back."""
    bar = approved_registration(cafe.campaign, name="Bar du Marché")
    no_iban = approved_registration(cafe.campaign, name="Tabac sans IBAN")
    held = approved_registration(cafe.campaign, name="Café suspendu")
    give(cafe, 500)
    give(cafe, 1000, email="eve@example.org")
    give(bar, 700)
    give(no_iban, 300)
    give(held, 400)
    no_iban.establishment.iban = "FR7630006000011234567890180"  # a wrong check digit
    no_iban.establishment.save(update_fields=["iban"])
    held.payouts_suspended_at = timezone.now()
    held.save(update_fields=["payouts_suspended_at"])
    return cafe, bar, no_iban, held


def test_owed_as_json(owed_now):
    cafe, bar, no_iban, held = owed_now
    result = run_json("owed", *TENANT, *CAMPAIGN)
    assert result["total_cents"] == 2200
    assert {line["establishment_id"]: line["amount_cents"] for line in result["lines"]} == {
        cafe.establishment_id: 1500,
        bar.establishment_id: 700,
    }
    [line] = [line for line in result["lines"] if line["establishment_id"] == cafe.establishment_id]
    assert line["legal_name"] == cafe.establishment.legal_name
    assert line["iban"] == "FR7630006000011234567890189"
    assert line["channel"] == "matching"
    assert {line["establishment_id"]: (line["amount_cents"], line["reasons"]) for line in result["apart"]} == {
        no_iban.establishment_id: (300, ["invalid_iban"]),
        held.establishment_id: (400, ["suspended"]),
    }
    # The gifts channel: what the journal owes for gifts, the same as the pages say.
    gifts = run_json("owed", *TENANT, *CAMPAIGN, "--channel", "gifts")
    expected = [item for item in owed(cafe.campaign, "gifts", cutoff=timezone.now()) if not item.apart]
    assert gifts["total_cents"] == sum(item.amount_cents for item in expected) > 0
    assert {line["channel"] for line in gifts["lines"]} == {"gifts"}


def test_owed_as_text_lists_who_waits_and_why(owed_now):
    cafe, bar, no_iban, held = owed_now
    text = run("owed", *TENANT, *CAMPAIGN)
    assert "2 line(s), 2200 c" in text
    payable, apart = text.split("Apart")
    assert f"#{cafe.establishment_id}" in payable and f"#{bar.establishment_id}" in payable
    assert f"#{no_iban.establishment_id}" in apart and "no valid IBAN" in apart
    assert f"#{held.establishment_id}" in apart and "held back" in apart
    assert f"#{cafe.establishment_id}" not in apart


def test_the_whole_cycle(personas, owed_now, finance, bank_account, tmp_path):
    cafe, bar, _no_iban, _held = owed_now
    fiona, tristan = finance

    created = run_json("create", *TENANT, *CAMPAIGN, "--by", fiona.email, "--channel", "match", "--decision", "CP-42")
    batch = Batch.objects.get(pk=created["id"])
    assert created["total_cents"] == batch.total_cents == 2200
    assert created["lines"] == batch.lines_count == 2
    assert (batch.channel, batch.prepared_by, batch.decision_reference) == ("matching", fiona, "CP-42")
    assert run_json("owed", *TENANT, *CAMPAIGN)["lines"] == []  # all of it is in the batch now

    # Not approved yet: nothing to export.
    with pytest.raises(CommandError, match="approve"):
        run("export", batch.pk, "--format", "sepa", "--output", tmp_path / "early.xml")
    assert not (tmp_path / "early.xml").exists()

    # Four eyes: the preparer cannot approve; nothing changes.
    with pytest.raises(CommandError) as refused:
        run("approve", batch.pk, "--by", fiona.email)
    assert str(refused.value) == gettext("A batch is approved by someone other than the person who prepared it.")
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == (BatchStatus.PREPARED, None)
    assert not batch.documents.exists()

    text = run("approve", batch.pk, "--by", tristan.email, *TENANT, "--code", current_code(tristan))
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == (BatchStatus.APPROVED, tristan)
    assert batch.documents.count() == 4
    assert all(document.sha256 in text for document in batch.documents.all())

    lines = {line.registration_id: line for line in batch.lines.all()}
    for kind in DocumentKind.values:
        path = tmp_path / f"batch.{kind}"
        printed = run("export", batch.pk, "--format", kind, "--output", path, "--by", tristan.email)
        content = path.read_bytes()
        assert content == bytes(batch.documents.get(kind=kind).content)
        assert printed.split()[0] == hashlib.sha256(content).hexdigest()
        if kind == "sepa":
            root = ElementTree.fromstring(content)
            assert root.find(".//{*}GrpHdr/{*}NbOfTxs").text == "2"
            assert {e.text for e in root.iter() if e.tag.endswith("EndToEndId")} == {
                line.end_to_end_id for line in lines.values()
            }
        elif kind == "csv":
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
            references = {row[-1] for row in rows if row}
            assert {line.end_to_end_id for line in lines.values()} <= references
            assert any(row[:1] == [cafe.establishment.legal_name] and "15" in row[5] for row in rows)
        elif kind == "xlsx":
            assert content[:2] == b"PK"
        else:
            assert content[:5] == b"%PDF-"
    exports = AuditEvent.objects.filter(action="payout.batch_exported", object_id=str(batch.pk))
    assert sorted(event.data["kind"] for event in exports) == sorted(DocumentKind.values)
    assert all(event.data["via"] == "cli" and event.actor == tristan for event in exports)
    assert {event.data["sha256"] for event in exports} == set(batch.documents.values_list("sha256", flat=True))

    run("mark-sent", batch.pk, "--by", fiona.email)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT and batch.sent_by == fiona

    text = run("mark-paid", batch.pk, "--by", fiona.email, "--line", lines[cafe.pk].pk)
    assert "1 line(s)" in text and lines[cafe.pk].end_to_end_id in text
    assert dict(batch.lines.values_list("registration_id", "status")) == {
        cafe.pk: LineStatus.PAID,
        bar.pk: LineStatus.PENDING,
    }

    # The bank’s statement pays the bar's line (and says the café's was paid before).
    camt = tmp_path / "releve.xml"
    camt.write_bytes(statement([debit(lines[cafe.pk]), debit(lines[bar.pk])], iban=bank_account.iban))
    text = run("import-camt", camt, *TENANT, "--by", fiona.email)
    assert f"matched: 1  {lines[bar.pk].end_to_end_id}" in text
    assert f"already paid: 1  {lines[cafe.pk].end_to_end_id}" in text
    assert "failed: 0" in text and "unmatched: 0" in text
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SETTLED
    assert position(cafe).paid["matching"] == 1500 and position(bar).paid["matching"] == 700
    # The same file again is refused.
    with pytest.raises(CommandError):
        run("import-camt", camt, *TENANT, "--by", fiona.email)
    assert StatementImport.objects.count() == 1
    assert check_all() == []


def test_a_batch_by_its_reference_and_cancelled(personas, owed_now, finance):
    fiona, tristan = finance
    batch = Batch.objects.get(pk=run_json("create", *TENANT, *CAMPAIGN, "--by", fiona.email)["id"])
    with pytest.raises(CommandError, match="--tenant"):
        run("cancel", batch.reference, "--by", tristan.email)
    run("cancel", batch.reference, *TENANT, "--by", tristan.email)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED
    assert run_json("owed", *TENANT, *CAMPAIGN)["total_cents"] == 2200  # owed again


def test_mark_paid_refuses_a_line_of_another_batch_and_before_sending(personas, owed_now, finance, bank_account):
    fiona, tristan = finance
    batch = Batch.objects.get(pk=run_json("create", *TENANT, *CAMPAIGN, "--by", fiona.email)["id"])
    run("approve", batch.pk, "--by", tristan.email, "--code", current_code(tristan))
    line = batch.lines.first()
    with pytest.raises(CommandError, match="no line"):
        run("mark-paid", batch.pk, "--by", fiona.email, "--line", "VRS-1999-0001-00001")
    with pytest.raises(CommandError) as refused:  # not sent yet: the action's own rule
        run("mark-paid", batch.pk, "--by", fiona.email, "--line", line.end_to_end_id)
    assert str(refused.value) == gettext("Lines can be marked paid only once their batch has been sent to the bank.")
    assert not batch.lines.filter(status=LineStatus.PAID).exists()


def test_by_must_be_an_active_finance_member_of_the_collectivite(personas, owed_now, finance, bank_account):
    fiona, tristan = finance
    inactive = UserFactory(email="ines@grand-est.example", is_active=False)
    MembershipFactory(user=inactive, collectivite=personas.a.tenant, role="finance")
    refused = {
        personas.a.viewer.email: "not an administrator or finance officer",
        personas.a.moderator.email: "not an administrator or finance officer",
        personas.outsider.email: "not an administrator or finance officer",
        personas.b.finance.email: "not an administrator or finance officer",  # finance, of Metz
        inactive.email: "no active user",
        "nobody@example.org": "no active user",
    }
    for email, why in refused.items():
        with pytest.raises(CommandError, match=why):
            run("create", *TENANT, *CAMPAIGN, "--by", email)
    assert not Batch.objects.exists()

    # An administrator may (the finance capability); then only the collectivité’s own approve it.
    batch = Batch.objects.get(pk=run_json("create", *TENANT, *CAMPAIGN, "--by", personas.a.admin.email)["id"])
    for email in (personas.b.finance.email, personas.b.admin.email, personas.a.viewer.email):
        with pytest.raises(CommandError, match="not an administrator or finance officer"):
            run("approve", batch.pk, "--by", email)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREPARED


def test_unknown_names_are_refused_clearly(personas, owed_now, finance):
    fiona, _tristan = finance
    with pytest.raises(CommandError, match="no collectivité with the short name 'atlantis'"):
        run("owed", "--tenant", "atlantis", *CAMPAIGN)
    with pytest.raises(CommandError, match="no campaign with the short name 'nope' in Région Grand Est"):
        run("create", *TENANT, "--campaign", "nope", "--by", fiona.email)
    # Metz has no such campaign: campaigns are looked up within the collectivité.
    with pytest.raises(CommandError, match="no campaign with the short name 'cafe-solidaire' in Ville de Metz"):
        run("owed", "--tenant", "metz", *CAMPAIGN)
    batch = Batch.objects.get(pk=run_json("create", *TENANT, *CAMPAIGN, "--by", fiona.email)["id"])
    with pytest.raises(CommandError, match=f"no payout batch {batch.pk} in Ville de Metz"):
        run("approve", batch.pk, "--tenant", "metz", "--by", personas.b.finance.email)
    with pytest.raises(CommandError, match="no payout batch 999999"):
        run("approve", 999999, "--by", fiona.email)
    with pytest.raises(CommandError, match="--cutoff"):
        run("owed", *TENANT, *CAMPAIGN, "--cutoff", "31/05/2026")
    with pytest.raises(CommandError):  # argparse: not one of the formats
        run("export", batch.pk, "--format", "docx", "--output", "x")


def test_the_rules_of_the_action_come_back_as_errors(personas, owed_now, finance):
    fiona, _tristan = finance
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    with pytest.raises(CommandError) as refused:
        run("create", *TENANT, *CAMPAIGN, "--by", fiona.email, "--cutoff", tomorrow)
    assert str(refused.value) == "--cutoff: " + gettext("The cut-off date cannot be in the future.")
    # Up to a day before anything was given: nobody to pay.
    with pytest.raises(CommandError) as refused:
        run("create", *TENANT, *CAMPAIGN, "--by", fiona.email, "--cutoff", "2020-01-01")
    assert str(refused.value) == gettext("Nobody can be paid in this campaign up to this date.")
    assert not Batch.objects.exists()
    # Today counts up to now.
    created = run_json("create", *TENANT, *CAMPAIGN, "--by", fiona.email, "--cutoff", timezone.localdate().isoformat())
    assert created["total_cents"] == 2200


def test_the_console_script_lists_the_subcommands():
    script = Path(sys.executable).parent / "solidaire"
    done = subprocess.run(  # noqa: S603 - our own console script on a fixed argument list
        [str(script), "payouts", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    for name in ("owed", "create", "approve", "export", "mark-sent", "mark-paid", "import-camt"):
        assert name in done.stdout


def test_approving_asks_for_two_factor_as_the_setting_says(personas, owed_now, finance, bank_account, settings):
    fiona, _tristan = finance
    alice = personas.a.admin  # an administrator without two-factor authentication
    batch = Batch.objects.get(pk=run_json("create", *TENANT, *CAMPAIGN, "--by", fiona.email)["id"])
    settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA = True
    with pytest.raises(CommandError) as refused:
        run("approve", batch.pk, "--by", alice.email)
    assert str(refused.value) == gettext("Switch on two-factor authentication before approving a payment.")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREPARED
    settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA = False
    run("approve", batch.pk, "--by", alice.email)
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == (BatchStatus.APPROVED, alice)


def test_approving_needs_a_current_code_of_the_approvers_authenticator(personas, owed_now, finance, bank_account):
    fiona, tristan = finance
    batch = Batch.objects.get(pk=run_json("create", *TENANT, *CAMPAIGN, "--by", fiona.email)["id"])
    wrong = f"{(int(current_code(tristan)) + 1) % 1000000:06d}"
    for code in ([], ["--code", wrong]):
        with pytest.raises(CommandError, match="--code"):
            run("approve", batch.pk, "--by", tristan.email, *code)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREPARED
    code = current_code(tristan)
    run("approve", batch.pk, "--by", tristan.email, "--code", code)
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == (BatchStatus.APPROVED, tristan)
