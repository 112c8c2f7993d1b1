"""A stateful model of one campaign’s payouts, driven by Hypothesis: donors give, finance officers
refund gifts (whole or in part), card holders dispute them and the bank decides, a moderator holds
a beneficiary’s payments back and resumes them, and finance officers prepare batches of both
channels (the public match; the gifts, which the collectivité pays out itself with the sandbox —
it is no Stripe Connect — either by its accountant's transfers or by the sandbox's own transfers
to the establishments, the provider route), up to any moment so far, cancel them, approve them,
send them, mark lines paid or returned by the bank. Everything goes through the product's write
paths.

After every step, for each beneficiary and channel, what the payouts say — paid (the lines paid),
owed (the payable's balance), frozen by a dispute, in a batch (the batch account's balance), set
off (the offsets of the lines that stand) — adds up to what the journal's business events left on
the payables (its postings, payouts' own entries left out); what the journal says it *earned* —
that, less what its reversals booked as to be given back — equals what the model computes from
the gifts themselves (net of fees, refunds and lost disputes; matches less what was taken back,
rounded up); what is to be given back is what the reversals booked less what lines set off;
nothing is negative; and `ledger.checks.check_all()` finds nothing. Each batch holds exactly what
the model computes it should, from the journal and the lines, for its cut-off.
"""

import itertools
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.db.models import Q, Sum
from django.test import TestCase, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from solidaire.beneficiaries.actions import resume_payouts, suspend_payouts
from solidaire.beneficiaries.models import Registration
from solidaire.core.errors import ActionError
from solidaire.donations.models import Gift
from solidaire.ledger.checks import check_all
from solidaire.ledger.journal import forget_accounts
from solidaire.ledger.models import Posting
from solidaire.payments.models import SandboxCheckout
from solidaire.payouts import actions
from solidaire.payouts.models import Batch, Document, Line
from solidaire.payouts.owed import position

from ..donations.helpers import decide_dispute, open_dispute, refund
from ..factories import CampaignFactory
from ..gifts import approved_registration, give

pytestmark = pytest.mark.django_db

CHANNELS = ("matching", "gifts")
PAYABLE = {"matching": "beneficiary_matching", "gifts": "beneficiary_gifts"}
FROZEN = {"matching": "frozen_matching", "gifts": "frozen_gifts"}
IN_BATCH = {"matching": "in_batch_matching", "gifts": "in_batch_gifts"}
MAX_GIFTS = 8  # per example: the steps go to refunds, disputes and batches
MINIMUM = 400  # the campaign’s smallest payment: small gifts' money waits now and then
STANDING_LINES = ("pending", "paid")  # lines whose commitment stands (not cancelled, not failed)
_donors = itertools.count(1)


