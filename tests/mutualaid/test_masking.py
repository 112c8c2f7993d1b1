"""Phone numbers and e-mail addresses written in a conversation are masked until both people
agreed to share their contact details: every way of writing a French number, every address, and
(hypothesis) no text, however built, keeps one once masked."""

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from solidaire.mutualaid.masking import EMAIL, PHONE, contains_contact, mask

PHONES = [
    "06 12 34 56 78",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "0612345678",
    "03 88 12 34 56",
    "+33 6 12 34 56 78",
    "+33612345678",
    "+33 (0)6 12 34 56 78",
    "0033 6 12 34 56 78",
    "06  12  34  56  78",
    "06 / 12 / 34 / 56 / 78",
]
EMAILS = ["jean.dupont@example.org", "Marie+voisins@gmail.com", "a_b-c@mairie-strasbourg.fr", "x@sub.domain.eu"]


@pytest.mark.parametrize("phone", PHONES)
def test_every_french_way_of_writing_a_phone_number_is_masked(phone):
    text = f"Appelez-moi au {phone}, merci !"
    assert contains_contact(text)
    masked = mask(text, "[masqué]")
    assert masked == "Appelez-moi au [masqué], merci !"


@pytest.mark.parametrize("address", EMAILS)
def test_email_addresses_are_masked(address):
    assert mask(f"Écrivez à {address}.", "[masqué]") == "Écrivez à [masqué]."


def test_ordinary_text_is_left_as_written():
    for text in ("Je passe samedi à 10 h, au 12 rue des Lilas ?", "Code postal 67000, 3 sacs", "Le 06/12 à 14h30"):
        assert not contains_contact(text)
        assert mask(text) == text


def test_the_default_replacement_is_the_translated_notice():
    for language in ("fr", "en", "de"):
        with translation.override(language):
            assert mask("06 12 34 56 78") == translation.gettext("[contact details hidden]")


contact_pieces = st.sampled_from(PHONES + EMAILS + ["@", "0", "6", "+33", " ", ".", "-", "(0)", "gmail.com"])
texts = st.lists(st.one_of(contact_pieces, st.text(max_size=12)), max_size=25).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_masked_text_never_contains_a_phone_number_or_an_email_address(text):
    masked = mask(text, "[masqué]")
    assert PHONE.search(masked) is None
    assert EMAIL.search(masked) is None


@settings(max_examples=200, deadline=None)
@given(before=st.text(max_size=20), after=st.text(max_size=20), phone=st.sampled_from(PHONES))
def test_a_number_between_any_words_is_gone(before, after, phone):
    masked = mask(f"{before} {phone} {after}", "[masqué]")
    assert phone not in masked
