"""`ledger-check` covers every counter the product reads, not only the journal: pools,
allocations, each registration's matched, reserved and received totals, donor counters, gifts'
figures (refunds, lost disputes, fees, Connect transfers, matches reversed) and states, refunds
and disputes, voucher balances and offers' issued counts, the notification inbox.

Two collectivités' books, made through the product's own write paths, hold every kind of gift —
confirmed, partly refunded, disputed, dispute lost, pending with its match held — and vouchers
partly used; the check finds nothing. Each test then breaks one counter behind the product's
back (a queryset update, never an action) and the check names it, in the books of the
collectivité it concerns and only there."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from solidaire.beneficiaries.models import Registration
from solidaire.donations.models import Dispute, Gift, Refund
from solidaire.ledger.checks import check_all
from solidaire.matching.models import Allocation, DonorUsage, Pool
from solidaire.payments.models import Notification
from solidaire.vouchers.models import Offer, Voucher

from ..donations.helpers import decide_dispute, open_dispute, refund
from ..gifts import approved_registration
from ..matching.helpers import begin, campaign_for, give
from ..vouchers.helpers import approved_offer, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(personas):
    """Collectivité A: a café with a voucher offer and a bar without one. At the café, a gift
    whose voucher is partly used, one partly refunded (its voucher loses what was refunded), one
    disputed (its voucher on hold); at the bar, a dispute lost, a plain gift and a pending gift
    whose match is held. Collectivité B: a café with an offer, a gift, a disputed gift and a
    pending one."""
    a = SimpleNamespace(tenant=personas.a.tenant)
    a.campaign = campaign_for(
        personas.a, matching_budget_cents=20_000, beneficiary_cap_cents=5_000, donor_limit_cents=1_500
    )
    a.cafe, a.bar = approved_registration(a.campaign), approved_registration(a.campaign)
    a.offer = approved_offer(a.cafe, personas.a.moderator)
    a.used = give(a.cafe, 1000, email="ana@example.org")
    redeem(voucher_of(a.used), a.cafe.establishment.owner, 500)
    a.partly = refund(give(a.cafe, 800, email="bob@example.org"), actor=personas.a.finance, amount_cents=300)
    a.disputed = open_dispute(give(a.cafe, 600, email="carla@example.org"))
    a.lost = decide_dispute(open_dispute(give(a.bar, 700, email="dan@example.org")), won=False)
    a.confirmed = give(a.bar, 500, email="erin@example.org")
    a.pending = begin(a.bar, 400, email="gus@example.org")

    b = SimpleNamespace(tenant=personas.b.tenant)
    b.campaign = campaign_for(personas.b)
    b.cafe = approved_registration(b.campaign, commune="57463")
    b.offer = approved_offer(b.cafe, personas.b.moderator)
    b.confirmed = give(b.cafe, 1000, email="ines@example.org")
    b.disputed = open_dispute(give(b.cafe, 500, email="jo@example.org"))
    b.pending = begin(b.cafe, 300, email="kim@example.org")

    assert (voucher_of(a.used).remaining_cents, voucher_of(a.partly).withdrawn_cents) == (700, 360)
    assert (a.partly.status, a.disputed.status, a.lost.status, b.disputed.status) == (
        "partly_refunded",
        "disputed",
        "charged_back",
        "disputed",
    )
    assert {voucher_of(a.disputed).status, voucher_of(b.disputed).status} == {"frozen"}
    assert Registration.objects.get(pk=a.bar.pk).matching_reserved_cents == 400
    assert check_all() == []
    return SimpleNamespace(a=a, b=b)


def voucher_of(gift) -> Voucher:
    return Voucher.objects.get(gift=gift)


def assert_found(side, invariant: str, *words: str):
    """check_all() names `invariant` with each of `words` in one violation's detail, and every
    violation it finds is about `side`'s books (its collectivité id)."""
    violations = check_all()
    shown = [(str(v), v.collectivite_id) for v in violations]
    assert any(v.invariant == invariant and all(w in v.detail for w in words) for v in violations), shown
    assert {v.collectivite_id for v in violations} == {side.tenant.pk}, shown


def test_the_books_of_a_realistic_campaign_hold(books):
    assert check_all() == []


# Matching: registrations, pools, allocations, donors ------------------------------------------


