"""What the journal says about a gift: the entries of each event of its life, as drafts that the
write paths post in one go (docs/ledger.md has the same table in words).

Reversals (refunds, lost disputes) book shares of the fee, of a Connect transfer and of the
match in proportion to the part of the gift reversed. Each share is computed on what has been
reversed *so far* and booked as the difference with the previous share (core.money.share), so
that rounding never creates or loses a cent: once the whole gift is reversed, the shares add up
to the whole fee, the whole transfer and the whole match."""

from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from solidaire.core.money import share
from solidaire.ledger import journal
from solidaire.ledger.journal import Draft
from solidaire.ledger.models import AccountKind, Posting

# The words for each kind of entry a gift's life posts (here, and the match's in matching.engine),
# for the people who read a gift's journal: no internal code on a page.
ENTRY_LABELS = {
    "gift.received": _("Payment received"),
    "gift.fee": _("Payment provider’s fee"),
    "connect.transfer": _("Paid to the establishment by the provider"),
    "connect.application_fee": _("Application fee kept"),
    "connect.application_fee_refunded": _("Application fee given back"),
    "connect.transfer_reversed": _("Taken back from the establishment’s provider account"),
    "match.posted": _("Public money added"),
    "match.reversed": _("Public money taken back"),
    "gift.refunded": _("Refunded to the donor"),
    "dispute.opened": _("Dispute opened: funds withdrawn"),
    "dispute.fee": _("Dispute fee"),
    "dispute.fee_returned": _("Dispute fee given back"),
    "dispute.frozen": _("Frozen during a dispute"),
    "dispute.unfrozen": _("Released after a dispute"),
    "dispute.won": _("Dispute won: funds returned"),
    "dispute.lost": _("Dispute lost"),
}


def entry_label(kind: str) -> str:
    return ENTRY_LABELS.get(kind, _("Other entry"))


@dataclass(frozen=True)
class Accounts:
    """The accounts a gift's entries use, looked up when first needed (ids are cached)."""

    gift: object

    def _get(self, kind, **owner):
        return journal.account(kind, collectivite=self.gift.collectivite_id, **owner)

    def provider(self, kind):
        return self._get(kind, provider=self.gift.provider)

    def beneficiary(self, kind):
        return self._get(kind, registration=self.gift.registration_id)

    def collectivite(self, kind):
        return self._get(kind)

    @property
    def cash(self):
        return self.provider(AccountKind.PROVIDER_CASH)


def _key(gift, what: str) -> str:
    return f"gift:{gift.pk}:{what}"


def is_connect(gift) -> bool:
    """Whether the provider moved the gift to the establishment’s own account (Stripe Connect)."""
    return gift.transferred_cents > 0


# Payment ---------------------------------------------------------------------------------------


def received(gift) -> list[Draft]:
    a = Accounts(gift)
    gifts = a.beneficiary(AccountKind.BENEFICIARY_GIFTS)
    return [Draft("gift.received", _key(gift, "received"), [(a.cash, gift.amount_cents), (gifts, -gift.amount_cents)])]


def fee(gift) -> list[Draft]:
    """The provider’s fee on the payment: borne by the beneficiary when the collectivité pays it
    out (deducted from what it is owed), by the collectivité with Connect (the provider took it
    from the platform’s balance, and the establishment received its share whole)."""
    if not gift.fee_cents:
        return []
    a = Accounts(gift)
    bearer = a.provider(AccountKind.PROVIDER_FEES) if is_connect(gift) else a.beneficiary(AccountKind.BENEFICIARY_GIFTS)
    return [Draft("gift.fee", _key(gift, "fee"), [(bearer, gift.fee_cents), (a.cash, -gift.fee_cents)])]


@dataclass(frozen=True)
class Share:
    """What the establishment gets of a gift and its match, as the donor is told: the gift and the
    match, less the payment fees `fee` and `transfer` take from the establishment’s part (the
    provider’s fee when the collectivité pays the gift out, the application fee with Connect).
    The fees are None until known — before the payment is confirmed, or until the provider gives
    its details: the figure is then "about"."""

    match_cents: int
    total_cents: int
    fees_cents: int | None

    @property
    def net_cents(self) -> int:
        return self.total_cents - (self.fees_cents or 0)