def ceil_share(total: int, part: int, whole: int) -> int:
    return -(-total * part // whole)


@dataclass(eq=False)
class GiftModel:
    gift: Gift
    cafe: int
    refunded: int = 0
    charged_back: int = 0
    disputed: int = 0  # what the open dispute withdrew (0: none open)
    was_disputed: bool = False  # the sandbox takes one dispute per payment

    @property
    def reversed(self) -> int:
        return self.refunded + self.charged_back

    @property
    def standing(self) -> int:
        return self.gift.amount_cents - self.reversed

    def earned(self, channel: str) -> int:
        """What the gift brings its beneficiary once its reversals are taken out: the gift net of
        what stands of the fee (the share of what was reversed is lost), or the match less the
        share taken back (rounded up)."""
        amount = self.gift.amount_cents
        if channel == "gifts":
            fee = self.gift.fee_cents
            return self.standing - (fee - fee * self.reversed // amount)
        return self.gift.match_cents - ceil_share(self.gift.match_cents, self.reversed, amount)


def sums(queryset, *group, field="amount_cents") -> dict:
    """{group value (a tuple when grouped by several fields): sum of `field`}."""
    rows = queryset.values_list(*group).annotate(t=Sum(field)).values_list(*group, "t")
    return {(row[0] if len(group) == 1 else row[:-1]): row[-1] or 0 for row in rows}


class Payouts(RuleBasedStateMachine):
    side = None  # set by the test: collectivité A and its people
    preparer = approver = None

    def __init__(self):
        super().__init__()
        # Each example starts from the database as the test found it.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        forget_accounts()
        self.models: list[GiftModel] = []
        self.moments: list = []  # the end of each step: the cut-offs a batch may be prepared to
        self.suspended: set[int] = set()
        self.batches: dict[int, str] = {}  # batch id -> status, as the model expects it
        self.routes: dict[int, str] = {}  # batch id -> who makes its transfers

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        forget_accounts()  # ids remembered by executed on-commit callbacks were rolled back

    @initialize(first=st.lists(st.tuples(st.integers(0, 2), st.integers(300, 1000)), min_size=1, max_size=3))
    def open_campaign(self, first):
        """The campaign, its three cafés and their first gifts."""
        self.campaign = CampaignFactory(collectivite=self.side.tenant, payout_minimum_cents=MINIMUM)
        self.cafes = [approved_registration(self.campaign) for _ in range(3)]
        for cafe, amount in first:
            self.donor_gives(cafe, amount)

    def _with(self, status) -> bool:
        return status in self.batches.values()

    def _tick(self):
        self.moments.append(timezone.now())

    # Donors, refunds, disputes ----------------------------------------------------------------

    @precondition(lambda self: len(self.models) < MAX_GIFTS or not self._something_owed())
    @rule(cafe=st.integers(0, 2), amount=st.integers(300, 1000))
    def donor_gives(self, cafe, amount):
        gift = give(self.cafes[cafe], amount, email=f"donor{next(_donors)}@example.org")
        assert (gift.status, gift.match_cents) == ("confirmed", amount)
        self.models.append(GiftModel(gift=gift, cafe=cafe))
        self._tick()

    def _sandbox_left(self, g) -> int:
        """What the sandbox still lets a finance officer refund (it keeps what a dispute
        withdrew apart, even once the dispute is won)."""
        checkout = SandboxCheckout.objects.get(pk=g.gift.checkout_id)
        return checkout.amount_cents - checkout.refunded_cents - checkout.disputed_cents

    @precondition(lambda self: any(g.standing and not g.disputed for g in self.models))
    @rule(data=st.data(), whole=st.booleans())
    def finance_officer_refunds(self, data, whole):
        choices = [g for g in self.models if g.standing and not g.disputed and self._sandbox_left(g) > 0]
        if not choices:
            return
        g = data.draw(st.sampled_from(choices), label="refunded gift")
        left = self._sandbox_left(g)
        cents = left if whole else data.draw(st.integers(1, left), label="refunded cents")
        refund(g.gift, actor=self.side.finance, amount_cents=cents)
        g.refunded += cents
        assert g.gift.refunded_cents == g.refunded
        hypothesis_event("whole refund" if g.standing == 0 else "partial refund")
        self._tick()

    @precondition(lambda self: any(g.standing and not g.was_disputed for g in self.models))
    @rule(data=st.data(), whole=st.booleans())
    def card_holder_disputes(self, data, whole):
        choices = [g for g in self.models if g.standing and not g.was_disputed]
        g = data.draw(st.sampled_from(choices), label="disputed gift")
        cents = g.standing if whole else data.draw(st.integers(1, g.standing), label="disputed cents")
        open_dispute(g.gift, cents)
        assert g.gift.status == "disputed"
        g.disputed, g.was_disputed = cents, True
        self._tick()

    @precondition(lambda self: any(g.disputed for g in self.models))
    @rule(data=st.data(), won=st.booleans())
    def the_bank_decides(self, data, won):
        g = data.draw(st.sampled_from([g for g in self.models if g.disputed]), label="decided gift")
        decide_dispute(g.gift, won=won)
        if not won:
            g.charged_back += g.disputed
        g.disputed = 0
        assert g.gift.charged_back_cents == g.charged_back
        hypothesis_event(f"dispute {'won' if won else 'lost'}")
        self._tick()

    def _moderator_holds_back_or_resumes(self, cafe):
        registration = self.cafes[cafe]
        if registration.pk in self.suspended:
            resume_payouts(registration=registration, moderator=self.side.moderator)
            self.suspended.discard(registration.pk)
        else:
            suspend_payouts(registration=registration, moderator=self.side.moderator, reason="Contrôle")
            self.suspended.add(registration.pk)
        hypothesis_event("payments held back or resumed")

    # Batches -----------------------------------------------------------------------------------

    def _expected_lines(self, channel, cutoff) -> dict[int, tuple[int, int, int]]:
        """What a batch up to `cutoff` must pay each beneficiary, from the journal's postings and
        the lines: the smaller of what the payable holds now and what was earned up to the
        cut-off less what lines that stand took; less what it must give back, set off."""
        payables = Posting.objects.filter(account__kind=PAYABLE[channel], account__registration__campaign=self.campaign)
        now = sums(payables, "account__registration_id")
        earned = sums(
            payables.filter(entry__created_at__lte=cutoff).exclude(entry__kind__startswith="payout."),
            "account__registration_id",
        )
        taken = sums(
            Line.objects.filter(batch__campaign=self.campaign, batch__channel=channel, status__in=STANDING_LINES),
            "registration_id",
            field="gross_cents",
        )
        owes_back = sums(
            Posting.objects.filter(
                account__kind="beneficiary_recoverable", account__registration__campaign=self.campaign
            ),
            "account__registration_id",
        )
        expected = {}
        for registration in self.cafes:
            r = registration.pk
            gross = max(min(-now.get(r, 0), -earned.get(r, 0) - taken.get(r, 0)), 0)
            offset = min(max(owes_back.get(r, 0), 0), gross)
            if gross and gross - offset >= max(MINIMUM, 1) and r not in self.suspended:
                expected[r] = (gross, offset, gross - offset)
        return expected

    def _something_owed(self) -> bool:
        """Whether a payable of the campaign holds anything (else preparing finds nothing, surely)."""
        held = sums(
            Posting.objects.filter(account__kind__in=PAYABLE.values(), account__registration__campaign=self.campaign),
            "account_id",
        )
        return any(total < 0 for total in held.values())

    @precondition(lambda self: self._something_owed())
    @rule(
        channel=st.sampled_from(CHANNELS),
        route=st.sampled_from(["bank", "provider"]),
        data=st.data(),
        moderator=st.sampled_from([None] * 10 + [0, 1, 2]),
    )
    def finance_officer_prepares(self, channel, route, data, moderator):
        """First, maybe, a moderator holds back (or resumes) a café's payments. The gifts may be
        paid by the collectivité’s accountant (bank) or by the sandbox's transfers (provider)."""
        route = route if channel == "gifts" else "bank"
        if moderator is not None:
            self._moderator_holds_back_or_resumes(moderator)
        cutoff = data.draw(
            st.one_of(st.none(), st.none(), st.sampled_from(self.moments[-6:])), label="cut-off (None: now)"
        )
        expected = self._expected_lines(channel, cutoff or timezone.now())
        try:
            batch = actions.prepare_batch(
                campaign=self.campaign, channel=channel, route=route, actor=self.preparer, cutoff=cutoff
            )
        except ActionError as refused:
            assert refused.code == "nothing_owed", refused
            assert expected == {}
            hypothesis_event("nothing owed")
            return
        lines = {
            line.registration_id: (line.gross_cents, line.offset_cents, line.amount_cents) for line in batch.lines.all()
        }
        assert lines == expected
        assert (batch.total_cents, batch.lines_count) == (sum(a for _g, _o, a in lines.values()), len(lines))
        self.batches[batch.pk] = "prepared"
        self.routes[batch.pk] = route
        hypothesis_event(
            f"{channel} batch ({route}) prepared"
            + (" with a set-off" if any(o for _g, o, _a in lines.values()) else "")
        )
        self._tick()

    def _batch(self, data, status, label) -> Batch:
        chosen = data.draw(st.sampled_from(sorted(pk for pk, s in self.batches.items() if s == status)), label=label)
        return Batch.objects.get(pk=chosen)

    @precondition(lambda self: self._with("prepared"))
    @rule(data=st.data(), decision=st.sampled_from(["approve and send", "approve and send", "approve", "cancel"]))
    def second_officer_approves_or_cancels(self, data, decision):
        batch = self._batch(data, "prepared", "batch waiting for approval")
        if decision.startswith("approve"):
            actions.approve_batch(batch=batch, actor=self.approver)
            files = {"bank": ["csv", "pdf", "sepa", "xlsx"], "provider": ["csv", "pdf", "xlsx"]}[self.routes[batch.pk]]
            assert sorted(Document.objects.filter(batch=batch).values_list("kind", flat=True)) == files
            self.batches[batch.pk] = "approved"
            if decision == "approve and send":
                self._send(batch)
        else:
            actions.cancel_batch(batch=batch, actor=self.approver)
            assert set(batch.lines.values_list("status", flat=True)) == {"cancelled"}
            self.batches[batch.pk] = "cancelled"
            hypothesis_event("batch cancelled")
        self._tick()

    @precondition(lambda self: self._with("approved"))
    @rule(data=st.data())
    def finance_officer_sends(self, data):
        self._send(self._batch(data, "approved", "sent batch"))
        self._tick()

    def _send(self, batch):
        """Marked sent. The sandbox makes a provider batch's transfers at once (the task after the
        commit), and its notifications mark every line paid; a bank batch waits for the bank."""
        if self.routes[batch.pk] == "provider":
            with TestCase.captureOnCommitCallbacks(execute=True):
                actions.mark_sent(batch=batch, actor=self.preparer)
            assert set(batch.lines.values_list("status", flat=True)) == {"paid"}
            self.batches[batch.pk] = "settled"
            hypothesis_event("provider batch paid by the sandbox")
        else:
            actions.mark_sent(batch=batch, actor=self.preparer)
            self.batches[batch.pk] = "sent"

    @precondition(lambda self: self._with("sent"))
    @rule(data=st.data(), returned=st.sampled_from([False, False, True]))
    def bank_answers(self, data, returned):
        """The bank made some of a sent batch's transfers (marked paid), or returned one."""
        batch = self._batch(data, "sent", "batch at the bank")
        pending = list(batch.lines.filter(status="pending").order_by("pk"))
        if returned:
            line = data.draw(st.sampled_from(pending), label="returned line")
            actions.mark_failed(line=line, actor=self.preparer, reason="AC04 compte clôturé")
            assert Line.objects.get(pk=line.pk).status == "failed"
            hypothesis_event("transfer returned")
        else:
            chosen = data.draw(
                st.lists(st.sampled_from(pending), min_size=1, unique_by=lambda line: line.pk), label="paid"
            )
            paid = actions.mark_paid(batch=batch, actor=self.preparer, lines=chosen)
            assert sorted(line.pk for line in paid) == sorted(line.pk for line in chosen)
            hypothesis_event("lines paid")
        if not batch.lines.filter(status="pending").exists():
            self.batches[batch.pk] = "settled"
            hypothesis_event("batch settled")
        self._tick()

    # What must hold after every step -----------------------------------------------------------------

    @invariant()
    def ledger_checks_pass(self):
        if not hasattr(self, "campaign"):
            return
        violations = check_all()
        assert violations == [], [str(v) for v in violations]

    @invariant()
    def paid_owed_and_in_batch_add_up_to_what_was_earned(self):
        if not hasattr(self, "campaign"):
            return
        fresh = Gift.objects.in_bulk([g.gift.pk for g in self.models])
        for g in self.models:
            g.gift = fresh[g.gift.pk]
            assert (g.gift.refunded_cents, g.gift.charged_back_cents) == (g.refunded, g.charged_back)
        mine = Q(account__registration__in=self.cafes)
        # Balances of every beneficiary account (debits positive), raw: nothing clamped.
        balances = sums(Posting.objects.filter(mine), "account__registration_id", "account__kind")
        # What the business events (not payouts' own entries) left on each account, by the
        # channel their money belongs to: reversals of the match are "match.reversed"; every
        # other event is about the gift itself.
        business = Posting.objects.filter(mine).exclude(entry__kind__startswith="payout.")
        by_event = sums(business, "account__registration_id", "account__kind", "entry__kind")
        lines = Line.objects.filter(registration__in=self.cafes)
        paid = sums(lines.filter(status="paid"), "registration_id", "batch__channel")
        offsets = sums(
            lines.filter(status__in=STANDING_LINES), "registration_id", "batch__channel", field="offset_cents"
        )
        for index, registration in enumerate(self.cafes):
            r = registration.pk
            where = position(registration)
            owes_back = balances.get((r, "beneficiary_recoverable"), 0)
            assert owes_back >= 0
            booked_back = 0
            for channel in CHANNELS:
                owed = -balances.get((r, PAYABLE[channel]), 0)
                frozen = -balances.get((r, FROZEN[channel]), 0)
                in_batch = -balances.get((r, IN_BATCH[channel]), 0)
                assert min(owed, frozen, in_batch) >= 0, (channel, owed, frozen, in_batch)
                assert (where.owed[channel], where.in_batch[channel], where.paid[channel]) == (
                    owed,
                    in_batch,
                    paid.get((r, channel), 0),
                )

                def left_on(kind, r=r, channel=channel):
                    return sum(
                        total
                        for (reg, account, entry), total in by_event.items()
                        if reg == r and account == kind and (entry == "match.reversed") == (channel == "matching")
                    )

                credited = -sum(
                    total
                    for (reg, account, _entry), total in by_event.items()
                    if reg == r and account in (PAYABLE[channel], FROZEN[channel])
                )
                to_give_back = left_on("beneficiary_recoverable")
                earned = credited - to_give_back
                model = sum(g.earned(channel) for g in self.models if g.cafe == index and g.gift.status != "pending")
                assert earned == model, (channel, earned, model)
                standing_offsets = offsets.get((r, channel), 0)
                assert paid.get((r, channel), 0) + owed + frozen + in_batch + standing_offsets == credited, channel
                booked_back += to_give_back - standing_offsets
                # A dispute freezes what the gift's own entries left on the payable (what it brings,
                # and what its earlier reversals booked as to be given back instead), as far as the
                # payable still holds it: what a batch took or paid is not frozen.
                disputed = [g for g in self.models if g.cafe == index and g.disputed]
                assert 0 <= frozen <= sum(g.earned(channel) + self._booked_back(g, channel) for g in disputed)
            assert owes_back == booked_back

    @staticmethod
    def _booked_back(g, channel) -> int:
        """What the gift's reversals booked as to be given back, in this channel's money."""
        booked = sums(
            Posting.objects.filter(entry__gift=g.gift, account__kind="beneficiary_recoverable"), "entry__kind"
        )
        return sum(total for kind, total in booked.items() if (kind == "match.reversed") == (channel == "matching"))

    @invariant()
    def batches_are_where_the_model_left_them(self):
        if not hasattr(self, "campaign"):
            return
        assert dict(Batch.objects.filter(campaign=self.campaign).values_list("pk", "status")) == self.batches

    @invariant()
    def suspensions_are_as_the_moderator_left_them(self):
        if not hasattr(self, "campaign"):
            return
        held = set(
            Registration.objects.filter(
                pk__in=[c.pk for c in self.cafes], payouts_suspended_at__isnull=False
            ).values_list("pk", flat=True)
        )
        assert held == self.suspended


@override_settings(SOLIDAIRE_HOLDS_PER_EMAIL=100, SOLIDAIRE_HOLDS_PER_ADDRESS=100, SOLIDAIRE_HOLDS_PER_DEVICE=100)
def test_paid_owed_and_in_batch_always_add_up_to_what_the_journal_says_was_earned(personas, finance, bank_account):
    Payouts.side = personas.a
    Payouts.preparer, Payouts.approver = finance
    run_state_machine_as_test(
        Payouts,
        settings=settings(
            max_examples=8,
            stateful_step_count=35,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
