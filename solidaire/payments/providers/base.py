"""What every payment provider looks like to the rest of Solidaire: the calls it answers and the
normalised events its notifications are turned into."""

from dataclasses import asdict, dataclass, fields
from typing import Protocol

# Normalised event types every provider’s notifications are turned into.
SUCCEEDED = "payment.succeeded"
PENDING = "payment.pending"
FAILED = "payment.failed"
EXPIRED = "checkout.expired"  # the donor left the hosted page, or its time ran out
REFUNDED = "payment.refunded"  # refunded_cents: everything refunded on the payment so far
REFUND_FAILED = "refund.failed"  # a refund the provider could not make (refund_id)
DISPUTE_OPENED = "dispute.opened"  # disputed_cents withdrawn (possibly less than the payment), dispute fee
DISPUTE_WON = "dispute.won"  # the withdrawn funds come back (dispute_fee_cents: a fee given back, if any)
DISPUTE_LOST = "dispute.lost"  # the withdrawn funds are gone for good
DETAILS = "payment.details"  # what a confirmed payment cost and where it went (fee, card, Connect transfer)
# A transfer the platform asked the provider to make to a beneficiary’s account (payouts): made, or
# reversed (the money came back to the platform).
TRANSFER_PAID = "transfer.paid"
TRANSFER_FAILED = "transfer.failed"
EVENT_TYPES = (
    SUCCEEDED,
    PENDING,
    FAILED,
    EXPIRED,
    REFUNDED,
    REFUND_FAILED,
    DISPUTE_OPENED,
    DISPUTE_WON,
    DISPUTE_LOST,
    DETAILS,
    TRANSFER_PAID,
    TRANSFER_FAILED,
)


class ProviderError(Exception):
    """The provider could not be reached or refused the request."""


class InvalidNotification(Exception):
    """Bad signature, stale timestamp or unreadable body: the notification is not trusted."""


@dataclass(frozen=True)
class Checkout:
    id: str
    url: str


@dataclass(frozen=True)
class PaymentEvent:
    """A provider’s notification once verified, in the provider’s words turned into ours.
    Amounts are integers in the currency's minor unit, exactly as the provider wrote them: they
    are not coerced here, so that a notification saying "500" or 5.0 is refused, not believed."""

    event_id: str
    type: str
    checkout_id: str = ""
    payment_id: str = ""
    gift_id: str = ""
    amount_cents: object = None  # the payment’s amount
    currency: object = None
    fee_cents: object = None  # what the provider kept on the payment
    card_fingerprint: str = ""
    refunded_cents: object = None  # everything refunded on the payment so far
    refund_id: str = ""
    dispute_id: str = ""
    disputed_cents: object = None  # what the dispute withdrew
    dispute_fee_cents: object = None  # the dispute's fee (DISPUTE_OPENED) or the part given back (DISPUTE_WON)
    transfer_cents: object = None  # Connect: what the provider moved to the establishment’s account
    application_fee_cents: object = None  # Connect: what the platform kept of it
    transfer_id: str = ""  # a payout transfer's id at the provider
    destination: str = ""  # the account a payout transfer went to
    reference: str = ""  # what the platform asked the transfer to carry (a payout line's end-to-end id)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "PaymentEvent":
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def is_cents(value) -> bool:
    """An amount as providers must write it: an integer (not a bool, a float or a string), ≥ 0."""
    return type(value) is int and value >= 0


class Provider(Protocol):
    name: str

    def create_checkout(self, gift, *, success_url: str, cancel_url: str, notify_url: str) -> Checkout:
        """A hosted payment page for the gift; the donor is sent to checkout.url."""

    def expire_checkout(self, gift) -> None:
        """Closes the hosted page of an unpaid gift; the provider then notifies EXPIRED."""

    def parse_notification(self, body: bytes, headers) -> PaymentEvent:
        """Verifies and normalises a notification; raises InvalidNotification."""

    def fetch_payment(self, gift) -> list[PaymentEvent]:
        """What became of the gift's payment, its refunds and details (for reconciliation)."""

    def fetch_details(self, gift) -> PaymentEvent | None:
        """A confirmed payment’s fee, card and Connect transfer, when the notification lacked them."""

    def refund(self, gift, amount_cents: int, *, key: str) -> str:
        """Asks the provider to refund, once per `key`; the refund arrives as a notification."""

    def submit_dispute_evidence(self, gift, dispute_id: str, evidence: dict) -> None:
        """Gives the provider what proves the counterpart was delivered (Stripe's evidence fields)."""

    def can_transfer(self) -> bool:
        """Whether the provider can pay beneficiaries' own accounts (Stripe Connect transfers)."""

    def transfer_destination(self, establishment) -> str:
        """The beneficiary’s account at the provider, or "" when it has none."""

    def create_transfer(
        self,
        *,
        amount_cents: int,
        currency: str,
        destination: str,
        reference: str,
        group: str,
        key: str,
        notify_url: str,
    ) -> str:
        """Moves money from the platform’s balance to the beneficiary’s account, once per `key`;
        its outcome arrives as a notification (TRANSFER_PAID, TRANSFER_FAILED). Returns its id."""
