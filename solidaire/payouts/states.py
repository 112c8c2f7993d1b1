"""A batch's and a line's states and what moves them: tables read by the write paths
(payouts.actions) and the tests."""

from .models import BatchStatus as B
from .models import LineStatus as L

CANCEL, APPROVE, SEND, SETTLE = "cancel", "approve", "send", "settle"
PAY, FAIL = "pay", "fail"

BATCH: dict[tuple[str, str], str] = {
    (B.PREPARED, CANCEL): B.CANCELLED,  # until it is approved, never after
    (B.PREPARED, APPROVE): B.APPROVED,
    (B.APPROVED, SEND): B.SENT,
    (B.SENT, SETTLE): B.SETTLED,  # when no line is left to be paid
}

# A line is paid or fails once its batch was sent to the bank.
LINE: dict[tuple[str, str], str] = {
    (L.PENDING, PAY): L.PAID,
    (L.PENDING, FAIL): L.FAILED,
    (L.PENDING, CANCEL): L.CANCELLED,
}


def batch_target(status: str, action: str) -> str | None:
    return BATCH.get((status, action))


def line_target(status: str, action: str) -> str | None:
    return LINE.get((status, action))
