"""What each beneficiary of a campaign is owed, computed from the journal only (docs/ledger.md):
gifts received net of the provider’s fee, refunds and lost disputes, less what Stripe Connect
already transferred (the gifts channel); matches posted less matches reversed (the matching
channel) — what a dispute froze excluded — less what earlier batches took, and less what the
beneficiary has to give back (set off). A batch's cut-off counts what was earned up to it; what
left the payable since (a refund, a batch) is never paid."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from solidaire.beneficiaries.models import Registration
from solidaire.donations.models import STANDING_STATUSES
from solidaire.ledger.models import AccountKind, Posting

from .models import Channel, Line, LineStatus, Route

PAYABLE = {Channel.MATCHING: AccountKind.BENEFICIARY_MATCHING, Channel.GIFTS: AccountKind.BENEFICIARY_GIFTS}
IN_BATCH = {Channel.MATCHING: AccountKind.IN_BATCH_MATCHING, Channel.GIFTS: AccountKind.IN_BATCH_GIFTS}
# Entries that move money between a payable and a batch (payout.paid only empties the batch's).
MOVES = ("payout.committed", "payout.cancelled", "payout.failed")


@dataclass
class Owed:
    registration: Registration
    gross_cents: int  # what the journal owes, as of the cut-off
    offset_cents: int = 0  # what the beneficiary has to give back, set off
    gifts_count: int = 0
    apart: list[str] = field(default_factory=list)  # why it waits: no valid IBAN, payments held back, below the minimum
    destination: str = ""  # its account at the payment provider (the provider route)

    @property
    def amount_cents(self) -> int:
        return self.gross_cents - self.offset_cents


def iban_problem(iban: str) -> str:
    try:
        IBAN(iban)
    except (SchwiftyException, ValueError):
        return "invalid"
    return ""


def bic_of(iban: str) -> str:
    """The bank’s BIC, when the IBAN’s bank is in schwifty's registry (optional in SEPA)."""
    try:
        bic = IBAN(iban).bic
    except (SchwiftyException, ValueError):
        return ""
    return str(bic) if bic else ""


def _by_registration(queryset, **sums) -> dict[int, dict]:
    rows = queryset.values("account__registration_id").annotate(**sums)
    return {row["account__registration_id"]: row for row in rows}


def owed(campaign, channel: str, *, cutoff, route: str = Route.BANK, provider=None) -> list[Owed]:
    """Every beneficiary of the campaign owed something in this channel, with what keeps it out
    of a batch (if anything) paid by `route` (through `provider`, for the provider route).
    Bounded: a few aggregate queries whatever the number of gifts."""
    payables = _by_registration(
        Posting.objects.filter(account__kind=PAYABLE[channel], account__registration__campaign=campaign),
        now=Sum("amount_cents"),
        earned=Sum("amount_cents", filter=Q(entry__created_at__lte=cutoff) & ~Q(entry__kind__in=MOVES)),
        moved=Sum("amount_cents", filter=Q(entry__kind__in=MOVES)),
    )
    recoverable = _by_registration(
        Posting.objects.filter(
            account__kind=AccountKind.BENEFICIARY_RECOVERABLE, account__registration__campaign=campaign
        ),
        total=Sum("amount_cents"),
    )
    counted = dict(
        Line.objects.filter(batch__campaign=campaign, batch__channel=channel)
        .exclude(status__in=[LineStatus.CANCELLED, LineStatus.FAILED])
        .values("registration_id")
        .annotate(n=Sum("gifts_count"))
        .values_list("registration_id", "n")
    )
    registrations = Registration.objects.filter(pk__in=payables).select_related("establishment")
    gifts = _gift_counts(registrations, cutoff)
    found = []
    for registration in registrations:
        row = payables[registration.pk]
        available = -(row["now"] or 0)
        earned = -(row["earned"] or 0) - (row["moved"] or 0)
        gross = max(min(available, earned), 0)
        if gross <= 0:
            continue
        owes_back = max(recoverable.get(registration.pk, {}).get("total") or 0, 0)
        item = Owed(
            registration=registration,
            gross_cents=gross,
            offset_cents=min(owes_back, gross),
            gifts_count=max(gifts.get(registration.pk, 0) - (counted.get(registration.pk) or 0), 0),
        )
        item.destination = provider.transfer_destination(registration.establishment) if provider else ""
        item.apart = reasons_apart(
            registration, item.amount_cents, campaign.payout_minimum_cents, route=route, destination=item.destination
        )
        found.append(item)
    return sorted(found, key=lambda item: (item.registration.establishment.legal_name, item.registration.pk))


def _gift_counts(registrations, cutoff) -> dict[int, int]:
    """The gifts each beneficiary received up to the cut-off that still stand."""
    return dict(
        registrations.annotate(
            n=Count("gifts", filter=Q(gifts__confirmed_at__lte=cutoff, gifts__status__in=STANDING_STATUSES))
        ).values_list("pk", "n")
    )


# What the pages say for each reason a beneficiary’s money waits.
REASON_LABELS = {
    "invalid_iban": _("no valid IBAN"),
    "suspended": _("payments held back by a moderator"),
    "below_minimum": _("below the campaign’s minimum payment"),
    "no_provider_account": _("no account at the payment provider"),
}


def reasons_apart(
    registration, amount_cents: int, minimum_cents: int, *, route: str = Route.BANK, destination: str = ""
) -> list[str]:
    """Why a beneficiary’s money waits (stable codes; the pages say them in words)."""
    reasons = []
    if route == Route.BANK and iban_problem(registration.establishment.iban):
        reasons.append("invalid_iban")
    if route == Route.PROVIDER and not destination:
        reasons.append("no_provider_account")
    if registration.payouts_suspended_at is not None:
        reasons.append("suspended")
    if amount_cents < minimum_cents or amount_cents <= 0:  # all of it set off: no transfer of nothing
        reasons.append("below_minimum")
    return reasons


@dataclass
class Position:
    """Where a beneficiary’s money stands, per channel: owed (not in a batch yet), in a batch,
    paid."""

    owed: dict = field(default_factory=dict)
    in_batch: dict = field(default_factory=dict)
    paid: dict = field(default_factory=dict)


def position(registration) -> Position:
    balances = dict(
        Posting.objects.filter(account__registration=registration)
        .values("account__kind")
        .annotate(total=Sum("amount_cents"))
        .values_list("account__kind", "total")
    )
    paid = dict(
        Line.objects.filter(registration=registration, status=LineStatus.PAID)
        .values("batch__channel")
        .annotate(total=Sum("amount_cents"))
        .values_list("batch__channel", "total")
    )
    result = Position()
    for channel in Channel.values:
        result.owed[channel] = max(-(balances.get(PAYABLE[channel]) or 0), 0)
        result.in_batch[channel] = max(-(balances.get(IN_BATCH[channel]) or 0), 0)
        result.paid[channel] = paid.get(channel) or 0
    return result
