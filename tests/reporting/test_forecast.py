"""The forecast of exhaustion on constructed histories (reporting.forecast, pure)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solidaire.reporting import forecast as f

TODAY = date(2026, 6, 15)
START = date(2026, 5, 1)
END = date(2026, 9, 30)


def history(values_by_age: dict[int, int]) -> dict[date, int]:
    """{days before today: cents}."""
    return {TODAY - timedelta(days=age): cents for age, cents in values_by_age.items()}


def steady(cents: int, days: int = 40) -> dict[date, int]:
    return history(dict.fromkeys(range(1, days + 1), cents))


def run(daily, *, left=100_000, budget=1_000_000, today=TODAY, start=START, end=END):
    return f.forecast(daily, today=today, budget_cents=budget, left_cents=left, starts_on=start, ends_on=end)


def test_a_steady_pace_gives_an_exact_date_and_no_range():
    result = run(steady(10_000), left=100_000)
    assert result.outcome == f.RUNS_OUT
    assert result.rate_cents == pytest.approx(10_000)
    assert result.date == TODAY + timedelta(days=10)
    assert result.earliest == result.latest == result.date
    assert result.days_used == f.WINDOW_DAYS


def test_an_accelerating_pace_runs_out_sooner_than_the_plain_average_says():
    # 1,000 c a day four weeks ago, growing by 1,000 c a day every day: now 28,000 c a day.
    daily = history({age: 1_000 * (29 - age) for age in range(1, 29)})
    result = run(daily, left=1_000_000)
    plain_average = sum(daily.values()) / 28
    assert result.outcome == f.RUNS_OUT
    assert result.rate_cents > plain_average  # recent days count more
    assert result.date < TODAY + timedelta(days=round(1_000_000 / plain_average))
    # The range reaches the pace of the last week (faster still) and the four weeks' (slower).
    assert result.earliest < result.date < result.latest


def test_a_slowing_pace_moves_the_date_later_than_the_average():
    daily = history({age: 1_000 * age for age in range(1, 29)})  # 28,000 c a month ago, 1,000 yesterday
    result = run(daily, left=300_000)
    plain_average = sum(daily.values()) / 28
    assert result.rate_cents < plain_average
    assert result.earliest <= result.date
    assert result.latest is None or result.latest >= result.date


def test_recent_days_weigh_more_half_as_much_every_half_life():
    assert f.weights(15)[0] == 1
    assert f.weights(15)[f.HALF_LIFE_DAYS] == pytest.approx(0.5)
    assert f.weights(15)[2 * f.HALF_LIFE_DAYS] == pytest.approx(0.25)


def test_stopped_when_nothing_used_for_a_week():
    daily = history(dict.fromkeys(range(8, 30), 5000))
    assert run(daily).outcome == f.STOPPED


def test_not_stopped_when_something_was_used_today():
    daily = history({0: 5_000, **dict.fromkeys(range(8, 30), 5000)})
    assert run(daily).outcome != f.STOPPED


def test_already_exhausted():
    assert run(steady(10_000), left=0).outcome == f.EXHAUSTED


def test_no_gifts_yet():
    assert run({}).outcome == f.NO_GIFTS
    assert run(history({-3: 500})).outcome == f.NO_GIFTS  # only the future: nothing yet


def test_no_budget():
    assert run(steady(10_000), budget=0, left=0).outcome == f.NO_BUDGET


def test_campaign_ended():
    assert run(steady(10_000), end=TODAY - timedelta(days=1)).outcome == f.ENDED


def test_will_not_run_out_before_the_end_date():
    result = run(steady(100), left=1_000_000)  # 10,000 days at this pace
    assert result.outcome == f.NOT_BEFORE_END
    assert result.date is None


def test_a_campaign_opened_today_is_measured_on_today():
    result = run(history({0: 50_000}), start=TODAY, left=100_000)
    assert result.outcome == f.RUNS_OUT
    assert result.date == TODAY + timedelta(days=2)


def test_days_before_the_campaign_opened_do_not_count():
    daily = history({1: 10_000, 2: 10_000})
    result = run(daily, start=TODAY - timedelta(days=2), left=100_000)
    assert result.rate_cents == pytest.approx(10_000)
    assert result.days_used == 2


def test_runs_out_within():
    result = run(steady(10_000), left=70_000)
    assert result.within(TODAY, 7)
    assert not run(steady(10_000), left=80_000).within(TODAY, 7)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=40),
    left=st.integers(min_value=1, max_value=10_000_000),
)
def test_the_date_lies_within_its_range_and_more_left_never_runs_out_sooner(values, left):
    daily = history({age + 1: cents for age, cents in enumerate(values)})
    result = run(daily, left=left)
    more = run(daily, left=left * 2)
    if result.outcome == f.RUNS_OUT:
        assert result.earliest <= result.date <= TODAY + timedelta(days=36_500)
        assert result.latest is None or result.date <= result.latest <= END
        assert result.date > TODAY
        assert more.outcome in (f.RUNS_OUT, f.NOT_BEFORE_END)
        if more.outcome == f.RUNS_OUT:
            assert more.date >= result.date
    else:
        assert result.outcome in (f.NOT_BEFORE_END, f.STOPPED, f.NO_GIFTS)


def test_nothing_used_before_today_measures_today():
    result = run(history({0: 10_000}), start=TODAY - timedelta(days=3), left=30_000)
    assert result.outcome == f.RUNS_OUT
    assert result.date == TODAY + timedelta(days=3)
