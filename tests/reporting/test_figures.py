"""The dashboard's figures equal the journal's, whatever the history of gifts; filters narrow
them; failed gifts and refunds count as the books say."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solidaire.ledger.models import Posting
from solidaire.reporting import figures
from solidaire.reporting.figures import Filters

from ..donations.helpers import refund
from ..gifts import give
from .helpers import beneficiaries, campaign_for, days_ago

pytestmark = pytest.mark.django_db


def journal(campaign, registrations):
    """What the journal says each registration got: (given, match), net of refunds."""
    given, match = {}, {}
    for registration in registrations:
        postings = Posting.objects.filter(entry__gift__registration=registration, account__kind="provider_cash")
        received = sum(postings.filter(entry__kind="gift.received").values_list("amount_cents", flat=True))
        refunded = -sum(postings.filter(entry__kind="gift.refunded").values_list("amount_cents", flat=True))
        given[registration.pk] = received - refunded
        match[registration.pk] = -sum(
            Posting.objects.filter(account__code=f"beneficiary_matching:{registration.pk}").values_list(
                "amount_cents", flat=True
            )
        )
    used = sum(
        Posting.objects.filter(account__code=f"campaign_matching:{campaign.pk}").values_list("amount_cents", flat=True)
    )
    return given, match, used


gift_plans = st.lists(
    st.tuples(
        st.integers(0, 2),  # which beneficiary
        st.integers(300, 1000),  # amount
        st.sampled_from(["paid", "paid", "paid", "failed", "refunded", "half refunded"]),
        st.integers(0, 3),  # days ago
        st.sampled_from(["ana", "ben", "chloe"]),  # donor
    ),
    min_size=0,
    max_size=6,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=gift_plans)
def test_the_dashboard_says_what_the_journal_says(personas, plan):
    campaign = campaign_for(personas.a)
    registrations = beneficiaries(campaign)
    donors_paid, paid_to = set(), set()
    for which, amount, outcome, ago, donor in plan:
        gift = give(
            registrations[which],
            amount,
            email=f"{donor}@example.org",
            outcome="decline" if outcome == "failed" else "success",
        )
        if outcome == "failed":
            continue
        days_ago(gift, ago)
        if outcome == "refunded":
            refund(gift, actor=personas.a.finance)
            continue
        if outcome == "half refunded":
            refund(gift, actor=personas.a.finance, amount_cents=amount // 2)
        donors_paid.add(donor)
        paid_to.add(which)

    result = figures.compute(campaign.collectivite, campaign)
    given_by, match_by, used = journal(campaign, registrations)

    assert result.given_cents == sum(given_by.values())
    assert result.match_cents == sum(match_by.values()) == used
    assert result.budget.used_cents == used
    assert result.budget.left_cents == campaign.matching_budget_cents - used
    assert result.donors == len(donors_paid)
    assert result.beneficiaries == len(paid_to)
    assert sum(row.given_cents for row in result.days) == result.given_cents
    assert sum(row.match_cents for row in result.days) == result.match_cents
    # Per commune and per category, from the journal and where each beneficiary is.
    by_commune, by_category = defaultdict(int), defaultdict(int)
    for registration in registrations:
        establishment = registration.establishment
        establishment.refresh_from_db()
        total = given_by[registration.pk] + match_by[registration.pk]
        by_commune[establishment.commune_id] += total
        by_category[establishment.category] += total
    assert {row.key: row.total_cents for row in result.communes} == {k: v for k, v in by_commune.items() if v}
    assert {row.key: row.total_cents for row in result.categories} == {k: v for k, v in by_category.items() if v}
    assert sum(row.total_cents for row in result.departements) == result.total_cents


def test_figures_per_day_place_and_category(personas):
    campaign = campaign_for(personas.a)
    strasbourg_cafe, strasbourg_bar, mulhouse = beneficiaries(campaign)
    days_ago(give(strasbourg_cafe, 500, email="ana@example.org"), 2)
    days_ago(give(strasbourg_cafe, 300, email="ben@example.org"), 2)
    days_ago(give(strasbourg_bar, 1000, email="ana@example.org"), 0)
    days_ago(give(mulhouse, 400, email="chloe@example.org"), 0)
    give(mulhouse, 700, email="dan@example.org", outcome="decline")

    result = figures.compute(campaign.collectivite, campaign)

    assert (result.given_cents, result.match_cents, result.gifts, result.donors, result.beneficiaries) == (
        2200,
        2200,
        4,
        3,
        3,
    )
    today = timezone.localdate()
    assert [(row.key, row.given_cents, row.gifts) for row in result.days] == [
        ((today - timedelta(days=2)).isoformat(), 800, 2),
        ((today - timedelta(days=1)).isoformat(), 0, 0),  # a day without gifts is on the curve
        (today.isoformat(), 1400, 2),
    ]
    assert [(row.key, row.total_cents) for row in result.departements] == [("67", 3600), ("68", 800)]
    assert [(row.key, row.total_cents) for row in result.communes] == [("67482", 3600), ("68224", 800)]
    assert [(row.key, row.total_cents) for row in result.categories] == [
        ("bar", 2000),
        ("cafe", 1600),
        ("restaurant", 800),
    ]
    assert result.top_communes[0].label == "Strasbourg"


def test_filters_narrow_the_figures_but_not_the_budget(personas):
    campaign = campaign_for(personas.a)
    strasbourg_cafe, strasbourg_bar, mulhouse = beneficiaries(campaign)
    days_ago(give(strasbourg_cafe, 500, email="ana@example.org"), 5)
    days_ago(give(strasbourg_bar, 1000, email="ben@example.org"), 1)
    days_ago(give(mulhouse, 400, email="chloe@example.org"), 1)
    today = timezone.localdate()
    everything = figures.compute(campaign.collectivite, campaign)

    def given(**filters):
        return figures.compute(campaign.collectivite, campaign, Filters(**filters)).given_cents

    assert given(departement="68") == 400
    assert given(commune="67482") == 1500
    assert given(category="bar") == 1000
    assert given(start=today - timedelta(days=2)) == 1400
    assert given(end=today - timedelta(days=2)) == 500
    assert given(start=today - timedelta(days=2), departement="67") == 1000
    assert given(category="hotel") == 0
    narrowed = figures.compute(campaign.collectivite, campaign, Filters(departement="68"))
    assert narrowed.budget == everything.budget


def test_the_collectivite_summary_adds_up_its_campaigns_and_no_one_elses(personas):
    first, second = campaign_for(personas.a), campaign_for(personas.a)
    theirs = campaign_for(personas.b)
    give(beneficiaries(first, [("67482", "cafe")])[0], 500)
    give(beneficiaries(second, [("68224", "bar")])[0], 300)
    give(beneficiaries(theirs, [("57463", "cafe")])[0], 900)

    result = figures.compute(personas.a.tenant)

    assert result.given_cents == 800
    assert result.budget.budget_cents == first.matching_budget_cents + second.matching_budget_cents
    assert result.budget.used_cents == 800
    assert {row.key for row in result.communes} == {"67482", "68224"}
