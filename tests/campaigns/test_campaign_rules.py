"""validate_rules: the one place where a campaign’s money and date rules are checked (model clean,
back-office form, `solidaire create-campaign`). A campaign is accepted exactly when every rule
holds, and each broken rule is reported on the field a person has to correct."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from solidaire.campaigns.choices import Category
from solidaire.campaigns.models import Campaign
from solidaire.campaigns.rules import validate_rules

BASE = datetime(2025, 11, 2, 8, 0, tzinfo=UTC)


def campaign(**overrides) -> Campaign:
    """Café Solidaire: gifts of 3 to 10 €, doubled, 100 000 € of public money."""
    fields = {
        "title": "Café Solidaire",
        "starts_at": BASE,
        "ends_at": BASE + timedelta(days=30),
        "registration_opens_at": BASE - timedelta(days=7),
        "registration_closes_at": BASE + timedelta(days=20),
        "categories": ["bar", "cafe"],
        "min_gift_cents": 300,
        "max_gift_cents": 1000,
        "suggested_gifts_cents": [500, 1000],
        "matching_ratio_percent": 100,
        "matching_budget_cents": 10_000_000,
        "beneficiary_cap_cents": None,
        "donor_limit_cents": None,
    }
    fields.update(overrides)
    return Campaign(**fields)


def errors_of(c: Campaign) -> dict[str, list[ValidationError]]:
    try:
        validate_rules(c)
    except ValidationError as exc:
        return exc.error_dict
    return {}


# The rules as the product states them, written independently of the code under test.
def broken_rules(c: Campaign) -> set[str]:
    broken = set()
    low, high, suggested = c.min_gift_cents, c.max_gift_cents, c.suggested_gifts_cents
    if low < 50:  # 0,50 €: below that, card fees eat the gift
        broken.add("min_gift_cents")
    if high > 1_000_000 or high < low:  # at most 10 000 €, never below the minimum
        broken.add("max_gift_cents")
    if len(suggested) > 6 or len(set(suggested)) < len(suggested) or any(s < low or s > high for s in suggested):
        broken.add("suggested_gifts_cents")
    if not 1 <= c.matching_ratio_percent <= 1000:
        broken.add("matching_ratio_percent")
    if c.matching_budget_cents < 100:
        broken.add("matching_budget_cents")
    cap = c.beneficiary_cap_cents
    if cap is not None and (cap < 1 or cap > c.matching_budget_cents):
        broken.add("beneficiary_cap_cents")
    if c.donor_limit_cents is not None and c.donor_limit_cents < 1:
        broken.add("donor_limit_cents")
    if c.ends_at <= c.starts_at:
        broken.add("ends_at")
    closes = c.registration_closes_at
    if closes <= c.registration_opens_at or closes > c.ends_at:
        broken.add("registration_closes_at")
    if not c.categories or any(name not in Category.values for name in c.categories):
        broken.add("categories")
    return broken


def around(*edges, low=0, high=2_000_000):
    """Integers, with extra weight on each side of the rule's edges."""
    near = [value + delta for value in edges for delta in (-1, 0, 1) if value + delta >= 0]
    return st.one_of(st.sampled_from(near), st.integers(low, high))


minutes = st.integers(-60 * 24 * 60, 60 * 24 * 60)


@st.composite
def campaigns(draw):
    low = draw(around(50, 300))
    high = draw(st.one_of(around(1_000_000, low), st.integers(low, low + 5000)))
    suggested = draw(
        st.lists(st.one_of(st.integers(0, max(low, high) + 100), st.sampled_from([low, high])), max_size=8)
    )
    budget = draw(around(100, 10_000_000, high=20_000_000))
    cap = draw(st.none() | around(0, 1, budget, high=20_000_000))
    limit = draw(st.none() | around(0, 1, high=100_000))
    starts = BASE + timedelta(minutes=draw(minutes))
    ends = starts + timedelta(minutes=draw(st.one_of(st.sampled_from([-1, 0, 1]), minutes)))
    opens = BASE + timedelta(minutes=draw(minutes))
    closes = draw(
        st.sampled_from(
            [
                opens,
                opens + timedelta(minutes=1),
                ends,
                ends + timedelta(minutes=1),
                ends - timedelta(minutes=1),
                BASE + timedelta(minutes=draw(minutes)),
            ]
        )
    )
    names = draw(st.lists(st.one_of(st.sampled_from(Category.values), st.sampled_from(["pharmacy", "", "BAR"]))))
    return campaign(
        min_gift_cents=low,
        max_gift_cents=high,
        suggested_gifts_cents=suggested,
        matching_ratio_percent=draw(around(1, 100, 1000, high=5000)),
        matching_budget_cents=budget,
        beneficiary_cap_cents=cap,
        donor_limit_cents=limit,
        starts_at=starts,
        ends_at=ends,
        registration_opens_at=opens,
        registration_closes_at=closes,
        categories=names,
    )


@settings(max_examples=400, deadline=None)
@given(campaigns())
@example(campaign())
@example(campaign(min_gift_cents=50, max_gift_cents=50, suggested_gifts_cents=[50]))
@example(campaign(max_gift_cents=1_000_000, matching_ratio_percent=1000, matching_budget_cents=100))
def test_campaign_is_accepted_exactly_when_every_rule_holds(c):
    assert set(errors_of(c)) == broken_rules(c)


