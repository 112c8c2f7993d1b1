"""Why a gift got less public money, told twice from the same facts (donations/match_notes.py):
to the donor in the second person ("Your payment arrived…", the gift's page and receipt — word for
word as before), and to the finance officer in the third person ("The donor’s gift was matched
by…", the gift's page in the back office)."""

from types import SimpleNamespace

import pytest
from django.template.loader import get_template
from django.utils import translation

from solidaire.donations import match_notes
from solidaire.donations.models import Gift

from ..campaigns.helpers import text
from ..gifts import approved_registration, give

pytestmark = pytest.mark.django_db

NOTES = (
    "own_establishment",
    "donor_limit",
    "same_beneficiary_limit",
    "beneficiary_cap",
    "campaign_closed",
    "reservation_expired",
    "budget",
)

# What the donor read before the two wordings were split (English, a match of 2.50 € for 5 €).
DONOR_BEFORE = {
    "own_establishment": "Gifts to your own establishment, or one where you work, are not matched with public money.",
    "donor_limit": "You have reached the limit of public money one donor can bring in this campaign.",
    "same_beneficiary_limit": (
        "Your gifts to this establishment have reached the most public money one donor can bring it."
    ),
    "beneficiary_cap": "This establishment has received the most public money it can receive.",
    "campaign_closed": "The campaign ended before your payment was confirmed.",
    "reservation_expired": (
        "Your payment arrived after the public money reserved for you was released, and less of it was left."
    ),
    "budget": "The public budget is nearly used up.",
}


def with_note(gift, note: str, match_cents: int) -> Gift:
    Gift.objects.filter(pk=gift.pk).update(match_note=note, match_cents=match_cents)
    return Gift.objects.get(pk=gift.pk)


def finance_page(personas, client_for, gift) -> str:
    return text(client_for(personas.a, personas.a.finance).get(f"/en/gestion/dons/{gift.pk}/"))


def donor_page(personas, client_for, gift) -> str:
    return text(client_for(personas.a).get(f"/en/dons/{gift.pk}/?t={gift.token}"))


@pytest.mark.parametrize("note", NOTES)
def test_the_finance_officer_reads_the_reason_in_the_third_person(personas, client_for, cafe, note):
    gift = with_note(give(cafe, 1000, email="ana@example.org"), note, 500)
    page = finance_page(personas, client_for, gift)
    with translation.override("en"):
        expected = str(match_notes.FINANCE.reasons[note])
    assert expected in page
    assert "The donor’s gift was matched by" in page and "with €5 instead of €10." in page
    assert DONOR_BEFORE[note] not in page
    assert "your" not in page.split("Match promised")[1].split("Provider")[0].lower()


def test_a_gift_matched_with_nothing_is_said_so_to_the_finance_officer(personas, client_for, campaign):
    cafe = approved_registration(campaign, owner=personas.a.owner)
    gift = give(cafe, 1000, email=personas.a.owner.email)
    assert (gift.match_cents, gift.match_note) == (0, "own_establishment")
    page = finance_page(personas, client_for, gift)
    assert "The donor gave to their own establishment, or one where they work" in page
    assert "The donor’s gift is not matched with public money; it goes entirely to the establishment." in page
    assert "This gift is not matched with public money, but it goes" not in page


def test_a_gift_not_paid_yet_is_said_promised(personas, client_for, gift):
    Gift.objects.filter(pk=gift.pk).update(match_note="budget", match_promised_cents=200)
    page = finance_page(personas, client_for, Gift.objects.get(pk=gift.pk))
    assert "The public budget was nearly used up." in page
    assert "The donor’s gift is promised €2 by" in page and "instead of €5." in page


@pytest.mark.parametrize("note", NOTES)
def test_the_donors_page_is_unchanged(personas, client_for, cafe, note):
    gift = with_note(give(cafe, 1000, email="ana@example.org"), note, 500)
    page = donor_page(personas, client_for, gift)
    assert DONOR_BEFORE[note] in page
    assert "adds €5 instead of €10." in page
    assert "The donor" not in page


@pytest.mark.parametrize("note", [*NOTES, "", "unknown"])
@pytest.mark.parametrize("match_cents", [0, 250])
def test_the_donors_sentences_are_word_for_word_what_they_were(note, match_cents):
    gift = SimpleNamespace(
        match_note=note,
        match_shown_cents=match_cents,
        match_full_cents=500,
        confirmed_at=None,
        campaign=SimpleNamespace(collectivite=SimpleNamespace(name="Région Grand Est", article="la")),
    )
    with translation.override("en"):
        shown = get_template("donations/includes_match_note.html").render({"gift": gift})
    why = DONOR_BEFORE.get(note, DONOR_BEFORE["budget"])
    what = (
        "Région Grand Est adds €2.50 instead of €5."
        if match_cents
        else "This gift is not matched with public money, but it goes entirely to the establishment."
    )
    assert shown == f"{why} {what}\n"


def test_one_function_gives_the_facts_both_wordings_tell():
    gift = SimpleNamespace(
        match_note="donor_limit",
        match_shown_cents=300,
        match_full_cents=1000,
        confirmed_at=object(),
        campaign=SimpleNamespace(collectivite=SimpleNamespace(name="Ville de Metz", article="la")),
    )
    facts = match_notes.facts(gift)
    assert (facts.reason, facts.matched_cents, facts.full_cents, facts.confirmed) == ("donor_limit", 300, 1000, True)
    assert set(match_notes.DONOR.reasons) == set(match_notes.FINANCE.reasons)
    with translation.override("en"):
        donor = match_notes.sentences(gift, match_notes.DONOR, html=False)
        finance = match_notes.sentences(gift, match_notes.FINANCE, html=False)
    assert donor.startswith("You have reached") and "adds €3 instead of €10" in donor.replace("\u00a0", " ")
    assert finance.startswith("The donor had reached") and "with €3 instead of €10" in finance.replace("\u00a0", " ")


def test_names_are_escaped_in_the_page_and_left_plain_in_an_e_mail():
    gift = SimpleNamespace(
        match_note="budget",
        match_shown_cents=300,
        match_full_cents=1000,
        confirmed_at=object(),
        campaign=SimpleNamespace(collectivite=SimpleNamespace(name="Metz & <Co>", article="")),
    )
    with translation.override("en"):
        assert "Metz &amp; &lt;Co&gt;" in match_notes.sentences(gift, match_notes.FINANCE)
        assert "Metz & <Co>" in match_notes.sentences(gift, match_notes.FINANCE, html=False)
