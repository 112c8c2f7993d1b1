"""`solidaire ledger-check` recomputes every money invariant from the journal and the matching
tables. On a realistic campaign — gifts confirmed, declined, refunded, charged back, pending,
abandoned, given by an owner to their own café — it finds nothing wrong; each invariant broken
behind the engine's back (raw SQL, a queryset update) makes it fail, naming that invariant."""

from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from solidaire.campaigns.models import Campaign
from solidaire.donations.models import Gift
from solidaire.ledger import journal
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import Account, AccountKind, Entry, Posting
from solidaire.matching.engine import expire_holds
from solidaire.matching.models import Allocation, AllocationStatus, DonorUsage, Pool
from solidaire.payments.models import Notification

from ..gifts import approved_registration
from ..matching.helpers import (
    EXPIRED,
    FAILED,
    PENDING,
    begin,
    campaign_for,
    charge_back,
    confirm,
    give,
    notify,
    owed_from_matching,
    refund_through_provider,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas):
    """200 € of public money in one pool, at most 50 € per café and 15 € per donor, and every
    kind of gift a real campaign sees — in both collectivités. Two gifts go through the sandbox's
    hosted page; the others' events are handed to the notification inbox directly."""
    campaign = campaign_for(
        personas.a, matching_budget_cents=20_000, beneficiary_cap_cents=5_000, donor_limit_cents=1_500
    )
    cafe, bar = approved_registration(campaign), approved_registration(campaign)
    own = approved_registration(campaign, owner=personas.a.owner)
    give(cafe, 1000, email="ana@example.org")
    confirm(begin(cafe, 500, email="bob@example.org"), card="bob")
    confirm(begin(bar, 700, email="ana@example.org"), card="ana")  # reaches ana's limit: partly matched
    pending_then_paid = begin(bar, 300, email="carla@example.org")
    notify(pending_then_paid, PENDING, card="carla")
    confirm(pending_then_paid, card="carla")
    notify(begin(cafe, 800, email="dan@example.org"), FAILED)
    notify(begin(bar, 800, email="dan@example.org"), EXPIRED)
    refund_through_provider(give(bar, 1000, email="erin@example.org"), personas.a.finance)
    charge_back(confirm(begin(cafe, 600, email="fred@example.org"), card="fred"))
    confirm(begin(own, 1000, email=personas.a.owner.email), card="oscar")  # self-dealing: not matched
    begin(cafe, 900, email="hugo@example.org", minutes_ago=60)  # abandoned...
    expire_holds(now=timezone.now())  # ...its hold released
    begin(bar, 400, email="gus@example.org")  # pending, its match held
    other = campaign_for(personas.b)
    confirm(begin(approved_registration(other, commune="57463"), 1000, email="ines@example.org"))
    assert Gift.objects.filter(campaign=campaign, status="confirmed", match_cents__gt=0).count() == 4
    assert set(Gift.objects.values_list("status", flat=True)) == {
        "pending",
        "confirmed",
        "failed",
        "expired",
        "refunded",
        "charged_back",
    }
    assert Allocation.objects.filter(status=AllocationStatus.HELD).count() == 1
    return campaign


def first_broken() -> str:
    """The invariant the command names first (and fails on)."""
    with pytest.raises(CommandError) as failed:
        call_command("ledger-check")
    message = str(failed.value)
    assert message.startswith("invariant broken — ")
    return message.removeprefix("invariant broken — ").split(":", 1)[0]


def test_a_realistic_campaign_passes(campaign, capsys):
    call_command("ledger-check")

    assert "every invariant holds" in capsys.readouterr().out
    assert check_all() == []


def test_an_empty_ledger_passes(db):
    call_command("ledger-check")


def test_a_broken_ledger_makes_the_command_exit_with_status_one(campaign):
    Pool.objects.filter(campaign=campaign).update(used_cents=F("used_cents") + 1)

    with pytest.raises(CommandError) as failed:
        call_command("ledger-check")

    # What `solidaire ledger-check` exits with (BaseCommand.run_from_argv: sys.exit(returncode)).
    assert failed.value.returncode == 1
    assert "matching journal" in str(failed.value)


