"""Redemption under real concurrency, on PostgreSQL: counters scanning the same voucher at the
same moment (threads with their own connections, released together on a barrier). One wins, the
others are told the voucher is used; partial uses never add up to more than the voucher’s value;
a form submitted several times at once is debited once; limited stock is never overdrawn."""

import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum

from solidaire.core.errors import ActionError
from solidaire.payments import inbox
from solidaire.vouchers.models import Offer, Redemption, Voucher

from ..matching.helpers import SUCCEEDED, begin, event
from .helpers import approved_offer, redeem, voucher_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"),
]


def all_at_once(count, work):
    """Runs work(i) in `count` threads released together; returns each one's result or the
    ActionError it raised. Any other error fails the test."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except ActionError as refused:
            results[i] = refused
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    assert errors == [], errors
    return results


def won(results) -> list[Redemption]:
    return [r for r in results if isinstance(r, Redemption)]


def refused(results) -> list[str]:
    return [r.code for r in results if isinstance(r, ActionError)]


@pytest.fixture
def voucher(personas, cafe):
    approved_offer(cafe, personas.a.moderator)
    return voucher_for(cafe, 1000)  # 12 €, partial use allowed


def assert_within_value(voucher):
    voucher = Voucher.objects.get(pk=voucher.pk)
    used = Redemption.objects.filter(voucher=voucher, undone_at=None).aggregate(t=Sum("amount_cents"))["t"] or 0
    assert 0 <= voucher.remaining_cents == voucher.value_cents - used
    return voucher


@pytest.mark.parametrize("counters", [2, 8])
def test_counters_redeeming_the_whole_voucher_at_once_one_wins(personas, voucher, counters):
    results = all_at_once(counters, lambda i: redeem(voucher, personas.a.owner, key=f"counter-{i}"))
    assert len(won(results)) == 1
    assert refused(results) == ["used"] * (counters - 1)
    assert Redemption.objects.count() == 1
    voucher = assert_within_value(voucher)
    assert (voucher.remaining_cents, voucher.status) == (0, "used")


def test_two_partial_uses_that_do_not_fit_together(personas, voucher):
    amounts = [700, 800]
    results = all_at_once(2, lambda i: redeem(voucher, personas.a.owner, amounts[i], key=f"counter-{i}"))
    assert len(won(results)) == 1 and refused(results) == ["too_much"]
    voucher = assert_within_value(voucher)
    assert voucher.remaining_cents in (500, 400)


def test_eight_partial_uses_never_add_up_to_more_than_the_value(personas, voucher):
    results = all_at_once(8, lambda i: redeem(voucher, personas.a.owner, 300, key=f"counter-{i}"))
    assert len(won(results)) == 4  # 4 × 3 € = 12 €
    assert refused(results) == ["used"] * 4
    voucher = assert_within_value(voucher)
    assert (voucher.remaining_cents, voucher.status) == (0, "used")


def test_uneven_partial_uses_at_once_stay_within_the_value(personas, voucher):
    amounts = [100, 250, 400, 550, 700, 850, 1000, 1200]
    results = all_at_once(8, lambda i: redeem(voucher, personas.a.owner, amounts[i], key=f"counter-{i}"))
    assert sum(r.amount_cents for r in won(results)) <= 1200
    assert_within_value(voucher)


def test_one_form_submitted_eight_times_at_once_is_debited_once(personas, voucher):
    """A double tap on "Redeem", or a phone retrying on a bad network: the same form key."""
    results = all_at_once(8, lambda i: redeem(voucher, personas.a.owner, 500, key="the-same-form"))
    assert refused(results) == []
    assert len({r.pk for r in won(results)}) == 1
    assert Redemption.objects.count() == 1
    voucher = assert_within_value(voucher)
    assert voucher.remaining_cents == 700


def test_limited_stock_is_never_overdrawn_by_gifts_confirmed_at_once(personas, cafe):
    offer = approved_offer(cafe, personas.a.moderator, stock=3)
    gifts = [begin(cafe, 500, email=f"donor{i}@example.org") for i in range(8)]

    def confirm(i):
        status, _notification = inbox.apply(
            collectivite=gifts[i].collectivite,
            provider_name=gifts[i].provider,
            event=event(gifts[i], SUCCEEDED, card=f"c{i}"),
        )
        return status

    assert all_at_once(8, confirm) == [200] * 8
    assert Voucher.objects.count() == 3
    assert Offer.objects.get(pk=offer.pk).issued_count == 3
