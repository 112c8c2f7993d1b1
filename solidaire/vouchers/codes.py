"""Voucher codes: 80 random bits written in Crockford's base 32 (no I, L, O or U, so nothing
looks like anything else), plus one Luhn mod 32 check character (python-stdnum) that catches
any single mistyped character and most swapped neighbours. Displayed in groups of four:
"7K3M-9QXT-2VHD-R8PN-C".

The QR code carries the code signed by Django's signing framework (an HMAC keyed by the site’s
secret), so that a forged or altered QR payload is refused before the database is even asked —
nothing about other vouchers can be learnt. Signatures made with a key kept in
SECRET_KEY_FALLBACKS are accepted too: rotating the secret does not void printed vouchers."""

import re
import secrets

from django.core import signing
from stdnum import luhn

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PAYLOAD_LENGTH = 16  # 16 × 5 bits = 80 random bits
CODE_LENGTH = PAYLOAD_LENGTH + 1
# Crockford's decoding: what people type for what they read.
TYPO_MAP = str.maketrans({"O": "0", "I": "1", "L": "1"})
SALT = "solidaire.voucher-qr"
SEPARATOR = ":"  # Signer's: allowed in a URL's path segment, never in a code or a signature


class InvalidCode(ValueError):
    pass


def generate() -> str:
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
    return payload + luhn.calc_check_digit(payload, alphabet=ALPHABET)


def normalise(typed: str) -> str:
    """What someone typed or read aloud → the canonical code, or InvalidCode."""
    code = re.sub(r"[\s\-_.]", "", (typed or "").upper()).translate(TYPO_MAP)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        raise InvalidCode("format")
    if not luhn.is_valid(code, alphabet=ALPHABET):
        raise InvalidCode("check")
    return code


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _signer() -> signing.Signer:
    """Made at each use: it reads SECRET_KEY and SECRET_KEY_FALLBACKS as they are now."""
    return signing.Signer(salt=SALT, sep=SEPARATOR)


def sign(code: str) -> str:
    """The QR payload: the code, ":", its signature (43 characters of base64url — a URL path
    segment as it is)."""
    return _signer().sign(code)


def verify(payload: str) -> str:
    """The code inside a QR payload, if its signature is right under the current key or a
    fallback one; else InvalidCode (no lookup made)."""
    code, _sep, signature = (payload or "").strip().partition(SEPARATOR)
    code = normalise(code)
    try:
        signed = _signer().unsign(f"{code}{SEPARATOR}{signature}")
    except signing.BadSignature:
        raise InvalidCode("signature") from None
    if signed != code:  # a signature holding the separator signs something else
        raise InvalidCode("signature")
    return code
