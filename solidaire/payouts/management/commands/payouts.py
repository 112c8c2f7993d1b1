"""`solidaire payouts …`: the payout cycle from the server's shell, for IT acting for the finance
team — what is owed, prepare a batch, approve it (another finance officer), export its files, mark
it sent and paid, import the bank’s statement. Every change goes through solidaire.payouts.actions
(or camt.import_statement), the pages' own write paths: same rules, same audit trail. Amounts are
in cents."""

import hashlib
import json
import os
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date

from solidaire.accounts.mfa import has_two_factor, verify_code
from solidaire.accounts.models import Membership, User
from solidaire.accounts.roles import Capability, capabilities_of
from solidaire.audit.events import record
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from solidaire.core.forms import validate_date_range
from solidaire.core.money import format_cents
from solidaire.tenants.models import Collectivite

from ... import actions, camt
from ...camt import WHY
from ...models import Batch, BatchStatus, Channel, DocumentKind
from ...owed import owed

CHANNELS = {"matching": Channel.MATCHING, "match": Channel.MATCHING, "gifts": Channel.GIFTS}
# Why a beneficiary’s money waits (owed.reasons_apart's codes), in words.
APART = {
    "invalid_iban": "no valid IBAN",
    "suspended": "payments held back by a moderator",
    "below_minimum": "below the campaign’s smallest payment",
}
FLAGS = {"cutoff": "--cutoff", "execution_date": "--execution-date", "channel": "--channel", "file": "FILE"}
EXPORTABLE = (BatchStatus.APPROVED, BatchStatus.SENT, BatchStatus.SETTLED)


def _cents(cents: int) -> str:
    return f"{cents} c ({format_cents(cents, 'fr')})"