@pytest.mark.parametrize("side", ["a", "b"])
@pytest.mark.parametrize(
    "field", ["matching_total_cents", "matching_reserved_cents", "gifts_count", "gifts_total_cents"]
)
def test_a_registrations_counter_that_drifted_is_found(books, side, field):
    side = getattr(books, side)
    Registration.objects.filter(pk=side.cafe.pk).update(**{field: F(field) + 1})

    assert_found(side, "registration counters", f"registration {side.cafe.pk}:")


@pytest.mark.parametrize("field", ["used_cents", "reserved_cents"])
def test_a_donor_counter_that_drifted_is_found(books, field):
    # Kim's (e-mail) counter: her pending gift's match held, nothing used yet.
    usage = DonorUsage.objects.get(
        campaign=books.b.campaign, key__startswith="email:", key__contains="|reg:", reserved_cents=300
    )
    DonorUsage.objects.filter(pk=usage.pk).update(**{field: F(field) + 1})

    assert_found(books.b, "donor counters", f"{usage.key}: counters")


@pytest.mark.parametrize("field", ["used_cents", "reserved_cents"])
def test_a_pool_counter_that_drifted_is_found(books, field):
    pool = Pool.objects.get(campaign=books.a.campaign)
    Pool.objects.filter(pk=pool.pk).update(**{field: F(field) - 1})

    assert_found(books.a, "pool counters", str(pool))


def test_an_allocation_that_says_more_of_its_match_was_taken_back_is_found(books):
    allocation = Allocation.objects.get(gift=books.a.partly)
    assert allocation.reversed_cents == 300
    Allocation.objects.filter(pk=allocation.pk).update(reversed_cents=F("reversed_cents") + 1)

    assert_found(books.a, "one match per gift", f"gift {books.a.partly.pk}")


# Gifts: their figures against the journal, their states, refunds, disputes ----------------------


@pytest.mark.parametrize(
    ("side", "gift", "change", "kind"),
    [
        ("a", "partly", {"refunded_cents": F("refunded_cents") + 1}, "gift.refunded"),
        ("a", "lost", {"charged_back_cents": F("charged_back_cents") - 1}, "dispute.lost"),
        ("a", "lost", {"match_reversed_cents": F("match_reversed_cents") - 1}, "match.reversed"),
        ("a", "partly", {"match_reversed_cents": F("match_reversed_cents") + 1}, "match.reversed"),
        ("b", "confirmed", {"fee_cents": F("fee_cents") + 1}, "gift.fee"),
        # Stripe Connect: the gift says its money went on to the café, no transfer was booked.
        ("b", "confirmed", {"transferred_cents": 961}, "connect.transfer"),
        ("b", "confirmed", {"application_fee_cents": 30}, "connect.application_fee"),
    ],
    ids=["refunded", "charged back", "match reversed (lost)", "match reversed (partly)", "fee", "transfer", "app fee"],
)
def test_a_gifts_figure_its_entries_do_not_bear_out_is_found(books, side, gift, change, kind):
    side = getattr(books, side)
    gift = getattr(side, gift)
    Gift.objects.filter(pk=gift.pk).update(**change)

    assert_found(side, "gift entries", f"gift {gift.pk}", kind)


@pytest.mark.parametrize(
    ("gift", "status", "says"),
    [
        ("partly", "confirmed", "is confirmed, its money says partly_refunded"),
        ("partly", "refunded", "is refunded, its money says partly_refunded"),
        ("used", "partly_refunded", "is partly_refunded, its money says confirmed"),
        ("lost", "refunded", "is refunded, its money says charged_back"),
        ("confirmed", "disputed", "is disputed without an open dispute"),
        ("confirmed", "refund_requested", "is waiting for a refund nobody asked for"),
    ],
)
def test_a_gift_whose_state_its_money_does_not_bear_out_is_found(books, gift, status, says):
    gift = getattr(books.a, gift)
    Gift.objects.filter(pk=gift.pk).update(status=status)

    assert_found(books.a, "gift state", f"gift {gift.pk} {says}")


def test_a_refund_marked_made_without_its_money_is_found(books):
    gift = books.a.confirmed
    Refund.objects.create(gift=gift, amount_cents=200, status="succeeded", key="forged-refund")

    assert_found(books.a, "refunds", f"gift {gift.pk}: refunded 0, its refunds add up to 200")


def test_a_refund_whose_amount_was_changed_is_found(books):
    gift = books.a.partly
    Refund.objects.filter(gift=gift).update(amount_cents=F("amount_cents") - 1)

    assert_found(books.a, "refunds", f"gift {gift.pk}: refunded 300, its refunds add up to 299")


