"""The QR code's payload (vouchers.codes.sign / verify): the code and its signature by Django's
signing framework, keyed by the site’s secret. An altered signature, an altered code, a truncated
payload or another site’s QR code is refused by verify() itself — before anything is looked up."""

import pytest
from django.core import signing
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from solidaire.vouchers import codes
from solidaire.vouchers.codes import ALPHABET, InvalidCode

valid_codes = st.text(alphabet=ALPHABET, min_size=16, max_size=16).map(
    lambda payload: payload + codes.luhn.calc_check_digit(payload, alphabet=ALPHABET)
)
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def refused(payload: str) -> str:
    with pytest.raises(InvalidCode) as error:
        codes.verify(payload)
    return str(error.value)


@given(valid_codes)
def test_a_signed_payload_gives_back_its_code(code):
    payload = codes.sign(code)
    code_part, colon, signature = payload.partition(":")
    assert (code_part, colon, len(signature)) == (code, ":", 43)
    assert set(signature) <= set(BASE64URL)  # a URL path segment as it is
    assert codes.verify(payload) == code
    assert codes.verify(code.lower() + payload[len(code) :]) == code  # the code is read as typed codes are


@given(valid_codes, st.data())
def test_an_altered_signature_is_refused(code, data):
    payload = codes.sign(code)
    position = data.draw(st.integers(len(code) + 1, len(payload) - 1))
    wrong = data.draw(st.sampled_from(BASE64URL.replace(payload[position], "")))
    assert refused(payload[:position] + wrong + payload[position + 1 :]) == "signature"


@given(valid_codes, valid_codes)
def test_a_signature_does_not_fit_another_code(code, other):
    """An altered code that still passes the check character keeps nothing of its signature."""
    if code != other:
        signature = codes.sign(code).partition(":")[2]
        assert refused(f"{other}:{signature}") == "signature"


@given(valid_codes, st.data())
def test_an_altered_code_is_refused(code, data):
    payload = codes.sign(code)
    position = data.draw(st.integers(0, len(code) - 1))
    wrong = data.draw(st.sampled_from(ALPHABET.replace(code[position], "")))
    assert refused(payload[:position] + wrong + payload[position + 1 :]) in {"check", "signature"}


@given(valid_codes, st.data())
def test_a_truncated_payload_is_refused(code, data):
    payload = codes.sign(code)
    cut = data.draw(st.integers(0, len(payload) - 1))
    assert refused(payload[:cut]) in {"format", "signature"}


@pytest.mark.parametrize(
    "payload",
    [
        "",
        ".",
        ":",
        "not-a-voucher",
        "http://evil.example/",
        "<script>",
        "7K3M9QXT2VHDR8PN.0123456789abcdef",
        "7K3M9QXT2VHDR8PN:0123456789abcdef",
    ],
)
def test_garbage_is_refused(payload):
    refused(payload)


def test_a_code_without_its_signature_is_not_a_qr_payload():
    code = codes.generate()
    assert refused(code) == "signature"
    assert refused(code + ":") == "signature"


def test_a_signature_of_the_code_with_something_appended_is_refused():
    """Signer signs anything: a genuine signature of "<code>:more" is not one of the code."""
    code = codes.generate()
    signed = signing.Signer(salt=codes.SALT).sign(f"{code}:more")
    assert signed.startswith(f"{code}:more:")
    assert refused(signed) == "signature"


def test_a_longer_signature_is_refused():
    payload = codes.sign(codes.generate())
    assert refused(payload + "0") == "signature"


def test_the_qr_code_of_another_site_is_refused():
    """The signature is keyed by the site’s secret: a QR code printed by another installation
    (or under a secret no longer kept among the fallbacks) is refused; the code typed by hand
    still works."""
    code = codes.generate()
    with override_settings(SECRET_KEY="another installation's secret key, long enough for it"):
        elsewhere = codes.sign(code)
    assert elsewhere != codes.sign(code)
    assert refused(elsewhere) == "signature"
    assert codes.normalise(code) == code
