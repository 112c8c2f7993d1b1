"""When will the public budget run out? Pure arithmetic on the public match used per day
(docs/adr/0019-budget-forecast.md).

The pace is an exponentially weighted mean of the daily use over the last WINDOW_DAYS complete
days (today is not complete: it would pull the pace down every morning), a day's weight halving
every HALF_LIFE_DAYS days back; days before the campaign opened do not count. Until a complete
day has seen any use (a campaign’s first day), today alone gives the pace. The date is today +
what is left ÷ that pace. The range comes from the slowest and the fastest of three paces: the
weighted one less and plus its standard error (the day-to-day spread, weighted the same way,
over the square root of the effective number of days), the plain mean of the last 7 days and that
of the last 28 — a campaign speeding up or slowing down widens the range on the side it goes.
"""

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

HALF_LIFE_DAYS = 7
WINDOW_DAYS = 28
SHORT_DAYS = 7
# No public money used for this many complete days: the campaign has stopped, no forecast.
STOPPED_AFTER_DAYS = 7

NO_BUDGET = "no_budget"  # the campaign adds no public money
NO_GIFTS = "no_gifts"  # nothing used yet
EXHAUSTED = "exhausted"  # nothing left
ENDED = "ended"  # gifts are closed
STOPPED = "stopped"  # nothing used lately
NOT_BEFORE_END = "not_before_end"  # at this pace, there will be some left at the end
RUNS_OUT = "runs_out"  # at this pace, it runs out on `date`


@dataclass(frozen=True)
class Forecast:
    outcome: str
    rate_cents: float = 0.0  # the weighted pace, cents a day
    date: datetime.date | None = None  # when it runs out at that pace
    earliest: datetime.date | None = None  # at the fastest plausible pace
    latest: datetime.date | None = None  # at the slowest (None: not before the end)
    days_used: int = 0  # complete days the pace was measured on

    @property
    def runs_out(self) -> bool:
        return self.outcome == RUNS_OUT

    def within(self, today: date, days: int) -> bool:
        """It runs out in `days` days or fewer from `today`."""
        return self.runs_out and self.date is not None and (self.date - today).days <= days


@dataclass(frozen=True)
class Pace:
    rate: float
    error: float
    short: float
    long: float
    days: int


def weights(days: int, half_life: float = HALF_LIFE_DAYS) -> list[float]:
    """Weight of each day, the most recent first: halves every `half_life` days."""
    return [0.5 ** (age / half_life) for age in range(days)]


def pace(daily: Mapping[date, int], *, first: date, last: date, half_life: float = HALF_LIFE_DAYS) -> Pace:
    """The paces measured from `first` to `last` (both included; days missing from `daily` used
    nothing), at most WINDOW_DAYS days back from `last`."""
    first = max(first, last - timedelta(days=WINDOW_DAYS - 1))
    n = (last - first).days + 1
    if n <= 0:
        return Pace(0.0, 0.0, 0.0, 0.0, 0)
    values = [daily.get(last - timedelta(days=age), 0) for age in range(n)]  # most recent first
    w = weights(n, half_life)
    total = sum(w)
    rate = sum(wi * xi for wi, xi in zip(w, values, strict=True)) / total
    spread = math.sqrt(sum(wi * (xi - rate) ** 2 for wi, xi in zip(w, values, strict=True)) / total)
    effective = total**2 / sum(wi * wi for wi in w)
    return Pace(
        rate=rate,
        error=spread / math.sqrt(effective),
        short=sum(values[:SHORT_DAYS]) / min(n, SHORT_DAYS),
        long=sum(values) / n,
        days=n,
    )


def _runs_out_on(today: date, left_cents: int, rate: float) -> date | None:
    if rate <= 0:
        return None
    days = math.ceil(round(left_cents / rate, 6))  # not a day more for a float's last digit
    if days > 36_500:  # a century: never, as far as anyone is concerned
        return None
    return today + timedelta(days=days)


def forecast(
    daily: Mapping[date, int],
    *,
    today: date,
    budget_cents: int,
    left_cents: int,
    starts_on: date,
    ends_on: date,
    half_life: float = HALF_LIFE_DAYS,
) -> Forecast:
    """The forecast on `today` of a budget of `budget_cents` with `left_cents` left, for a
    campaign taking gifts from `starts_on` to `ends_on` (its last day), from the match used per
    day (`daily`, cents by local date)."""
    if budget_cents <= 0:
        return Forecast(NO_BUDGET)
    if left_cents <= 0:
        return Forecast(EXHAUSTED)
    if today > ends_on:
        return Forecast(ENDED)
    if not any(cents > 0 for day, cents in daily.items() if day <= today):
        return Forecast(NO_GIFTS)
    yesterday = today - timedelta(days=1)
    if yesterday < starts_on or not any(cents > 0 for day, cents in daily.items() if starts_on <= day <= yesterday):
        # Opened today, or nothing used before today: today is all there is.
        measured = pace(daily, first=today, last=today, half_life=half_life)
    else:
        measured = pace(daily, first=starts_on, last=yesterday, half_life=half_life)
        recent = [daily.get(yesterday - timedelta(days=age), 0) for age in range(STOPPED_AFTER_DAYS)]
        if measured.days >= STOPPED_AFTER_DAYS and not any(recent) and not daily.get(today):
            return Forecast(STOPPED, days_used=measured.days)
    rates = [measured.rate - measured.error, measured.rate + measured.error, measured.short, measured.long]
    fastest = max(rates)
    slowest = max(min(rates), 0.0)
    when = _runs_out_on(today, left_cents, measured.rate)
    earliest = _runs_out_on(today, left_cents, fastest)
    latest = _runs_out_on(today, left_cents, slowest)
    if latest is not None and latest > ends_on:
        latest = None
    if when is None or when > ends_on:
        return Forecast(
            NOT_BEFORE_END,
            rate_cents=measured.rate,
            earliest=earliest if earliest is not None and earliest <= ends_on else None,
            days_used=measured.days,
        )
    return Forecast(
        RUNS_OUT,
        rate_cents=measured.rate,
        date=when,
        earliest=earliest,
        latest=latest,
        days_used=measured.days,
    )
