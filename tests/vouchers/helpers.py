"""What the vouchers tests share: offers made through the owner's and the moderator's write
paths, vouchers issued by real (sandbox) gifts, the text of a voucher’s PDF, and messages as the
product shows them in a given language."""

import base64
import re
import secrets
import zlib
from datetime import date

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from solidaire.vouchers import actions
from solidaire.vouchers.models import Offer

from ..gifts import give


def next_30_june(today: date | None = None) -> date:
    """“Valid until 30 June”: the next 30 June still to come."""
    today = today or timezone.localdate()
    end = date(today.year, 6, 30)
    return end if end >= today else date(today.year + 1, 6, 30)


def propose(registration, **fields) -> Offer:
    """The owner submits an offer (default: a voucher worth the gift + 20 %, valid until 30 June)."""
    fields.setdefault("kind", "value")
    fields.setdefault("value_mode", "percent")
    fields.setdefault("percent_of_gift", 100)
    fields.setdefault("bonus_percent", 20)
    if fields["kind"] != "none" and "validity_days" not in fields:
        fields.setdefault("valid_until", next_30_june())
    return actions.submit_offer(
        offer=Offer(registration=registration, **fields), actor=registration.establishment.owner
    )


def approved_offer(registration, moderator=None, **fields) -> Offer:
    """An offer proposed by the owner and approved by a moderator: the one in force."""
    return actions.decide_offer(offer=propose(registration, **fields), moderator=moderator, approve=True)


def voucher_for(registration, amount_cents: int = 1000, email: str = "dora@example.org", **kwargs):
    """Gives `amount_cents` on the sandbox and returns the voucher issued on confirmation."""
    gift = give(registration, amount_cents, email=email, **kwargs)
    assert gift.status == "confirmed"
    return gift.voucher


def redeem(voucher, user, amount_cents=None, key=None, **kwargs):
    return actions.redeem(
        voucher=voucher,
        establishment=voucher.registration.establishment,
        amount_cents=amount_cents,
        actor=user,
        key=key or secrets.token_hex(16),
        **kwargs,
    )


def shown(language: str, message: str, **values) -> str:
    """A message as the product shows it in `language` (whatever the state of the catalogue),
    with non-breaking spaces made plain: compare it with flat() text."""
    with translation.override(language):
        text = translation.gettext(message)
    return flat(text % values if values else text)


def flat(text: str) -> str:
    """Text with its non-breaking spaces made plain, for comparisons."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def main(response) -> str:
    """The page's <main> (what the page says, without the layout that echoes its own address),
    with non-breaking spaces made plain."""
    page = response.content.decode()
    start, end = page.index("<main"), page.index("</main>")
    return flat(page[start:end])


# PDF ------------------------------------------------------------------------------------------

_STREAM = re.compile(rb"(?P<head>.*?)\bstream\r?\n(?P<data>.*?)endstream", re.DOTALL)
_TEXT = re.compile(rb"\((?P<s>(?:\\.|[^\\)])*)\)\s*Tj")


def _decode(head: bytes, data: bytes) -> bytes:
    if b"/ASCII85Decode" in head:
        data = base64.a85decode(data.strip().removesuffix(b"~>"))
    if b"/FlateDecode" in head:
        data = zlib.decompress(data)
    return data


_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(string: bytes) -> bytes:
    """A PDF literal string's escapes: \\ddd (octal), \\n…, and \\( \\) \\\\."""

    def one(match):
        escaped = match.group(1)
        if escaped[:1] in b"01234567" and escaped:
            return bytes([int(escaped, 8)])
        return _SIMPLE.get(escaped, escaped)

    return _ESCAPE.sub(one, string)


def pdf_text(content: bytes) -> str:
    """The strings a (reportlab) PDF draws on its pages, one per line."""
    assert content.startswith(b"%PDF"), content[:20]
    lines = []
    for obj in content.split(b"endobj"):
        match = _STREAM.search(obj)
        if match is None:
            continue
        head = match.group("head")
        if b"/Subtype /Image" in head:
            continue
        data = _decode(head, match.group("data"))
        for text in _TEXT.finditer(data):
            lines.append(_unescape(text.group("s")).decode("cp1252"))
    return flat("\n".join(lines))


def counter_path(registration) -> str:
    return reverse("vouchers:counter", args=[registration.establishment_id])


def voucher_path(voucher) -> str:
    """The voucher’s page at its establishment’s counter."""
    return reverse("vouchers:counter_voucher", args=[voucher.registration.establishment_id, voucher.pk])


def messages_of(response) -> list[str]:
    return [flat(str(m)) for m in get_messages(response.wsgi_request)]
