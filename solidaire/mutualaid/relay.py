"""The e-mail relay of conversations (ADR 0024). A message is e-mailed to the other participant
from the collectivité, with a Reply-To that names the conversation and the reader but no one's
mailbox: `entraide+<conversation>-<person>.<signature>@<SOLIDAIRE_RELAY_DOMAIN>`. An answer
sent to it comes back through `solidaire relay-inbound` (the mail server pipes the raw e-mail to
it): the address is checked with django.core.signing, the sender must be that participant, the
quoted text is cut off, and what is left is posted as their message.

The signature is a lower-case base32 HMAC (django.core.signing.Signer with its own salt, so
SECRET_KEY_FALLBACKS keeps older addresses working after a key rotation): mail servers may
change the case of an address, and "+", "-" and "." are safe in its local part everywhere."""

import base64
import html
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.html import strip_tags

from solidaire.core.ratelimits import folded_email

LOCAL_PREFIX = "entraide"
SALT = "solidaire.mutualaid.relay"


class RelaySigner(signing.Signer):
    """django.core.signing's Signer, its signature in lower-case base32 (120 bits)."""

    def signature(self, value, key=None):
        key = key or self.key
        mac = salted_hmac(self.salt + "signer", value, key, algorithm=self.algorithm).digest()
        return base64.b32encode(mac[:15]).decode().lower()


def _signer() -> RelaySigner:
    return RelaySigner(salt=SALT, sep=".", algorithm="sha256")


def relay_domain() -> str:
    return (getattr(settings, "SOLIDAIRE_RELAY_DOMAIN", "") or "").strip().lower().rstrip(".")


def address_for(conversation, user) -> str:
    """The Reply-To of e-mails to `user` about `conversation` (empty when the relay is off)."""
    domain = relay_domain()
    if not domain:
        return ""
    token = _signer().sign(f"{conversation.pk}-{user.pk}")
    return f"{LOCAL_PREFIX}+{token}@{domain}"


_ADDRESS = re.compile(rf"^{LOCAL_PREFIX}\+([0-9]+-[0-9]+\.[a-z2-7]+)@(.+)$")


def read_address(address: str) -> tuple[int, int] | None:
    """(conversation id, user id) named by a relay address whose signature is right; None for
    any other address."""
    match = _ADDRESS.match((address or "").strip().lower())
    if match is None or match.group(2).rstrip(".") != relay_domain():
        return None
    try:
        value = _signer().unsign(match.group(1))
    except signing.BadSignature:
        return None
    conversation_id, _sep, user_id = value.partition("-")
    return int(conversation_id), int(user_id)


# Reading an answer ---------------------------------------------------------------------------------

RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")

# Where the quoted e-mail starts, in the mail programs people use (French, English, German): the
# marker our e-mails carry, "On … wrote:", a forwarded or original message's header.
_MARKER = re.compile(r"^\s*>?\s*#--.*--#\s*$")
_CUT = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^\s*Le .{0,200}a écrit\s*:\s*$",
        r"^\s*On .{0,200}wrote\s*:\s*$",
        r"^\s*Am .{0,200}schrieb .{0,200}:\s*$",
        r"^\s*-{2,}\s*(Original Message|Message d.origine|Ursprüngliche Nachricht|Forwarded message|"
        r"Message transféré|Weitergeleitete Nachricht)\s*-{2,}\s*$",
        r"^\s*(De|From|Von)\s*:.*$",
        r"^\s*_{10,}\s*$",
    )
]


@dataclass(frozen=True)
class Inbound:
    """What an e-mail sent to the relay says."""

    recipients: tuple[str, ...]
    sender: str
    text: str
    automatic: bool


def parse(raw: bytes) -> Inbound:
    """Reads a raw RFC 5322 e-mail."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    recipients = []
    for header in RECIPIENT_HEADERS:
        values = [str(v) for v in message.get_all(header, [])]
        recipients.extend(address for _name, address in getaddresses(values) if address)
    _name, sender = parseaddr(str(message.get("From", "")))
    return Inbound(
        recipients=tuple(recipients),
        sender=sender,
        text=strip_quoted(_body(message)),
        automatic=_is_automatic(message),
    )


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):  # an unknown or wrong charset
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if part.get_content_subtype() == "html":
        content = re.sub(r"(?is)<(blockquote|style|script|head)\b.*?</\1\s*>", "", content)
        content = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>", "\n", content)
        content = html.unescape(strip_tags(content)).replace("\xa0", " ")
    return content


def _ends_the_answer(line: str) -> bool:
    return bool(_MARKER.match(line)) or line.rstrip() == "--" or any(cut.match(line) for cut in _CUT)


def _new_text(lines: list[str]) -> str:
    kept = []
    for line in lines:
        if _ends_the_answer(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def strip_quoted(text: str) -> str:
    """The new text of an answer: up to the quoted e-mail or the signature, without quoted
    lines. An answer written below the quotation ("bottom-posting": the attribution line, the
    quoted lines, then the answer) is read after the last quoted line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    above = _new_text(lines)
    if above:
        return above
    quoted = [i for i, line in enumerate(lines) if line.lstrip().startswith(">")]
    return _new_text(lines[quoted[-1] + 1 :]) if quoted else ""


def _is_automatic(message: EmailMessage) -> bool:
    """An out-of-office reply, a bounce or a list's: never posted (no loops between robots)."""
    auto_submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        auto_submitted not in ("", "no")
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or any(message.get(h) is not None for h in ("X-Autoreply", "X-Autorespond"))
        or str(message.get("Return-Path", "")).strip() == "<>"
    )


def same_mailbox(a: str, b: str) -> bool:
    return bool(a) and folded_email(a) == folded_email(b)