def beneficiary_share(gift) -> Share:
    if gift.confirmed_at is None:
        return Share(gift.match_promised_cents, gift.amount_cents + gift.match_promised_cents, None)
    if gift.details_pending:
        return Share(gift.match_cents, gift.total_cents, None)
    fees = gift.application_fee_cents if is_connect(gift) else gift.fee_cents
    return Share(gift.match_cents, gift.total_cents, fees)


def transfer(gift) -> list[Draft]:
    """Connect: the provider paid the establishment its share (nothing of it is owed by the
    platform any more) and the platform kept the rest as its application fee."""
    if not is_connect(gift):
        return []
    a = Accounts(gift)
    gifts = a.beneficiary(AccountKind.BENEFICIARY_GIFTS)
    drafts = [
        Draft(
            "connect.transfer",
            _key(gift, "transfer"),
            [(gifts, gift.transferred_cents), (a.cash, -gift.transferred_cents)],
        )
    ]
    if gift.application_fee_cents:
        kept = gift.application_fee_cents
        drafts.append(
            Draft(
                "connect.application_fee",
                _key(gift, "application-fee"),
                [(gifts, kept), (a.provider(AccountKind.APPLICATION_FEES), -kept)],
            )
        )
    return drafts


# Reversals -------------------------------------------------------------------------------------


def _delta(total: int, gift, cents: int, *, up: bool = False) -> int:
    """The share of `total` that reversing `cents` more of the gift takes back."""
    before = gift.reversed_cents
    return share(total, before + cents, gift.amount_cents, up=up) - share(total, before, gift.amount_cents, up=up)


def match_share(gift, cents: int) -> int:
    """The part of the gift's match that reversing `cents` more of the gift takes back (rounded
    up: what stays matched never exceeds the ratio of what stays given)."""
    return _delta(gift.match_cents, gift, cents, up=True)


def refunded(gift, cents: int, n: int) -> list[Draft]:
    """The provider gave `cents` back to the donor (the n-th refund of the gift)."""
    a = Accounts(gift)
    gifts = a.beneficiary(AccountKind.BENEFICIARY_GIFTS)
    key = _key(gift, f"refund:{n}")
    if is_connect(gift):
        moved_back = _delta(gift.transferred_cents, gift, cents)
        return [
            Draft("connect.transfer_reversed", key + ":transfer", [(a.cash, moved_back), (gifts, -moved_back)]),
            Draft(
                "connect.application_fee_refunded",
                key + ":application-fee",
                [(a.provider(AccountKind.APPLICATION_FEES), cents - moved_back), (gifts, -(cents - moved_back))],
            ),
            Draft("gift.refunded", key, [(gifts, cents), (a.cash, -cents)]),
        ]
    lost_fee = _delta(gift.fee_cents, gift, cents)
    return [
        Draft(
            "gift.refunded",
            key,
            [
                *draw(a, AccountKind.BENEFICIARY_GIFTS, cents - lost_fee),
                (a.collectivite(AccountKind.REFUND_LOSSES), lost_fee),
                (a.cash, -cents),
            ],
        )
    ]


def available(accounts, kind) -> int:
    """What the registration's payable of this kind holds now (its credit balance)."""
    return -journal.balance(accounts.beneficiary(kind))


def draw(accounts, kind, cents: int, *, credited: int = 0) -> list[tuple]:
    """Debit lines taking `cents` off what the beneficiary is owed (the payable of `kind`); what
    it no longer holds — paid out already, or in a payout batch — is to be recovered from the
    beneficiary instead: a payable never goes below zero. `credited`: what the same transaction
    credits the payable with before."""
    taken = max(min(cents, available(accounts, kind) + credited), 0)
    return [
        (accounts.beneficiary(kind), taken),
        (accounts.beneficiary(AccountKind.BENEFICIARY_RECOVERABLE), cents - taken),
    ]


