"""The sandbox's notification signature, modelled on the big providers':

Solidaire-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>
"""

import hashlib
import hmac
import re
import time

HEADER = "Solidaire-Signature"
TOLERANCE_SECONDS = 300


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(body: bytes, header: str | None, secret: str, now: float | None = None) -> bool:
    """True when one v1 signature matches and the timestamp is within the tolerance."""
    if not header or not secret:
        return False
    parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
    timestamps = [value for key, value in parts if key.strip() == "t"]
    signatures = [value for key, value in parts if key.strip() == "v1"]
    # ASCII digits only, and not too many: str.isdigit() also accepts "²" or "٣", which int()
    # refuses, and int() refuses strings of more than 4300 digits — a 500 instead of a 400.
    if len(timestamps) != 1 or not signatures or not re.fullmatch(r"[0-9]{1,12}", timestamps[0]):
        return False
    timestamp = int(timestamps[0])
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(body, secret, timestamp).split("v1=", 1)[1]
    # As bytes: compare_digest() raises TypeError on a str with non-ASCII characters.
    return any(hmac.compare_digest(expected.encode(), candidate.strip().encode()) for candidate in signatures)
