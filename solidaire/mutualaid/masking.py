"""Contact details written in a conversation's messages are masked until both people agreed to
share theirs (ADR 0024): French phone numbers, however they are written, and e-mail addresses.
The stored text is what the person wrote; pages and relayed e-mails show it through `mask`."""

import re

from django.utils.translation import gettext_lazy as _

from solidaire.core.phones import PHONE

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")

MASKED = _("[contact details hidden]")


def contains_contact(text: str) -> bool:
    return bool(PHONE.search(text) or EMAIL.search(text))


def mask(text: str, replacement: str | None = None) -> str:
    """`text` with every phone number and e-mail address replaced. Repeated until none is left:
    taking one out can join the pieces around it into another."""
    replacement = str(MASKED) if replacement is None else replacement
    for _round in range(20):
        masked = EMAIL.sub(replacement, PHONE.sub(replacement, text))
        if masked == text:
            return masked
        text = masked
    # Pathological input that keeps producing matches: hide every digit and "@" left.
    return re.sub(r"[0-9@]", "·", text)