@settings(max_examples=200, deadline=None)
@given(campaigns())
def test_every_error_is_a_readable_sentence_in_french_and_english(c):
    for field, errors in errors_of(c).items():
        for error in errors:
            for language in ("fr", "en"):
                with translation.override(language):
                    message = " ".join(error.messages)
                assert message.strip(), (field, language)
                assert "%(" not in message, (field, language, message)


# One broken rule at a time, starting from valid Café Solidaire rules ------------------------------------

SINGLE_BREAKS = {
    "minimum below 0,50 €": ({"min_gift_cents": 49, "suggested_gifts_cents": []}, "min_gift_cents", "0,50 €"),
    "maximum above 10 000 €": ({"max_gift_cents": 1_000_001}, "max_gift_cents", "10 000 €"),
    "maximum below minimum": (
        {"min_gift_cents": 1000, "max_gift_cents": 500, "suggested_gifts_cents": []},
        "max_gift_cents",
        None,
    ),
    "seven suggested amounts": (
        {"max_gift_cents": 10_000, "suggested_gifts_cents": [300, 400, 500, 600, 700, 800, 900]},
        "suggested_gifts_cents",
        "6",
    ),
    "the same suggestion twice": ({"suggested_gifts_cents": [500, 500]}, "suggested_gifts_cents", None),
    "suggestion above the maximum": ({"suggested_gifts_cents": [500, 2000]}, "suggested_gifts_cents", None),
    "suggestion below the minimum": ({"suggested_gifts_cents": [200, 500]}, "suggested_gifts_cents", None),
    "ratio of zero": ({"matching_ratio_percent": 0}, "matching_ratio_percent", "1000"),
    "ratio above 1000 %": ({"matching_ratio_percent": 1001}, "matching_ratio_percent", "1000"),
    "budget under 1 €": ({"matching_budget_cents": 99}, "matching_budget_cents", None),
    "cap of zero": ({"beneficiary_cap_cents": 0}, "beneficiary_cap_cents", None),
    "cap above the budget": (
        {"matching_budget_cents": 100_000, "beneficiary_cap_cents": 100_001},
        "beneficiary_cap_cents",
        None,
    ),
    "donor limit of zero": ({"donor_limit_cents": 0}, "donor_limit_cents", None),
    "gifts close when they open": (
        {"ends_at": BASE, "registration_closes_at": BASE - timedelta(days=1)},
        "ends_at",
        None,
    ),
    "gifts close before they open": (
        {"ends_at": BASE - timedelta(minutes=1), "registration_closes_at": BASE - timedelta(days=1)},
        "ends_at",
        None,
    ),
    "registration closes before it opens": (
        {"registration_closes_at": BASE - timedelta(days=8)},
        "registration_closes_at",
        None,
    ),
    "registration closes after the gifts": (
        {"registration_closes_at": BASE + timedelta(days=30, minutes=1)},
        "registration_closes_at",
        None,
    ),
    "no category": ({"categories": []}, "categories", None),
    "unknown category": ({"categories": ["bar", "pharmacy"]}, "categories", "pharmacy"),
}


def test_cafe_solidaire_rules_are_valid():
    assert errors_of(campaign()) == {}


def test_edges_of_each_rule_are_accepted():
    accepted = campaign(
        min_gift_cents=50,
        max_gift_cents=1_000_000,
        suggested_gifts_cents=[50, 1000, 20000, 100000, 500000, 1_000_000],
        matching_ratio_percent=1000,
        matching_budget_cents=100,
        beneficiary_cap_cents=100,
        donor_limit_cents=1,
        registration_closes_at=BASE + timedelta(days=30),
    )
    assert errors_of(accepted) == {}
    assert errors_of(campaign(matching_ratio_percent=1)) == {}


@pytest.mark.parametrize("overrides, field, fragment", SINGLE_BREAKS.values(), ids=SINGLE_BREAKS.keys())
def test_each_broken_rule_is_reported_on_its_field_only(overrides, field, fragment):
    assert set(errors_of(campaign(**overrides))) == {field}


@pytest.mark.parametrize("overrides, field, fragment", SINGLE_BREAKS.values(), ids=SINGLE_BREAKS.keys())
def test_each_broken_rule_is_explained_in_french(overrides, field, fragment):
    with translation.override("fr"):
        errors = errors_of(campaign(**overrides))
        message = " ".join(errors[field][0].messages).replace("\u202f", " ").replace("\u00a0", " ")
    with translation.override("en"):
        english = " ".join(errors[field][0].messages)
    assert message
    if fragment:
        # Amounts are formatted the French way ("0,50 €", "10 000 €") when the page is in French.
        assert fragment in message
    if _translated_to_french(errors[field][0].message):
        assert message != english
    # Otherwise the French catalogue does not have this sentence yet: the field is what we can check.


def _translated_to_french(message) -> bool:
    with translation.override("en"):
        msgid = str(message)
    with translation.override("fr"):
        return translation.gettext(msgid) != msgid


def test_model_clean_applies_the_same_rules():
    with pytest.raises(ValidationError) as caught:
        campaign(min_gift_cents=1000, max_gift_cents=500, suggested_gifts_cents=[]).clean()
    assert set(caught.value.error_dict) == {"max_gift_cents"}
