"""A post’s states and what moves it between them: one table, read by the write path
(mutualaid.actions) and the tests. The author takes an open post in hand, marks it done, or closes
it; an open or in-progress post past its end date expires. Any pair missing from the table is
refused."""

from .models import State as S

START, FINISH, CLOSE, EXPIRE = "start", "finish", "close", "expire"

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.OPEN, START): S.IN_PROGRESS,
    (S.OPEN, FINISH): S.DONE,
    (S.IN_PROGRESS, FINISH): S.DONE,
    (S.OPEN, CLOSE): S.CLOSED,
    (S.IN_PROGRESS, CLOSE): S.CLOSED,
    (S.OPEN, EXPIRE): S.EXPIRED,
    (S.IN_PROGRESS, EXPIRE): S.EXPIRED,
}

# What the author may do from "my posts" (expiry is the system's).
BY_AUTHOR = (START, FINISH, CLOSE)

# The audit event each move records.
EVENTS = {
    START: "mutualaid.post_started",
    FINISH: "mutualaid.post_done",
    CLOSE: "mutualaid.post_closed",
    EXPIRE: "mutualaid.post_expired",
}


def target(state: str, action: str) -> str | None:
    """Where `action` takes a post in `state` (None: it cannot)."""
    return TRANSITIONS.get((state, action))


def moves_from(state: str) -> list[str]:
    """The author's moves allowed from `state`, in the order of BY_AUTHOR."""
    return [action for action in BY_AUTHOR if (state, action) in TRANSITIONS]
