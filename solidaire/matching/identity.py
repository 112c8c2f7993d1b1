"""Who a donor is, for the limits on public money: keys derived from what the donor gives (an
e-mail address), what the provider reports (a card’s fingerprint) and where a gift is started
from (an address, a browser). Only hashes are kept: limits need no plain address."""

import hashlib

from django.utils.crypto import salted_hmac

from solidaire.core.ratelimits import folded_email


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:40]


def donor_key(email: str) -> str:
    return "email:" + _hash(folded_email(email))


def card_key(fingerprint: str) -> str:
    return "card:" + _hash(fingerprint)


def origin_key(address: str) -> str:
    """A client address, keyed with the site’s secret (an IPv4 hash alone is easy to reverse)."""
    return "ip:" + salted_hmac("solidaire.gift-origin", address or "").hexdigest()[:40] if address else ""


def device_key(device_id: str) -> str:
    return "device:" + _hash(device_id) if device_id else ""