def test_every_other_broken_invariant_is_listed_too(campaign, capsys):
    Pool.objects.filter(campaign=campaign).update(reserved_cents=F("reserved_cents") + 1)
    DonorUsage.objects.filter(used_cents__gt=0).update(used_cents=F("used_cents") + 1)

    assert first_broken() == "pool counters"
    assert "also: donor counters" in capsys.readouterr().err


# Each invariant, broken on its own ----------------------------------------------------------------


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextmanager
def never_committed():
    """A forgery PostgreSQL would refuse at commit (its deferred trigger; Django's test case
    checks deferred constraints at teardown): kept in a savepoint that is rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def test_an_entry_that_does_not_balance_is_found(campaign):
    entry = Entry.objects.filter(kind="gift.received").first()
    account = Posting.objects.filter(entry=entry).first().account
    with never_committed():
        _raw(
            "INSERT INTO ledger_posting (entry_id, account_id, amount_cents) VALUES (%s, %s, 1)", [entry.pk, account.pk]
        )

        assert first_broken() == "balanced entries"


@pytest.mark.parametrize("lines", [[], [100]], ids=["no line", "one line"])
def test_an_entry_with_fewer_than_two_lines_is_found(campaign, lines):
    account = Account.objects.filter(kind=AccountKind.PROVIDER_CASH).first()
    with never_committed():
        _raw(
            "INSERT INTO ledger_entry (kind, key, collectivite_id, memo, created_at)"
            " VALUES ('forged', 'forged:1', %s, '', %s)",
            [campaign.collectivite_id, campaign.created_at],
        )
        for amount in lines:
            _raw(
                "INSERT INTO ledger_posting (entry_id, account_id, amount_cents) VALUES (%s, %s, %s)",
                [Entry.objects.get(key="forged:1").pk, account.pk, amount],
            )

        assert first_broken() == "balanced entries"


def test_matching_beyond_the_budget_is_found(campaign):
    used = sum(Pool.objects.filter(campaign=campaign).values_list("used_cents", flat=True))
    Campaign.objects.filter(pk=campaign.pk).update(matching_budget_cents=used - 1)

    assert first_broken() == "budget"


def test_pools_that_do_not_add_up_to_the_budget_are_found(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(matching_budget_cents=F("matching_budget_cents") + 100)

    assert first_broken() == "budget"


def test_a_pool_over_capacity_cannot_even_be_written(campaign):
    pool = Pool.objects.get(campaign=campaign)

    with pytest.raises(IntegrityError), transaction.atomic():
        Pool.objects.filter(pk=pool.pk).update(used_cents=F("capacity_cents") - F("reserved_cents") + 1)

    assert check_all() == []


def test_pools_that_disagree_with_the_journal_are_found(campaign):
    Pool.objects.filter(campaign=campaign).update(used_cents=F("used_cents") + 100)

    assert first_broken() == "matching journal"


def test_a_second_partial_match_in_a_pool_is_found(campaign):
    posted = Allocation.objects.filter(campaign=campaign, status=AllocationStatus.POSTED, partial=False)
    Allocation.objects.filter(pk__in=list(posted.values_list("pk", flat=True)[:2])).update(partial=True)

    assert first_broken() == "one partial match per pool"


def test_a_pool_counter_that_drifted_from_its_allocations_is_found(campaign):
    Pool.objects.filter(campaign=campaign).update(reserved_cents=F("reserved_cents") + 1)

    assert first_broken() == "pool counters"


def test_a_gift_whose_match_differs_from_its_allocation_is_found(campaign):
    gift = Gift.objects.filter(campaign=campaign, status="confirmed", match_cents__gt=0).first()
    Gift.objects.filter(pk=gift.pk).update(match_cents=F("match_cents") + 1)

    assert first_broken() == "one match per gift"


def test_a_confirmed_gift_matched_without_an_allocation_is_found(campaign):
    gift = Gift.objects.filter(campaign=campaign, status="confirmed", match_cents=0).first()
    Gift.objects.filter(pk=gift.pk).update(match_cents=100)

    assert first_broken() == "one match per gift"


def test_a_gift_matched_twice_in_the_journal_is_found(campaign, capsys):
    gift = Gift.objects.filter(campaign=campaign, status="confirmed", match_cents__gt=0).first()
    journal.post(
        kind="match.posted",
        key=f"gift:{gift.pk}:match-again",
        collectivite=campaign.collectivite,
        gift=gift,
        lines=[
            (journal.account(AccountKind.CAMPAIGN_MATCHING, collectivite=campaign.collectivite, campaign=campaign), 1),
            (
                journal.account(
                    AccountKind.BENEFICIARY_MATCHING, collectivite=campaign.collectivite, registration=gift.registration
                ),
                -1,
            ),
        ],
    )

    # The journal now says more public money went out than the pools gave: that is found first.
    assert first_broken() == "matching journal"
    assert f"one match per gift: gift {gift.pk} matched 2 times" in capsys.readouterr().err


def test_a_beneficiary_matched_beyond_the_cap_is_found(campaign):
    top = max(owed_from_matching(r) for r in campaign.registrations.all())
    Campaign.objects.filter(pk=campaign.pk).update(beneficiary_cap_cents=top - 1)

    assert first_broken() == "cap per beneficiary"


def test_a_donor_matched_beyond_the_limit_is_found(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(donor_limit_cents=1_499)

    assert first_broken() == "limit per donor"


def test_a_donor_matched_beyond_one_maximum_gift_at_one_establishment_is_found(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(max_gift_cents=999)

    assert first_broken() == "limit per donor"


def test_a_donor_counter_that_drifted_from_the_allocations_is_found(campaign):
    usage = DonorUsage.objects.filter(campaign=campaign, used_cents__gt=0).first()
    DonorUsage.objects.filter(pk=usage.pk).update(used_cents=F("used_cents") - 1)

    assert first_broken() == "donor counters"


def test_a_notification_stored_twice_is_found(campaign):
    original = Notification.objects.filter(status="applied", event_type="payment.succeeded").first()
    _raw("DROP INDEX one_notification_per_event_and_collectivite", [])  # rolled back with the test
    copy = Notification.objects.get(pk=original.pk)
    copy.pk = None
    copy.save()

    assert first_broken() == "one application per notification"


def test_a_confirmed_gift_without_its_receipt_entry_is_found(campaign):
    pending = Gift.objects.get(campaign=campaign, status="pending", email="gus@example.org")
    Gift.objects.filter(pk=pending.pk).update(status="confirmed")

    assert first_broken() == "one application per notification"


def test_a_refunded_gift_without_its_reversal_entry_is_found(campaign):
    confirmed = Gift.objects.filter(campaign=campaign, status="confirmed").first()
    Gift.objects.filter(pk=confirmed.pk).update(status="refunded")

    assert first_broken() == "gift state"


def test_a_gift_said_refunded_without_its_reversal_entry_is_found(campaign):
    confirmed = Gift.objects.filter(campaign=campaign, status="confirmed").first()
    Gift.objects.filter(pk=confirmed.pk).update(status="refunded", refunded_cents=F("amount_cents"))

    assert first_broken() == "gift entries"


@pytest.mark.parametrize("kind", [AccountKind.BENEFICIARY_GIFTS, AccountKind.BENEFICIARY_MATCHING])
def test_a_beneficiary_paid_more_than_it_is_owed_is_found(campaign, kind):
    """ledger-check finds it; on PostgreSQL the database also refuses it at commit (the deferred
    trigger of ledger/migrations/0005), checked here by asking for the constraints at once."""
    payable = Account.objects.filter(kind=kind, registration__campaign=campaign).first()
    cash = journal.account(AccountKind.PROVIDER_CASH, collectivite=campaign.collectivite, provider="sandbox")
    owed = -journal.balance(payable)
    refused = False
    try:
        with transaction.atomic():
            journal.post(
                kind="payout.test",
                key="payout:too-much",
                collectivite=campaign.collectivite,
                lines=[(payable, owed + 1), (cash, -(owed + 1))],
            )
            assert first_broken() == "beneficiary balance"
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            raise _Undone
    except IntegrityError:
        refused = True
    except _Undone:
        pass
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert refused == (connection.vendor == "postgresql")


class _Undone(Exception):
    """Leaves the savepoint, undoing what the test wrote."""
