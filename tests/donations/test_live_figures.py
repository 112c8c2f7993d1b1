"""Live figures of a campaign (donations.figures): public budget used, reserved and left, total
given, gifts and donors — on the campaign page's progress bar and in the API — updated within
seconds of a confirmation, and cheap to serve (a few aggregate queries, cached three seconds)."""

import pytest
from django.core.cache import cache

from solidaire.donations.figures import Figures, campaign_figures, compute

from ..campaigns.helpers import text
from ..gifts import give, pay, start
from .helpers import refund

pytestmark = pytest.mark.django_db


def figures(campaign) -> Figures:
    cache.clear()
    return campaign_figures(campaign)


def test_a_new_campaign_has_its_whole_budget_left(campaign):
    assert figures(campaign) == Figures(10_000_000, 0, 0, 0, 0, 0)
    assert figures(campaign).matching_left_cents == 10_000_000


def test_a_started_gift_reserves_budget_without_using_it(cafe):
    start(cafe, 500)
    now = figures(cafe.campaign)
    assert (now.matching_used_cents, now.matching_reserved_cents, now.matching_left_cents) == (0, 500, 9_999_500)
    assert (now.gifts_total_cents, now.gifts_count, now.donors_count) == (0, 0, 0)


def test_a_confirmation_moves_the_reservation_to_used_and_counts_the_gift(cafe):
    give(cafe, 500, email="dora@example.org")
    pay(start(cafe, 1000, email="eve@example.org"), card="5555")
    give(cafe, 300, email="dora@example.org")  # same donor again: still within one maximum match
    now = figures(cafe.campaign)
    assert (now.matching_used_cents, now.matching_reserved_cents) == (500 + 1000 + 300, 0)
    assert now.matching_left_cents == 10_000_000 - 1800
    assert (now.gifts_total_cents, now.gifts_count, now.donors_count) == (1800, 3, 2)


def test_a_failed_payment_gives_its_reservation_back(cafe):
    give(cafe, 500, outcome="decline")
    now = figures(cafe.campaign)
    assert (now.matching_used_cents, now.matching_reserved_cents, now.gifts_count) == (0, 0, 0)


def test_a_refund_takes_the_gift_and_its_match_out_of_the_figures(cafe):
    refund(give(cafe, 500))
    now = figures(cafe.campaign)
    assert (now.matching_used_cents, now.gifts_total_cents, now.gifts_count, now.donors_count) == (0, 0, 0, 0)


def test_the_campaign_page_shows_budget_used_left_and_totals(personas, client_for, cafe):
    client = client_for(personas.a)
    before = text(client.get("/campagnes/cafe-solidaire/"))
    assert "0 € of 100 000 €" in before or "0 € sur 100 000 €" in before
    give(cafe, 500)
    start(cafe, 1000, email="eve@example.org")
    cache.clear()
    after = text(client.get("/campagnes/cafe-solidaire/"))
    assert "5 € of 100 000 €" in after or "5 € sur 100 000 €" in after
    assert "99 985 €" in after  # left: 100 000 € − 5 € used − 10 € reserved
    assert "10 € reserved" in after or "10 € réservés" in after
    assert 'value="500"' in after  # the progress bar


def test_the_api_shows_the_same_figures(personas, client_for, cafe):
    give(cafe, 500)
    start(cafe, 1000, email="eve@example.org")
    cache.clear()
    body = client_for(personas.a).get("/api/v1/campaigns/cafe-solidaire").json()
    assert {k: body[k] for k in body if k.startswith(("matching_", "gifts_", "donors_"))} == {
        "matching_ratio": 1.0,
        "matching_ratio_percent": 100,
        "matching_budget_cents": 10_000_000,
        "matching_used_cents": 500,
        "matching_reserved_cents": 1000,
        "matching_left_cents": 9_998_500,
        "gifts_total_cents": 500,
        "gifts_count": 1,
        "donors_count": 1,
    }


def test_figures_are_cached_for_a_few_seconds(cafe):
    stale = figures(cafe.campaign)
    give(cafe, 500)
    assert campaign_figures(cafe.campaign) == stale  # served from the cache
    cache.clear()  # three seconds later
    assert campaign_figures(cafe.campaign).matching_used_cents == 500


def test_a_budget_change_is_shown_at_once(cafe):
    figures(cafe.campaign)
    cafe.campaign.matching_budget_cents = 20_000_000
    assert campaign_figures(cafe.campaign).matching_budget_cents == 20_000_000


def test_serving_cached_figures_costs_no_query(cafe, django_assert_num_queries):
    figures(cafe.campaign)
    with django_assert_num_queries(0):
        campaign_figures(cafe.campaign)


def test_computing_figures_costs_three_queries_whatever_the_number_of_gifts(cafe, django_assert_num_queries):
    for n in range(5):
        pay(start(cafe, 500, email=f"donor{n}@example.org"), card=f"card {n}")
    with django_assert_num_queries(3):
        compute(cafe.campaign)


def test_the_number_of_donors_is_counted_again_by_a_task_once_a_minute_old(cafe, monkeypatch):
    """Counting distinct donors reads every gift (2 s at 2,000,000): the count is kept, and once
    it is DONORS_SECONDS old the next reader gets it as it was while a task counts again (run
    at once here: tasks are eager in tests) — asked once, whoever reads meanwhile."""
    from solidaire.donations import figures as live

    give(cafe, 500, email="dora@example.org")
    cache.clear()
    assert live.donors_count(cafe.campaign) == 1
    give(cafe, 500, email="eve@example.org")
    assert live.donors_count(cafe.campaign) == 1  # less than a minute old: as counted

    asked = []
    monkeypatch.setattr(live.count_donors_task, "delay", lambda campaign_id: asked.append(campaign_id))
    later = live.clock() + live.DONORS_SECONDS + 1
    monkeypatch.setattr(live, "clock", lambda: later)
    assert [live.donors_count(cafe.campaign) for _ in range(3)] == [1, 1, 1]  # the old count meanwhile
    assert asked == [cafe.campaign.pk]  # one task asked, not one per reader

    live.count_donors_task(cafe.campaign.pk)  # the task runs
    assert live.donors_count(cafe.campaign) == 2
    assert live.campaign_figures(cafe.campaign).donors_count in (1, 2)  # the figures' own 3 s cache


def test_a_page_never_counts_donors_once_they_were_counted(cafe, django_assert_num_queries):
    from solidaire.donations import figures as live

    give(cafe, 500)
    cache.clear()
    live.donors_count(cafe.campaign)
    with django_assert_num_queries(2):  # the pools and the registrations' totals, not the gifts
        live.compute(cafe.campaign)
