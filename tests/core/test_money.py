"""What people type as euros becomes integer cents, and cents are shown back in each language."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from solidaire.core.money import MoneyParseError, cents_to_input, format_cents, parse_euros

cents = st.integers(min_value=-(10**12), max_value=10**12)
positive_cents = st.integers(min_value=0, max_value=10**12)


@given(cents)
@example(-5)
@example(-100)
@example(5)
def test_cents_survive_the_round_trip_through_a_form_input(amount):
    assert parse_euros(cents_to_input(amount)) == amount


@given(cents)
def test_cents_survive_the_round_trip_through_the_french_display(amount):
    assert parse_euros(format_cents(amount, "fr")) == amount


@given(positive_cents, st.sampled_from([",", "."]), st.sampled_from(["", " €", "\u00a0€", "€ "]))
def test_both_decimal_separators_and_the_euro_sign_are_understood(amount, separator, suffix):
    euros, rest = divmod(amount, 100)
    assert parse_euros(f"{euros}{separator}{rest:02d}{suffix}") == amount


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=9))
def test_one_decimal_means_tenths(euros, tenths):
    assert parse_euros(f"{euros},{tenths}") == euros * 100 + tenths * 10


@given(
    st.integers(min_value=0, max_value=10**9),
    st.text(alphabet="0123456789", min_size=3, max_size=8),
    st.sampled_from([",", "."]),
)
@example(5, "500", ",")
@example(1, "000", ".")
def test_three_or_more_decimals_are_refused(euros, decimals, separator):
    with pytest.raises(MoneyParseError):
        parse_euros(f"{euros}{separator}{decimals}")


@given(
    st.text(alphabet="0123456789", max_size=4),
    st.characters(categories=["Lu", "Ll"]),
    st.text(alphabet="0123456789", max_size=4),
)
@example("1", "e", "3")
@example("1", "E", "2")
@example("", "N", "aN")
def test_anything_with_a_letter_is_refused(before, letter, after):
    with pytest.raises(MoneyParseError):
        parse_euros(f"{before}{letter}{after}")


@pytest.mark.parametrize(
    "text",
    ["", " ", "€", " € ", "\u00a0", None, ",", ".", "5,5,5", "1.000,00", "5_000", "\uff15", "Infinity", "NaN", "--5"],
)
def test_empty_or_malformed_amounts_are_refused(text):
    with pytest.raises(MoneyParseError):
        parse_euros(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5", 500), ("5,50", 550), ("5.5", 550), ("1 000,00 €", 100000), ("1\u202f000,00\u00a0€", 100000), ("0,01", 1)],
)
def test_documented_examples(text, expected):
    assert parse_euros(text) == expected


@pytest.mark.parametrize(
    ("amount", "language", "shown"),
    [
        (500, "fr", "5\u00a0€"),
        (550, "fr", "5,50\u00a0€"),
        (10_000_000, "fr", "100\u202f000\u00a0€"),
        (500, "en", "€5"),
        (550, "en", "€5.50"),
        (10_000_000, "en", "€100,000"),
        (550, "de", "5,50\u00a0€"),
        (10_000_000, "de", "100.000\u00a0€"),
    ],
)
def test_display_in_each_language(amount, language, shown):
    assert format_cents(amount, language) == shown


@given(positive_cents, st.sampled_from(["fr", "en", "de"]))
def test_whole_euros_show_no_decimals_and_others_show_two(amount, language):
    shown = format_cents(amount, language)
    decimal_mark = "." if language == "en" else ","
    if amount % 100 == 0:
        assert not shown.replace("\u00a0", "").replace("€", "").endswith(decimal_mark + "00")
        assert f"{amount // 100 % 10}" in shown
    else:
        digits = shown.replace("\u00a0", "").replace("€", "").strip()
        assert digits[-3] == decimal_mark
        assert digits[-2:] == f"{amount % 100:02d}"


def test_nothing_shows_as_empty():
    assert format_cents(None) == ""
    assert cents_to_input(None) == ""
