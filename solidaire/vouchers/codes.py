"""Voucher codes: 80 random bits written in Crockford's base 32 (no I, L, O or U, so nothing
looks like anything else), plus one Luhn mod 32 check character (python-stdnum) that catches
any single mistyped character and most swapped neighbours. Displayed in groups of four:
"7K3M-9QXT-2VHD-R8PN-C".

The QR code carries the code and an HMAC of it, so that a forged or altered QR payload is
refused before the database is even asked — nothing about other vouchers can be learnt."""

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from stdnum import luhn

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PAYLOAD_LENGTH = 16  # 16 × 5 bits = 80 random bits
CODE_LENGTH = PAYLOAD_LENGTH + 1
# Crockford's decoding: what people type for what they read.
TYPO_MAP = str.maketrans({"O": "0", "I": "1", "L": "1"})
SIGNATURE_LENGTH = 16


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


def _signature(code: str) -> str:
    key = hashlib.sha256(("solidaire.voucher-qr:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_LENGTH]


def sign(code: str) -> str:
    """The QR payload: the code and its HMAC."""
    return f"{code}.{_signature(code)}"


def verify(payload: str) -> str:
    """The code inside a QR payload, if its HMAC is right; else InvalidCode (no lookup made)."""
    code, _sep, signature = (payload or "").strip().partition(".")
    code = normalise(code)
    if not signature or not hmac.compare_digest(_signature(code), signature.lower()):
        raise InvalidCode("signature")
    return code