def dispute_opened(gift, dispute) -> list[Draft]:
    """The provider withdrew the disputed funds and the dispute's fee; what the gift brings the
    beneficiary is frozen until the dispute is decided."""
    a = Accounts(gift)
    key = _key(gift, f"dispute:{dispute.provider_dispute_id}")
    drafts = [
        Draft(
            "dispute.opened",
            key + ":opened",
            [(a.provider(AccountKind.DISPUTED_FUNDS), dispute.amount_cents), (a.cash, -dispute.amount_cents)],
        ),
        Draft(
            "dispute.fee",
            key + ":fee",
            [(a.provider(AccountKind.PROVIDER_FEES), dispute.fee_cents), (a.cash, -dispute.fee_cents)],
        ),
    ]
    positions = _positions(gift, AccountKind.BENEFICIARY_GIFTS, AccountKind.BENEFICIARY_MATCHING)
    freeze = []
    for payable, frozen in (
        (AccountKind.BENEFICIARY_GIFTS, AccountKind.FROZEN_GIFTS),
        (AccountKind.BENEFICIARY_MATCHING, AccountKind.FROZEN_MATCHING),
    ):
        # What the gift brought, as far as the payable still holds it: what was paid out or is in
        # a payout batch cannot be frozen (a lost dispute books it to be recovered instead).
        owed = min(-positions.get(payable, 0), available(a, payable))
        if owed > 0:
            freeze += [(a.beneficiary(payable), owed), (a.beneficiary(frozen), -owed)]
    if freeze:
        drafts.append(Draft("dispute.frozen", key + ":frozen", freeze))
    return drafts


def _unfreeze(gift, key) -> list[Draft]:
    a = Accounts(gift)
    positions = _positions(gift, AccountKind.FROZEN_GIFTS, AccountKind.FROZEN_MATCHING)
    lines = []
    for payable, frozen in (
        (AccountKind.BENEFICIARY_GIFTS, AccountKind.FROZEN_GIFTS),
        (AccountKind.BENEFICIARY_MATCHING, AccountKind.FROZEN_MATCHING),
    ):
        held = -positions.get(frozen, 0)
        if held > 0:
            lines += [(a.beneficiary(frozen), held), (a.beneficiary(payable), -held)]
    return [Draft("dispute.unfrozen", key + ":unfrozen", lines)] if lines else []


def dispute_won(gift, dispute, fee_back: int) -> list[Draft]:
    a = Accounts(gift)
    key = _key(gift, f"dispute:{dispute.provider_dispute_id}")
    return [
        Draft(
            "dispute.won",
            key + ":won",
            [(a.cash, dispute.amount_cents), (a.provider(AccountKind.DISPUTED_FUNDS), -dispute.amount_cents)],
        ),
        Draft(
            "dispute.fee_returned",
            key + ":fee-returned",
            [(a.cash, fee_back), (a.provider(AccountKind.PROVIDER_FEES), -fee_back)],
        ),
        *_unfreeze(gift, key),
    ]


def dispute_unfrozen(gift, dispute) -> list[Draft]:
    return _unfreeze(gift, _key(gift, f"dispute:{dispute.provider_dispute_id}"))


def dispute_lost(gift, dispute) -> list[Draft]:
    """The disputed funds are gone for good (what the dispute froze is back: dispute_unfrozen is
    posted first). Who loses them: the collectivité when the establishment gave its counterpart
    (the voucher was used); otherwise the establishment, as for a refund — and with Connect, where
    the provider had already paid it, what it received is to be recovered from it."""
    a = Accounts(gift)
    key = _key(gift, f"dispute:{dispute.provider_dispute_id}")
    lost = dispute.amount_cents
    disputed = a.provider(AccountKind.DISPUTED_FUNDS)
    drafts = []
    if dispute.borne_by_collectivite:
        lines = [(a.collectivite(AccountKind.DISPUTE_LOSSES), lost), (disputed, -lost)]
    elif is_connect(gift):
        paid = _delta(gift.transferred_cents, gift, lost)
        lines = [
            (a.beneficiary(AccountKind.BENEFICIARY_RECOVERABLE), paid),
            (a.provider(AccountKind.APPLICATION_FEES), lost - paid),
            (disputed, -lost),
        ]
    else:
        lost_fee = _delta(gift.fee_cents, gift, lost)
        lines = [
            *draw(a, AccountKind.BENEFICIARY_GIFTS, lost - lost_fee),
            (a.collectivite(AccountKind.REFUND_LOSSES), lost_fee),
            (disputed, -lost),
        ]
    return [*drafts, Draft("dispute.lost", key + ":lost", lines)]


def _positions(gift, *kinds) -> dict[str, int]:
    """The balances this gift's own entries left on the beneficiary’s accounts of these kinds."""
    rows = (
        Posting.objects.filter(entry__gift=gift, account__kind__in=kinds)
        .values("account__kind")
        .annotate(total=Sum("amount_cents"))
    )
    return {row["account__kind"]: row["total"] for row in rows}
