"""Payout batches prepared at the same moment on PostgreSQL, each in its own thread, connection and
transaction: two finance officers preparing a batch of the same campaign wait for each other (the
collectivité’s row is locked), so one batch takes the money and the other finds nothing owed —
whatever was owed before is in exactly one batch; batches of the two channels both go through; a
refund arriving while a batch is prepared never leaves a beneficiary’s payable negative: it is
booked before (the batch pays less), after (what the batch took is to be given back), or refused at
commit by the database and booked when the provider sends it again."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from solidaire.core.errors import ActionError
from solidaire.donations.models import Gift
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import Posting
from solidaire.payments import inbox
from solidaire.payouts import actions
from solidaire.payouts.models import Batch, Line
from solidaire.payouts.owed import owed, position

from ..factories import MembershipFactory, UserFactory
from ..gifts import approved_registration, give
from ..matching.helpers import REFUNDED, event
from ..threads import POSTGRES_ONLY, all_at_once

pytestmark = POSTGRES_ONLY

ROUNDS = 3


def assert_books_hold():
    violations = check_all()
    assert violations == [], [str(v) for v in violations]


def balance(code: str) -> int:
    return sum(Posting.objects.filter(account__code=code).values_list("amount_cents", flat=True))


@pytest.fixture
def officers(personas):
    """Three finance officers of Région Grand Est (two-factor plays no part in preparing)."""
    more = [UserFactory(email=f"finance{n}@grand-est.example") for n in range(2)]
    for user in more:
        MembershipFactory(user=user, collectivite=personas.a.tenant, role="finance")
    return [personas.a.finance, *more]


@pytest.fixture
def cafes(campaign):
    return [approved_registration(campaign, name=f"Café {n}") for n in range(3)]


def owed_now(campaign, channel) -> dict[int, int]:
    return {
        item.registration.pk: item.amount_cents
        for item in owed(campaign, channel, cutoff=timezone.now())
        if not item.apart
    }


def prepare(campaign, channel, officer):
    """A batch's id, the code of the action's refusal, or "refused at commit" (by the database's
    deferred checks: a payable would end negative)."""
    try:
        return actions.prepare_batch(campaign=campaign, channel=channel, actor=officer).pk
    except ActionError as refused:
        return refused.code
    except IntegrityError:
        return "refused at commit"


def test_two_officers_preparing_at_once_put_each_euro_in_one_batch(campaign, cafes, officers):
    for n in range(ROUNDS):
        for i, cafe in enumerate(cafes):
            give(cafe, 500 + 100 * i, email=f"donor{n}-{i}@example.org")
        before = owed_now(campaign, "matching")
        assert sum(before.values()) == 1800

        results = all_at_once(2, lambda i: prepare(campaign, "matching", officers[i]))

        made = [r for r in results if isinstance(r, int)]
        assert len(made) == 1 and sorted(results, key=str)[-1] == "nothing_owed", results
        batch = Batch.objects.get(pk=made[0])
        lines = dict(Line.objects.filter(batch=batch).values_list("registration_id", "amount_cents"))
        assert lines == before
        assert batch.total_cents == 1800
        assert owed_now(campaign, "matching") == {}
        assert_books_hold()
    assert Batch.objects.count() == ROUNDS
    assert [position(cafe).in_batch["matching"] for cafe in cafes] == [ROUNDS * 500, ROUNDS * 600, ROUNDS * 700]


def test_three_officers_at_once_and_a_batch_per_channel(campaign, cafes, officers):
    for i, cafe in enumerate(cafes):
        give(cafe, 1000, email=f"donor{i}@example.org")
    matching, gifts = owed_now(campaign, "matching"), owed_now(campaign, "gifts")

    channels = ["matching", "gifts", "matching"]
    results = all_at_once(3, lambda i: prepare(campaign, channels[i], officers[i]))

    batches = Batch.objects.filter(pk__in=[r for r in results if isinstance(r, int)])
    assert sorted(b.channel for b in batches) == ["gifts", "matching"]
    assert sorted(r for r in results if isinstance(r, str)) == ["nothing_owed"]
    for batch in batches:
        lines = dict(batch.lines.values_list("registration_id", "amount_cents"))
        assert lines == (matching if batch.channel == "matching" else gifts)
    assert len({b.reference for b in batches}) == 2  # numbered one after the other
    assert_books_hold()


def test_a_refund_racing_a_batch_never_leaves_a_payable_negative(campaign, cafes, officers):
    for n, cafe in enumerate(cafes):
        gift = give(cafe, 1000, email=f"racer{n}@example.org")
        refunded = event(gift, REFUNDED)

        def work(i, gift=gift, refunded=refunded):
            if i == 0:
                return inbox.apply(collectivite=gift.collectivite, provider_name=gift.provider, event=refunded)[0]
            return prepare(campaign, "matching", officers[0])

        status, batch = all_at_once(2, work)

        # Whichever commits second would overdraw the payable if it read it before the other's
        # commit: the database refuses it, and it is done again.
        assert status in (200, 500), status
        if status == 500:  # the provider sends it again
            assert inbox.apply(collectivite=gift.collectivite, provider_name=gift.provider, event=refunded)[0] == 200
        if batch == "refused at commit":  # the finance officer tries again
            batch = prepare(campaign, "matching", officers[0])
        gift = Gift.objects.get(pk=gift.pk)
        assert (gift.status, gift.match_reversed_cents) == ("refunded", 1000)
        if batch == "nothing_owed":  # the refund came first (or the batch was refused and done again after it)
            assert not Line.objects.filter(batch__campaign=campaign, registration=cafe).exists()
        else:  # the batch came first: it holds the whole match
            assert type(batch) is int, batch
            taken = sum(Line.objects.filter(batch_id=batch, registration=cafe).values_list("amount_cents", flat=True))
            assert taken == 1000
        # Either the batch took the match, and the café must give it back, or the refund took it.
        assert balance(f"beneficiary_matching:{cafe.pk}") == 0
        assert balance(f"beneficiary_recoverable:{cafe.pk}") == taken
        assert_books_hold()
