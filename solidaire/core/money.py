"""Money is integer cents everywhere. These helpers only parse what people type and format what
they read; no arithmetic here ever goes through a float."""

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import parse_pattern
from django.utils.translation import get_language, to_locale


class MoneyParseError(ValueError):
    pass


PLAIN_AMOUNT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]{0,2})?|\.[0-9]{1,2})")


def parse_euros(text: str) -> int:
    """ "5", "5,50", "5.5", "1 000,00 €" → cents. At most two decimals."""
    cleaned = (text or "").strip().replace("€", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.replace(",", ".")
    if not cleaned:
        raise MoneyParseError("empty")
    # Decimal() alone would also take "1e3", "5_000", non-ASCII digits and "1.000" (a German
    # thousand, read as one euro): only plain digits with at most two decimals are money.
    if not PLAIN_AMOUNT.fullmatch(cleaned):
        raise MoneyParseError("not an amount with at most two decimals")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise MoneyParseError("not a number") from exc
    return int(value * 100)


def cents_to_input(cents: int | None) -> str:
    """Cents as a plain decimal for a form input ("5" or "5.50")."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros}" if rest == 0 else f"{sign}{euros}.{rest:02d}"


@lru_cache(maxsize=32)
def _pattern(locale_name: str, whole: bool):
    """The locale's currency pattern, parsed once ("#,##0.00 ¤" → without decimals when whole)."""
    locale = Locale.parse(locale_name)
    pattern = locale.currency_formats["standard"].pattern
    if whole:
        pattern = pattern.replace(".00", "")
    return locale, parse_pattern(pattern)


def format_cents(cents: int | None, language: str | None = None) -> str:
    """Cents for people: "5 €" / "5,50 €" in French, "€5" / "€5.50" in English."""
    if cents is None:
        return ""
    locale, pattern = _pattern(to_locale(language or get_language() or "fr"), cents % 100 == 0)
    return pattern.apply(Decimal(cents) / 100, locale, currency="EUR", currency_digits=False)


def share(total: int, part: int, whole: int, *, up: bool = False) -> int:
    """`total` × `part` / `whole` in whole cents, rounded down (or up), for what is split in
    proportion: a refund's share of a fee or of a match. Reversals compute the share of what has
    been reversed *so far* and book the difference with the previous share, so that rounding
    never creates or loses a cent: when `part` reaches `whole`, the shares add up to `total`."""
    if whole <= 0:
        raise ValueError("the whole must be positive")
    if not 0 <= part <= whole:
        raise ValueError("the part must be between 0 and the whole")
    quotient, remainder = divmod(total * part, whole)
    return quotient + (1 if up and remainder else 0)
