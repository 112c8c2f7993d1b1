"""A double-entry, append-only journal in integer cents (docs/ledger.md describes the chart of
accounts and every posting). Entries are only ever inserted, through `ledger.journal.post`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from solidaire.audit.models import AppendOnlyError


class AccountKind(models.TextChoices):
    PROVIDER_CASH = "provider_cash", _("Cash held at a payment provider")
    PROVIDER_FEES = "provider_fees", _("Fees charged by a payment provider to the collectivité")
    DISPUTED_FUNDS = "disputed_funds", _("Funds withdrawn by a payment provider during disputes")
    APPLICATION_FEES = "application_fees", _("Application fees kept on Stripe Connect transfers")
    REFUND_LOSSES = "refund_losses", _("Fees not recovered on refunds and lost disputes")
    DISPUTE_LOSSES = "dispute_losses", _("Lost disputes borne by the collectivité")
    BENEFICIARY_GIFTS = "beneficiary_gifts", _("Owed to a beneficiary from gifts")
    BENEFICIARY_MATCHING = "beneficiary_matching", _("Owed to a beneficiary from matching")
    FROZEN_GIFTS = "frozen_gifts", _("Owed to a beneficiary from gifts, frozen by a dispute")
    FROZEN_MATCHING = "frozen_matching", _("Owed to a beneficiary from matching, frozen by a dispute")
    BENEFICIARY_RECOVERABLE = "beneficiary_recoverable", _("To be recovered from a beneficiary")
    IN_BATCH_GIFTS = "in_batch_gifts", _("Owed to a beneficiary from gifts, in a payout batch")
    IN_BATCH_MATCHING = "in_batch_matching", _("Owed to a beneficiary from matching, in a payout batch")
    TREASURY_PAYOUTS = "treasury_payouts", _("Paid to beneficiaries by the collectivité’s public accountant")
    CAMPAIGN_MATCHING = "campaign_matching", _("Public money committed by a campaign")


# Debit-normal accounts grow with debits (assets, expenses); the others with credits.
DEBIT_NORMAL = {
    AccountKind.PROVIDER_CASH,
    AccountKind.PROVIDER_FEES,
    AccountKind.DISPUTED_FUNDS,
    AccountKind.REFUND_LOSSES,
    AccountKind.DISPUTE_LOSSES,
    AccountKind.BENEFICIARY_RECOVERABLE,
    AccountKind.CAMPAIGN_MATCHING,
}
# Whose account it is: a collectivité’s at one provider, a collectivité’s, a campaign’s, or (the
# others) a beneficiary’s registration in a campaign.
PROVIDER_KINDS = {
    AccountKind.PROVIDER_CASH,
    AccountKind.PROVIDER_FEES,
    AccountKind.DISPUTED_FUNDS,
    AccountKind.APPLICATION_FEES,
}
COLLECTIVITE_KINDS = {AccountKind.REFUND_LOSSES, AccountKind.DISPUTE_LOSSES, AccountKind.TREASURY_PAYOUTS}
# What a beneficiary is owed (credit balances) and may owe back (debit balance): never negative.
BENEFICIARY_PAYABLES = {
    AccountKind.BENEFICIARY_GIFTS,
    AccountKind.BENEFICIARY_MATCHING,
    AccountKind.FROZEN_GIFTS,
    AccountKind.FROZEN_MATCHING,
    AccountKind.IN_BATCH_GIFTS,
    AccountKind.IN_BATCH_MATCHING,
}


class Account(models.Model):
    code = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=AccountKind.choices)
    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.PROTECT, related_name="+", null=True)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+", null=True)
    registration = models.ForeignKey(
        "beneficiaries.Registration", on_delete=models.PROTECT, related_name="+", null=True
    )
    provider = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self):
        return self.code


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the journal is append-only")

    def delete(self):
        raise AppendOnlyError("the journal is append-only")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("the journal is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the journal is append-only")


class Entry(AppendOnlyModel):
    """One balanced transaction of the journal."""

    kind = models.CharField(max_length=40, db_index=True)
    # Makes each business event post at most once ("gift:<id>:received").
    key = models.CharField(max_length=120, unique=True)
    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.PROTECT, related_name="+")
    gift = models.ForeignKey("donations.Gift", on_delete=models.PROTECT, related_name="entries", null=True)
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self):
        return f"{self.kind} {self.key}"


class Posting(AppendOnlyModel):
    """One line of an entry: positive amounts are debits, negative amounts credits."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount_cents = models.BigIntegerField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=~models.Q(amount_cents=0), name="posting_not_zero")]
        indexes = [models.Index(fields=["account", "entry"])]

    def __str__(self):
        return f"{self.account} {self.amount_cents:+d}"


class GuardedBalance(models.Model):
    """The running balance of a beneficiary's account (a payable or the recoverable one), kept by
    a PostgreSQL trigger as each posting is inserted (ledger migration 0007), so that the
    never-negative guard reads one row at commit instead of summing the account's whole history.
    Its row is locked by the transaction that posts to the account until it commits: two
    transactions drawing on one account are checked one after the other. Written by the
    database only; empty on SQLite, where the write paths keep the rule (ledger migration 0005).
    `solidaire ledger-check` compares it with the postings."""

    account = models.OneToOneField(Account, on_delete=models.PROTECT, primary_key=True, related_name="+")
    balance_cents = models.BigIntegerField()

    class Meta:
        db_table = "ledger_guarded_balance"
        verbose_name = _("guarded balance")
        verbose_name_plural = _("guarded balances")

    def __str__(self):
        return f"{self.account_id} {self.balance_cents:+d}"


class CheckRun(models.Model):
    """One run of the ledger checks (ledger.tasks.check_books): what it found, kept so that
    /healthz can say "ok" or how many problems without recomputing, and so that finance
    officers are e-mailed once per new set of problems rather than at every run."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    problems = models.PositiveIntegerField()
    # [{"invariant", "detail", "collectivite_id"}, …]
    violations = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("ledger check")
        verbose_name_plural = _("ledger checks")

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.problems} problems"
