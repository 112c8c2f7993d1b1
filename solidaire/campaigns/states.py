"""A campaign’s states and what moves it between them: one table, read by the write path
(campaigns.actions) and the tests. An admin publishes a draft, closes a published campaign, and
may reopen a closed one until its closing date (campaigns.actions.reopen_campaign checks the
date). Any pair missing from the table is refused."""

from .choices import Status as S

PUBLISH, CLOSE, REOPEN = "publish", "close", "reopen"

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, PUBLISH): S.PUBLISHED,
    (S.PUBLISHED, CLOSE): S.CLOSED,
    (S.CLOSED, REOPEN): S.PUBLISHED,  # until the closing date only
}

# The audit event each move records.
EVENTS = {PUBLISH: "campaign.published", CLOSE: "campaign.closed", REOPEN: "campaign.reopened"}


def target(status: str, action: str) -> str | None:
    """Where `action` takes a campaign in `status` (None: it cannot)."""
    return TRANSITIONS.get((status, action))