def test_a_refund_asked_for_on_a_gift_not_waiting_for_it_is_found(books):
    gift = books.b.confirmed
    Refund.objects.create(gift=gift, amount_cents=200, status="requested", key="forged-request")

    assert_found(books.b, "gift state", f"gift {gift.pk} is confirmed but has a refund asked for")


def test_a_dispute_left_open_on_a_gift_that_is_not_disputed_is_found(books):
    gift = books.a.lost
    Dispute.objects.filter(gift=gift).update(status="open", closed_at=None)

    assert_found(books.a, "gift state", f"gift {gift.pk} is charged_back but has an open dispute")
    # ...and the provider withdrew nothing for it.
    assert_found(books.a, "disputes", "withdrawn for disputes")


def test_a_disputed_gift_whose_dispute_was_closed_is_found(books):
    gift = books.b.disputed
    Dispute.objects.filter(gift=gift).update(status="won", closed_at=timezone.now())

    assert_found(books.b, "gift state", f"gift {gift.pk} is disputed without an open dispute")


# Vouchers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "gift"),
    [("a", "used"), ("a", "partly"), ("b", "confirmed")],
    ids=["partly used", "partly refunded", "untouched"],
)
def test_a_voucher_balance_its_value_and_redemptions_do_not_bear_out_is_found(books, side, gift):
    side = getattr(books, side)
    voucher = voucher_of(getattr(side, gift))
    Voucher.objects.filter(pk=voucher.pk).update(remaining_cents=F("remaining_cents") - 1)

    assert_found(side, "voucher balances", f"voucher {voucher.code}")


def test_an_offers_issued_count_that_drifted_is_found(books):
    Offer.objects.filter(pk=books.b.offer.pk).update(issued_count=F("issued_count") + 1)

    assert_found(books.b, "voucher balances", f"offer {books.b.offer.pk}: 3 issued, 2 vouchers")


@pytest.mark.parametrize(
    ("side", "gift", "status"),
    [("b", "disputed", "active"), ("a", "disputed", "active"), ("a", "used", "frozen")],
    ids=["usable while disputed (B)", "usable while disputed (A)", "on hold without a dispute"],
)
def test_a_voucher_on_hold_or_not_against_its_gifts_dispute_is_found(books, side, gift, status):
    side = getattr(books, side)
    voucher = voucher_of(getattr(side, gift))
    Voucher.objects.filter(pk=voucher.pk).update(status=status)

    assert_found(side, "voucher balances", f"voucher {voucher.code}: on hold or not")


# The notification inbox ---------------------------------------------------------------------------


def test_a_notification_left_received_for_more_than_a_quarter_of_an_hour_is_found(books):
    notification = Notification.objects.filter(collectivite=books.b.tenant, status="applied").first()
    Notification.objects.filter(pk=notification.pk).update(
        status="received", received_at=timezone.now() - timedelta(minutes=16)
    )

    assert_found(books.b, "one application per notification", "1 notifications received but not applied")


def test_a_notification_being_applied_right_now_is_not_a_problem(books):
    notification = Notification.objects.filter(collectivite=books.b.tenant, status="applied").first()
    Notification.objects.filter(pk=notification.pk).update(
        status="received", received_at=timezone.now() - timedelta(minutes=14)
    )

    assert check_all() == []


def test_a_notification_stored_twice_is_found(books):
    original = Notification.objects.filter(collectivite=books.a.tenant, event_type="payment.succeeded").first()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX one_notification_per_event_and_collectivite")  # rolled back with the test
    copy = Notification.objects.get(pk=original.pk)
    copy.pk = None
    copy.save()

    assert_found(books.a, "one application per notification", f"{original.event_id} stored 2 times")


# The guard's running balances (PostgreSQL) --------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kept by a PostgreSQL trigger")
@pytest.mark.parametrize("side", ["a", "b"])
def test_a_running_balance_of_the_guard_that_drifted_is_found(books, side):
    from solidaire.ledger.models import AccountKind, GuardedBalance

    side = getattr(books, side)
    kept = GuardedBalance.objects.get(account__kind=AccountKind.BENEFICIARY_GIFTS, account__registration=side.cafe)
    GuardedBalance.objects.filter(pk=kept.pk).update(balance_cents=F("balance_cents") + 1)

    assert_found(side, "guarded balance", f"beneficiary_gifts:{side.cafe.pk}:")
