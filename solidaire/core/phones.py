"""French phone numbers, however people write them: "06 12 34 56 78", "06.12.34.56.78",
"0612345678", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "0033612345678" (separators may be
doubled). Used to check the number a person gives and to find the numbers written in a text."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Digits only in ASCII.
_SEP = r"[ \t.\-/]*"
PHONE = re.compile(
    rf"(?:(?:\+|00){_SEP}33{_SEP}(?:\(0\){_SEP})?|0)[1-9](?:{_SEP}[0-9]{{2}}){{4}}",
)


def tidy(value: str) -> str:
    """The number with its blanks collapsed, as stored."""
    return " ".join((value or "").split())


def is_phone(value: str) -> bool:
    return bool(PHONE.fullmatch(tidy(value)))


def validate_phone(value: str) -> None:
    if value and not is_phone(value):
        raise ValidationError(_("Write a French phone number, such as 06 12 34 56 78."), code="phone")
