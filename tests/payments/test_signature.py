"""The sandbox's notification signature (payments.signature):
`Solidaire-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. Whatever the body,
a signed notification verifies; any change of one byte of the body or of the header, another
secret, or a timestamp more than 300 seconds away, does not."""

import hashlib
import hmac

from hypothesis import assume, given
from hypothesis import strategies as st

from solidaire.payments import signature

NOW = 1_800_000_000
SECRET = "whsec_test_secret"

bodies = st.binary(max_size=512)
secrets_ = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())


def test_header_is_the_documented_hmac_of_timestamp_dot_body():
    body = b'{"id":"evt_1"}'
    expected = hmac.new(SECRET.encode(), b'1800000000.{"id":"evt_1"}', hashlib.sha256).hexdigest()
    assert signature.sign(body, SECRET, NOW) == f"t=1800000000,v1={expected}"


@given(body=bodies, secret=secrets_, timestamp=st.integers(min_value=0, max_value=4_000_000_000))
def test_any_body_signed_with_the_secret_verifies(body, secret, timestamp):
    assert signature.verify(body, signature.sign(body, secret, timestamp), secret, now=timestamp)


@given(body=bodies.filter(len), data=st.data())
def test_changing_any_single_byte_of_the_body_fails(body, data):
    header = signature.sign(body, SECRET, NOW)
    position = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    replacement = data.draw(st.integers(min_value=0, max_value=255).filter(lambda b: b != body[position]))
    tampered = body[:position] + bytes([replacement]) + body[position + 1 :]
    assert not signature.verify(tampered, header, SECRET, now=NOW)


@given(body=bodies, data=st.data())
def test_changing_any_single_character_of_the_signature_header_fails(body, data):
    header = signature.sign(body, SECRET, NOW)
    position = data.draw(st.integers(min_value=0, max_value=len(header) - 1))
    # Any character an HTTP header can carry once decoded as latin-1, including digits of other
    # scripts ("²", "٣") that str.isdigit() accepts.
    replacement = data.draw(st.characters(min_codepoint=0, max_codepoint=255).filter(lambda c: c != header[position]))
    tampered = header[:position] + replacement + header[position + 1 :]
    assert not signature.verify(body, tampered, SECRET, now=NOW)


@given(body=bodies, secret=secrets_)
def test_a_signature_made_with_another_secret_fails(body, secret):
    assume(secret != SECRET)
    assert not signature.verify(body, signature.sign(body, secret, NOW), SECRET, now=NOW)


@given(body=bodies, offset=st.integers(min_value=-300, max_value=300))
def test_timestamps_within_300_seconds_of_now_verify(body, offset):
    assert signature.verify(body, signature.sign(body, SECRET, NOW + offset), SECRET, now=NOW)


@given(body=bodies, offset=st.integers(min_value=301, max_value=10**9), late=st.booleans())
def test_timestamps_more_than_300_seconds_away_fail(body, offset, late):
    timestamp = NOW - offset if late else NOW + offset
    assert not signature.verify(body, signature.sign(body, SECRET, max(timestamp, 0)), SECRET, now=NOW)


def test_missing_header_or_secret_fails():
    body = b"{}"
    assert not signature.verify(body, None, SECRET, now=NOW)
    assert not signature.verify(body, "", SECRET, now=NOW)
    assert not signature.verify(body, signature.sign(body, "", NOW), "", now=NOW)


def test_one_valid_signature_among_several_is_enough():
    """As with the big providers, a header may carry signatures made with the old and the new
    secret while a secret is rotated."""
    body = b"{}"
    old = signature.sign(body, "whsec_old", NOW).split("v1=")[1]
    header = signature.sign(body, SECRET, NOW) + f",v1={old}"
    assert signature.verify(body, header, SECRET, now=NOW)
    assert signature.verify(body, header, "whsec_old", now=NOW)


def test_two_timestamps_are_refused():
    body = b"{}"
    header = signature.sign(body, SECRET, NOW) + f",t={NOW}"
    assert not signature.verify(body, header, SECRET, now=NOW)


def test_unreadable_timestamps_are_refused_rather_than_crashing():
    body = b"{}"
    mac = signature.sign(body, SECRET, NOW).split("v1=")[1]
    for timestamp in ("²", "١٨٠٠", "9" * 5000, "-1", "1e9", ""):
        assert not signature.verify(body, f"t={timestamp},v1={mac}", SECRET, now=NOW)


def test_non_ascii_signatures_are_refused_rather_than_crashing():
    body = b"{}"
    for mac in ("é" * 64, "\x80", "²"):
        assert not signature.verify(body, f"t={NOW},v1={mac}", SECRET, now=NOW)
