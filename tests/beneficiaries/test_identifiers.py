"""The identifiers a beneficiary gives: SIRET (Luhn, and La Poste’s exception), RNA number for
associations, IBAN for payouts (SEPA zone only)."""

import random

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st
from schwifty import IBAN
from stdnum import luhn

from solidaire.beneficiaries.validators import clean_iban, clean_rna, clean_siret, mask_iban

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def sirets(draw):
    """A valid SIRET: a SIREN (8 digits + Luhn check digit), a 4-digit NIC, and a check digit
    that makes the whole 14 digits pass Luhn."""
    siren = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    siren += luhn.calc_check_digit(siren)
    base = siren + draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    return base + luhn.calc_check_digit(base)


@st.composite
def la_poste_sirets(draw):
    """An establishment of La Poste: SIREN 356000000, then a NIC and a last digit chosen so that
    the digit sum is a multiple of 5 (the Luhn check does not apply to them)."""
    base = "356000000" + draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    last = draw(st.sampled_from([d for d in "0123456789" if (sum(map(int, base)) + int(d)) % 5 == 0]))
    return base + last


def refused(function, value) -> str:
    with pytest.raises(ValidationError) as error:
        function(value)
    return error.value.code


# SIRET --------------------------------------------------------------------------------------


@given(sirets())
def test_a_siret_with_correct_check_digits_is_accepted(number):
    assert clean_siret(number) == number


@given(sirets(), st.integers(min_value=0, max_value=13), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_of_a_siret_makes_it_refused(number, position, shift):
    changed = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    assume(not changed.startswith("356000000"))  # La Poste’s numbers follow another rule
    assert refused(clean_siret, changed) == "siret_checksum"


@given(sirets())
def test_spaces_dots_and_dashes_in_a_siret_are_tolerated(number):
    typed = f"{number[:3]} {number[3:6]}.{number[6:9]}-{number[9:]}"
    assert clean_siret(typed) == number


@given(la_poste_sirets())
def test_la_poste_sirets_whose_digit_sum_is_a_multiple_of_five_are_accepted(number):
    assert clean_siret(number) == number


@given(la_poste_sirets(), st.integers(min_value=1, max_value=4))
def test_la_poste_sirets_whose_digit_sum_is_not_a_multiple_of_five_are_refused(number, shift):
    changed = number[:13] + str((int(number[13]) + shift) % 10)
    assume(changed != "35600000000048")  # the head office follows the Luhn rule
    assert sum(map(int, changed)) % 5 != 0
    assert refused(clean_siret, changed) == "siret_checksum"


def test_a_la_poste_siret_does_not_need_to_pass_luhn():
    number = "35600000012341"  # digit sum 25
    assert not luhn.is_valid(number)
    assert clean_siret(number) == number


def test_la_poste_head_office_siret_is_accepted():
    assert clean_siret("356 000 000 00048") == "35600000000048"


@pytest.mark.parametrize("value", ["", "1234567890123", "123456789012345", "7320828170001A", "SIRET"])
def test_a_siret_without_fourteen_digits_is_refused_with_its_length_message(value):
    assert refused(clean_siret, value) == "siret_length"


def test_a_siret_whose_siren_fails_luhn_is_refused_even_if_the_whole_number_passes():
    siren = "12345678" + str((int(luhn.calc_check_digit("12345678")) + 1) % 10)
    base = siren + "0001"
    number = base + luhn.calc_check_digit(base)
    assert luhn.is_valid(number)
    assert refused(clean_siret, number) == "siret_checksum"


# RNA ----------------------------------------------------------------------------------------


@given(
    st.sampled_from("0123456789"),
    st.sampled_from("0123456789AB"),
    st.text(alphabet="0123456789", min_size=7, max_size=7),
)
def test_an_rna_number_is_w_then_nine_characters(first, second, rest):
    number = f"W{first}{second}{rest}"
    assert clean_rna(number) == number
    assert clean_rna(f" {number.lower()} ") == number


@pytest.mark.parametrize(
    "value", ["W67200123", "W6720012345", "X672001234", "W67200123A", "WC72001234", "672001234", ""]
)
def test_a_malformed_rna_number_is_refused(value):
    assert refused(clean_rna, value) == "rna"


def test_a_corsican_rna_number_is_accepted():
    assert clean_rna("W2A1002345") == "W2A1002345"


# IBAN ---------------------------------------------------------------------------------------

SEPA_COUNTRIES = ["FR", "DE", "BE", "ES", "IT", "NL", "AT", "LU", "PT", "IE", "FI", "MC", "CH", "GB"]


@given(st.sampled_from(SEPA_COUNTRIES), st.randoms(use_true_random=False))
def test_a_valid_sepa_iban_is_accepted_in_its_compact_form(country, rng):
    iban = IBAN.random(country_code=country, random=random.Random(rng.random()))
    assert clean_iban(iban.compact) == iban.compact
    assert clean_iban(iban.formatted) == iban.compact


@given(st.sampled_from(["FR", "DE", "BE"]), st.randoms(use_true_random=False), st.integers(min_value=1, max_value=9))
def test_changing_a_digit_of_an_iban_makes_it_refused(country, rng, shift):
    iban = IBAN.random(country_code=country, random=random.Random(rng.random())).compact
    position = 2  # the first check digit
    changed = iban[:position] + str((int(iban[position]) + shift) % 10) + iban[position + 1 :]
    assert refused(clean_iban, changed) == "iban"


def test_an_iban_with_spaces_and_lower_case_is_tolerated():
    assert clean_iban("fr76 3000 6000 0112 3456 7890 189") == "FR7630006000011234567890189"


@pytest.mark.parametrize(
    "value", ["", "FR76 3000 6000 0112 3456 7890 188", "FR7630006000011234567890", "XX7630006000011234567890189"]
)
def test_an_invalid_iban_is_refused(value):
    assert refused(clean_iban, value) == "iban"


@pytest.mark.parametrize(
    "value",
    [
        "BR18 0036 0305 0000 1000 9795 493C 1",  # Brazil
        "TR33 0006 1005 1978 6457 8413 26",  # Turkey
        "SA03 8000 0000 6080 1016 7519",  # Saudi Arabia
    ],
)
def test_a_valid_iban_from_outside_the_sepa_zone_is_refused(value):
    IBAN(value)  # valid as an IBAN…
    assert refused(clean_iban, value) == "iban_sepa"  # …but payouts are SEPA transfers


def test_a_masked_iban_shows_only_its_country_check_digits_and_last_three_characters():
    masked = mask_iban("FR7630006000011234567890189")
    assert masked.startswith("FR76") and masked.endswith("189")
    assert "3000600001123456789" not in masked.replace(" ", "")
    assert mask_iban("") == ""
