from dataclasses import dataclass, field
from typing import Protocol

# Normalised event types every provider's notifications are turned into.
SUCCEEDED = "payment.succeeded"
PENDING = "payment.pending"
FAILED = "payment.failed"
EXPIRED = "checkout.expired"
REFUNDED = "payment.refunded"
DISPUTED = "payment.disputed"
EVENT_TYPES = (SUCCEEDED, PENDING, FAILED, EXPIRED, REFUNDED, DISPUTED)


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
    event_id: str
    type: str
    checkout_id: str = ""
    payment_id: str = ""
    gift_id: str = ""
    amount_cents: int | None = None
    currency: str = ""
    fee_cents: int = 0
    card_fingerprint: str = ""
    extra: dict = field(default_factory=dict)


class Provider(Protocol):
    name: str

    def create_checkout(self, gift, *, success_url: str, cancel_url: str, notify_url: str) -> Checkout:
        """A hosted payment page for the gift; the donor is sent to checkout.url."""

    def parse_notification(self, body: bytes, headers) -> PaymentEvent:
        """Verifies and normalises a notification; raises InvalidNotification."""

    def fetch_payment(self, gift) -> PaymentEvent | None:
        """Asks the provider what became of the gift's payment (for reconciliation)."""

    def refund(self, gift, amount_cents: int) -> str:
        """Asks the provider to refund; the refund's confirmation arrives as a notification."""