class Command(BaseCommand):
    help = (
        "Payouts of a campaign: what is owed, batches prepared by one finance officer and approved by "
        "another, their SEPA file and statement, marked sent and paid by hand or from the bank’s camt.053 "
        "statement. Same rules and audit trail as the back office. Amounts are in cents; --by is the e-mail "
        "of an administrator or finance officer of the collectivité, recorded as the one who acted."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", title="subcommands", required=True)

        def command(name, help_text):
            return sub.add_parser(name, help=help_text, description=help_text)

        def tenant(p, required=True):
            p.add_argument(
                "--tenant",
                required=required,
                help="short name (slug) of the collectivité"
                + ("" if required else "; when given, the batch must be one of its batches"),
            )

        def by(p, required=True, what="the person acting, recorded in the audit log"):
            p.add_argument(
                "--by",
                required=required,
                metavar="EMAIL",
                help=f"e-mail of an administrator or finance officer of the collectivité: {what}",
            )

        def batch(p):
            p.add_argument("batch", metavar="BATCH", help="the batch's id, or its reference (VRS-…) with --tenant")
            tenant(p, required=False)

        def as_json(p):
            p.add_argument("--json", action="store_true", help="print JSON instead of text")

        p = command("owed", "What each beneficiary of the campaign is owed now, and who waits apart and why.")
        tenant(p)
        p.add_argument("--campaign", required=True, help="short name (slug) of the campaign in the collectivité")
        p.add_argument("--channel", choices=list(CHANNELS), default="matching", help="public match (default) or gifts")
        p.add_argument("--cutoff", metavar="YYYY-MM-DD", help="count what was earned up to the end of this day")
        as_json(p)

        p = command(
            "create", "Prepare a batch of everything payable (its lines frozen), to be approved by another officer."
        )
        tenant(p)
        p.add_argument("--campaign", required=True, help="short name (slug) of the campaign in the collectivité")
        by(p, what="the one who prepares the batch")
        p.add_argument("--channel", choices=list(CHANNELS), default="matching", help="public match (default) or gifts")
        p.add_argument(
            "--route",
            choices=["bank", "provider"],
            default="bank",
            help="bank: a SEPA file for the accountant (default); provider: transfers by the payment provider "
            "to the beneficiaries' accounts (gifts only, Stripe Connect)",
        )
        p.add_argument(
            "--cutoff", metavar="YYYY-MM-DD", help="pay what was earned up to the end of this day (default: now)"
        )
        p.add_argument(
            "--decision", default="", metavar="TEXT", help="reference of the decision (délibération) paying it"
        )
        p.add_argument(
            "--execution-date", metavar="YYYY-MM-DD", help="requested execution date (default: the next business day)"
        )
        as_json(p)

        p = command("cancel", "Cancel a batch waiting for approval: its money is owed again.")
        batch(p)
        by(p)

        p = command("approve", "Approve a batch (not by the one who prepared it): its files are made and kept.")
        batch(p)
        by(p, what="the second officer, not the one who prepared the batch")
        p.add_argument(
            "--code",
            metavar="CODE",
            help="the current code of the approver's authenticator app (two-factor authentication), "
            "required when SOLIDAIRE_PAYOUTS_REQUIRE_2FA is on, as on the pages",
        )

        p = command("export", "Write a file of an approved batch, as it was approved, and print its SHA-256.")
        batch(p)
        p.add_argument("--format", required=True, choices=DocumentKind.values, help="SEPA transfer file or statement")
        p.add_argument("--output", required=True, metavar="FILE", help="where to write it")
        by(p, required=False, what="who takes the file (recorded in the audit log)")

        p = command("mark-sent", "Mark an approved batch sent to the bank.")
        batch(p)
        by(p)

        p = command("mark-paid", "Mark the lines of a sent batch paid (all still to be paid, or those given).")
        batch(p)
        by(p)
        p.add_argument(
            "--line", action="append", metavar="ID", dest="lines", help="a line's id or end-to-end id (repeatable)"
        )

        p = command("import-camt", "Import the bank’s camt.053 statement: matching transfers paid, returns failed.")
        p.add_argument("file", metavar="FILE", help="the camt.053 XML file")
        tenant(p)
        by(p)
        as_json(p)

    def handle(self, *args, subcommand, **options):
        handler = getattr(self, "do_" + subcommand.replace("-", "_"))
        try:
            handler(options)
        except ActionError as exc:
            flag = FLAGS.get(exc.field or "")
            raise CommandError(f"{flag}: {exc.message}" if flag else str(exc.message)) from exc

    # Looking things up -----------------------------------------------------------------------------

    def tenant(self, slug) -> Collectivite:
        collectivite = Collectivite.objects.filter(slug=slug).first()
        if collectivite is None:
            raise CommandError(f"no collectivité with the short name {slug!r}")
        return collectivite

    def campaign(self, collectivite, slug) -> Campaign:
        campaign = Campaign.objects.filter(collectivite=collectivite, slug=slug).first()
        if campaign is None:
            raise CommandError(f"no campaign with the short name {slug!r} in {collectivite.name} ({collectivite.slug})")
        return campaign

    def officer(self, email, collectivite) -> User:
        """An active user with the finance capability in the collectivité (admin or finance)."""
        user = User.objects.filter(email__iexact=email).first()
        if user is None or not user.is_active:
            raise CommandError(f"--by: no active user with the e-mail {email!r}")
        membership = Membership.objects.filter(user=user, collectivite=collectivite).first()
        if membership is None or Capability.FINANCE not in capabilities_of(membership.role):
            raise CommandError(f"--by: {email} is not an administrator or finance officer of {collectivite.name}")
        return user

    def batch(self, o) -> Batch:
        batches = Batch.objects.select_related("collectivite", "campaign")
        collectivite = self.tenant(o["tenant"]) if o.get("tenant") else None
        if collectivite is not None:
            batches = batches.filter(collectivite=collectivite)
        key = o["batch"].strip()
        if key.isdigit() and int(key) < 2**63:
            found = batches.filter(pk=int(key)).first()
        elif collectivite is not None:
            found = batches.filter(reference=key).first()
        else:
            raise CommandError(f"give the batch's id, or --tenant with its reference {key!r}")
        if found is None:
            raise CommandError(f"no payout batch {key}" + (f" in {collectivite.name}" if collectivite else ""))
        return found

    def day(self, value, flag):
        try:
            day = parse_date(value) if value else None
        except ValueError:  # well formed, but no such day: 2026-02-30
            day = None
        if value and day is None:
            raise CommandError(f"{flag}: give a date as YYYY-MM-DD, not {value!r}")
        try:
            validate_date_range(day)
        except ValidationError as exc:
            raise CommandError(f"{flag}: {exc.messages[0]}") from exc
        return day

    def cutoff(self, value):
        """The end of the day given (in the platform’s time zone); now when it is today."""
        day = self.day(value, "--cutoff")
        if day is None:
            return None
        now = timezone.now()
        if day == timezone.localdate(now):
            return now
        return timezone.make_aware(datetime.combine(day, time.max))

    def out(self, text=""):
        self.stdout.write(text)

    def out_json(self, value):
        self.stdout.write(json.dumps(value, ensure_ascii=False, indent=2))

    # Subcommands -----------------------------------------------------------------------------------

    def do_owed(self, o):
        collectivite = self.tenant(o["tenant"])
        campaign = self.campaign(collectivite, o["campaign"])
        channel = CHANNELS[o["channel"]]
        cutoff = self.cutoff(o["cutoff"]) or timezone.now()
        items = owed(campaign, channel, cutoff=cutoff)

        def row(item):
            establishment = item.registration.establishment
            return {
                "establishment_id": establishment.pk,
                "registration_id": item.registration.pk,
                "legal_name": establishment.legal_name,
                "iban": establishment.iban.replace(" ", "").upper(),
                "gross_cents": item.gross_cents,
                "offset_cents": item.offset_cents,
                "amount_cents": item.amount_cents,
                "gifts_count": item.gifts_count,
                "channel": str(channel),
            }

        payable = [row(item) for item in items if not item.apart]
        apart = [{**row(item), "reasons": list(item.apart)} for item in items if item.apart]
        total = sum(line["amount_cents"] for line in payable)
        if o["json"]:
            self.out_json({"total_cents": total, "lines": payable, "apart": apart})
            return
        what = Channel(channel).label
        self.out(f"{campaign.title} — {what}, up to {timezone.localtime(cutoff):%Y-%m-%d %H:%M}")
        self.out(f"Payable: {len(payable)} line(s), {_cents(total)}")
        for line in payable:
            self.out(
                f"  #{line['establishment_id']}  {line['legal_name']}  {line['iban']}  {_cents(line['amount_cents'])}"
            )
        if apart:
            self.out(f"Apart (not paid by the next batch): {len(apart)}")
            for line in apart:
                why = ", ".join(APART.get(code, code) for code in line["reasons"])
                self.out(
                    f"  #{line['establishment_id']}  {line['legal_name']}  {line['iban']}  "
                    f"{_cents(line['amount_cents'])}  — {why}"
                )

    def do_create(self, o):
        collectivite = self.tenant(o["tenant"])
        campaign = self.campaign(collectivite, o["campaign"])
        actor = self.officer(o["by"], collectivite)
        batch = actions.prepare_batch(
            campaign=campaign,
            channel=CHANNELS[o["channel"]],
            actor=actor,
            cutoff=self.cutoff(o["cutoff"]),
            decision_reference=o["decision"],
            execution_date=self.day(o["execution_date"], "--execution-date"),
            route=o["route"],
        )
        if o["json"]:
            self.out_json(
                {
                    "id": batch.pk,
                    "reference": batch.reference,
                    "total_cents": batch.total_cents,
                    "lines": batch.lines_count,
                    "status": batch.status,
                }
            )
            return
        self.out(
            self.style.SUCCESS(
                f"Batch {batch.pk} ({batch.reference}) prepared: {batch.lines_count} line(s), {_cents(batch.total_cents)}."
            )
        )
        self.out(f"Another finance officer approves it: solidaire payouts approve {batch.pk} --by EMAIL")

    def do_cancel(self, o):
        batch = self.batch(o)
        actor = self.officer(o["by"], batch.collectivite)
        batch = actions.cancel_batch(batch=batch, actor=actor)
        self.out(self.style.SUCCESS(f"Batch {batch.pk} ({batch.reference}) cancelled: its money is owed again."))

    def do_approve(self, o):
        batch = self.batch(o)
        actor = self.officer(o["by"], batch.collectivite)
        # Two-factor as the setting says (SOLIDAIRE_PAYOUTS_REQUIRE_2FA), as on the pages: here the
        # approver proves it is them with a current code of their authenticator app.
        asks = settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA and actor.pk != batch.prepared_by_id and has_two_factor(actor)
        if asks and not verify_code(actor, o.get("code")):
            raise CommandError(f"give a current code of {actor.email}'s authenticator app with --code")
        batch = actions.approve_batch(batch=batch, actor=actor, require_two_factor=None)
        self.out(self.style.SUCCESS(f"Batch {batch.pk} ({batch.reference}) approved by {actor.email}."))
        for document in batch.documents.order_by("kind"):
            self.out(f"  {document.kind:5}  {document.sha256}  {document.name}")

    def do_export(self, o):
        batch = self.batch(o)
        actor = self.officer(o["by"], batch.collectivite) if o.get("by") else None
        document = batch.documents.filter(kind=o["format"]).first()
        if batch.status not in EXPORTABLE or document is None:
            raise CommandError(
                f"batch {batch.pk} ({batch.reference}) is {batch.get_status_display().lower()}: "
                "its files are made when another finance officer approves it"
            )
        content = bytes(document.content)
        sha256 = hashlib.sha256(content).hexdigest()
        if sha256 != document.sha256:
            raise CommandError(
                f"the stored {document.kind} file of batch {batch.pk} does not match the SHA-256 recorded at approval"
            )
        with transaction.atomic():
            record(
                collectivite=batch.collectivite,
                actor=actor,
                action="payout.batch_exported",
                obj=batch,
                label=f"{batch.reference} — {document.name}",
                data={"kind": document.kind, "sha256": sha256, "via": "cli"},
            )
            try:
                with open(o["output"], "wb") as handle:
                    handle.write(content)
            except OSError as exc:
                raise CommandError(f"--output: cannot write {o['output']}: {exc.strerror or exc}") from exc
        self.out(f"{sha256}  {o['output']}")

    def do_mark_sent(self, o):
        batch = self.batch(o)
        actor = self.officer(o["by"], batch.collectivite)
        batch = actions.mark_sent(batch=batch, actor=actor)
        self.out(self.style.SUCCESS(f"Batch {batch.pk} ({batch.reference}) marked sent to the bank."))

    def do_mark_paid(self, o):
        batch = self.batch(o)
        actor = self.officer(o["by"], batch.collectivite)
        lines = None
        if o["lines"]:
            lines = []
            for key in o["lines"]:
                which = Q(end_to_end_id=key) | (Q(pk=int(key)) if key.isdigit() else Q())
                found = batch.lines.filter(which).first()
                if found is None:
                    raise CommandError(f"--line: batch {batch.pk} has no line {key!r}")
                lines.append(found)
        paid = actions.mark_paid(batch=batch, actor=actor, lines=lines)
        batch.refresh_from_db()
        self.out(
            self.style.SUCCESS(
                f"{len(paid)} line(s) of batch {batch.pk} ({batch.reference}) marked paid, "
                f"{_cents(sum(line.amount_cents for line in paid))}; the batch is {batch.get_status_display().lower()}."
            )
        )
        for line in paid:
            self.out(f"  {line.pk}  {line.end_to_end_id}  {line.legal_name}  {_cents(line.amount_cents)}")

    def do_import_camt(self, o):
        collectivite = self.tenant(o["tenant"])
        actor = self.officer(o["by"], collectivite)
        try:
            with open(o["file"], "rb") as handle:
                content = handle.read(camt.MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"FILE: cannot read {o['file']}: {exc.strerror or exc}") from exc
        imported = camt.import_statement(
            collectivite=collectivite, file_name=os.path.basename(o["file"]), content=content, actor=actor
        )
        if o["json"]:
            self.out_json(
                {
                    "id": imported.pk,
                    "matched": imported.matched,
                    "already_paid": imported.already_paid,
                    "failed": imported.failed,
                    "unmatched": imported.unmatched,
                }
            )
            return
        self.out(self.style.SUCCESS(f"Statement {imported.file_name} imported."))
        self.out(f"matched: {len(imported.matched)}  {' '.join(imported.matched)}".rstrip())
        self.out(f"already paid: {len(imported.already_paid)}  {' '.join(imported.already_paid)}".rstrip())
        self.out(f"failed: {len(imported.failed)}  {' '.join(imported.failed)}".rstrip())
        self.out(f"unmatched: {len(imported.unmatched)}")
        for entry in imported.unmatched:
            why = WHY.get(entry["why"], entry["why"])
            self.out(
                f"  {entry['direction']}  {entry['reference'] or '—'}  {_cents(entry['amount_cents'])}  — {why} ({entry['why']})"
            )
