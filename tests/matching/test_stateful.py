"""A stateful model of one campaign’s money, driven by Hypothesis: donors start gifts, the
provider confirms, declines, abandons, repeats itself, sends events out of order or forged, holds
run out, the budget grows, gifts are refunded — whole or in part, asked by a finance officer or
made at the provider —, disputed and the disputes won or lost, the campaign closes — and after
every step the ledger's invariants hold (`ledger.checks.check_all`) and the books agree with
what the model says an accountant should find.

Where a gift's state goes on each event is the product's own table (donations.states): the
model follows it. What the money must then be — pools, payables, frozen funds, losses, cash — is
computed here independently.

The campaign is small on purpose — 30 € of public money in three pools, a cap of 18 € per café,
15 € per donor — so that partial matches, limits and an empty budget happen within a few steps.
"""

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from solidaire.campaigns.actions import close_campaign
from solidaire.campaigns.models import Campaign
from solidaire.donations import refunds, states
from solidaire.donations.models import Gift
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import Entry, Posting
from solidaire.matching import engine
from solidaire.matching.models import Allocation, Pool
from solidaire.payments.models import Notification
from solidaire.payments.providers import base

from ..factories import UserFactory
from ..gifts import approved_registration
from .helpers import (
    DISPUTE_LOST,
    DISPUTE_OPENED,
    DISPUTE_WON,
    EXPIRED,
    FAILED,
    PENDING,
    REFUNDED,
    SUCCEEDED,
    begin,
    campaign_for,
    deliver,
    event,
    split_budget,
)

pytestmark = pytest.mark.django_db

BUDGET, POOLS, CAP, DONOR_LIMIT = 3_000, [1_100, 900, 1_000], 1_800, 1_500
RATIO, MAX_GIFT = 100, 1_000
SAME_BENEFICIARY_LIMIT = MAX_GIFT * RATIO // 100  # anti-farming: one maximum gift's match
DISPUTE_FEE = 1_500
OWNER = "owner@example.org"  # owns café 0
# Who gives (a person may write their address differently: the limits must still see one person).
DONORS = [
    ("ana", "ana@example.org"),
    ("ana", "ANA+cafes@example.org"),
    ("bob", "b.o.b@gmail.com"),
    ("bob", "bob+x@gmail.com"),
    ("carla", "carla@example.org"),
    ("owner", OWNER),
]
CARDS = ["4242", "5555", "3782"]  # shared between people now and then
PAID = ("confirmed", "refund_requested", "partly_refunded", "disputed", "refunded", "charged_back")
_disputes = itertools.count(1)


def ceil_share(total: int, part: int, whole: int) -> int:
    return -(-total * part // whole)


@dataclass(eq=False)
class GiftModel:
    """What the model expects of one gift."""

    gift: object
    person: str
    cafe: int
    status: str = "pending"
    hold: str = "none"  # none, held, released, posted, reversed
    hold_expires_at: object = None
    card: str = ""
    refunded: int = 0  # cumulative, as the provider reports it
    charged_back: int = 0
    dispute: str = ""  # the open dispute's id
    disputed: int = 0  # what the open dispute withdrew
    disputes_opened: int = 0
    asked: int = 0  # a refund asked by a finance officer, still to be made

    @property
    def reversed(self) -> int:
        return self.refunded + self.charged_back

    @property
    def standing(self) -> int:
        return self.gift.amount_cents - self.reversed


class CampaignMoney(RuleBasedStateMachine):
    side = None  # set by the test: the collectivité running the campaign, and its people

    gifts = Bundle("gifts")

    def __init__(self):
        super().__init__()
        # Each example starts from the database as the test found it.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.models: list[GiftModel] = []
        self.sent: list[tuple[GiftModel, object]] = []
        self.notifications: dict[str, str] = {}  # event id -> "deferred" or "done"
        self.deliveries: dict[str, int] = {}
        self.closed = False
        self.budget = BUDGET

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @initialize()
    def open_campaign(self):
        self.campaign = campaign_for(
            self.side,
            matching_budget_cents=BUDGET,
            matching_ratio_percent=RATIO,
            min_gift_cents=300,
            max_gift_cents=MAX_GIFT,
            beneficiary_cap_cents=CAP,
            donor_limit_cents=DONOR_LIMIT,
        )
        split_budget(self.campaign, POOLS)
        owner = UserFactory(email=OWNER)
        self.cafes = [approved_registration(self.campaign, owner=owner)] + [
            approved_registration(self.campaign) for _ in range(2)
        ]

    # Donors ------------------------------------------------------------------------------------

    @precondition(lambda self: not self.closed)
    @rule(
        target=gifts,
        cafe=st.integers(0, 2),
        donor=st.sampled_from(DONORS),
        amount=st.integers(300, MAX_GIFT),
        late=st.sampled_from([False, False, False, True]),
    )
    def start_gift(self, cafe, donor, amount, late):
        """A donor starts a gift; `late` ones started long enough ago that their hold ran out."""
        person, email = donor
        minutes_ago = django_settings.SOLIDAIRE_RESERVATION_MINUTES + 1 if late else 0
        gift = begin(self.cafes[cafe], amount, email, minutes_ago=minutes_ago)
        model = GiftModel(gift=gift, person=person, cafe=cafe)
        assert gift.match_promised_cents <= amount * RATIO // 100
        if person == "owner" and cafe == 0:
            assert gift.match_promised_cents == 0 and gift.match_note == "own_establishment"
        if gift.match_promised_cents:
            model.hold, model.hold_expires_at = "held", gift.reservation_expires_at
        self.models.append(model)
        return model

    @rule(g=gifts, card=st.sampled_from(CARDS))
    def donor_pays(self, g, card):
        """The provider confirms the payment, made with this card."""
        self._deliver(g, event(g.gift, SUCCEEDED, card=card), card=card)

    # The provider ------------------------------------------------------------------------------

    @rule(
        g=gifts,
        kind=st.sampled_from([PENDING, FAILED, EXPIRED, "forged amount", "forged currency", "amount as text"]),
        card=st.sampled_from(CARDS),
    )
    def provider_reports(self, g, kind, card):
        """Anything else the provider may say about a payment, in any order — or a forgery."""
        if kind in ("forged amount", "forged currency", "amount as text"):
            self._forged(g, kind)
        else:
            self._deliver(g, event(g.gift, kind, card=card), card=card)

    @precondition(
        lambda self: any(g.status in ("confirmed", "partly_refunded", "refund_requested") for g in self.models)
    )
    @rule(data=st.data())
    def provider_refunds(self, data):
        """The provider refunds part or all of what stands (asked by a finance officer or made at
        the provider directly): its notification says everything refunded so far."""
        choices = [g for g in self.models if g.status in ("confirmed", "partly_refunded", "refund_requested")]
        g = data.draw(st.sampled_from(choices), label="refunded gift")
        if g.asked and g.asked <= g.standing and data.draw(st.booleans(), label="the refund asked"):
            cents = g.asked
        else:
            cents = data.draw(st.integers(1, g.standing), label="refunded cents")
        self._deliver(g, event(g.gift, REFUNDED, refunded_cents=g.refunded + cents))

    @precondition(lambda self: any(g.status in ("confirmed", "partly_refunded") for g in self.models))
    @rule(data=st.data(), provider_refuses=st.booleans())
    def finance_officer_asks_a_refund(self, data, provider_refuses):
        """The refund is recorded (refund requested) before the provider is asked; the provider
        makes it later (provider_refunds) or refuses it."""
        g = data.draw(st.sampled_from([g for g in self.models if g.status in ("confirmed", "partly_refunded")]))
        cents = data.draw(st.integers(1, g.standing), label="asked cents")
        before = self._books()
        refunds.open_refund(gift=g.gift, amount_cents=cents, actor=self.side.finance, reason="test")
        g.gift.refresh_from_db()
        g.status, g.asked = "refund_requested", cents
        assert g.gift.status == "refund_requested"
        assert self._books() == before, "asking moves no money"
        if provider_refuses:
            self._deliver(g, event(g.gift, base.REFUND_FAILED))

    @precondition(
        lambda self: any(g.status in PAID and g.status not in ("refunded", "charged_back") for g in self.models)
    )
    @rule(data=st.data())
    def card_holder_disputes(self, data):
        g = data.draw(
            st.sampled_from(
                [g for g in self.models if g.status in ("confirmed", "partly_refunded", "refund_requested", "disputed")]
            )
        )
        cents = data.draw(st.integers(1, max(g.standing, 1)), label="disputed cents")
        dispute_id = f"dp_{next(_disputes)}"
        self._deliver(
            g,
            event(g.gift, DISPUTE_OPENED, dispute_id=dispute_id, disputed_cents=cents, dispute_fee_cents=DISPUTE_FEE),
        )

    @precondition(lambda self: any(g.dispute for g in self.models))
    @rule(data=st.data(), won=st.booleans())
    def the_bank_decides(self, data, won):
        g = data.draw(st.sampled_from([g for g in self.models if g.dispute]))
        kind = DISPUTE_WON if won else DISPUTE_LOST
        self._deliver(g, event(g.gift, kind, dispute_id=g.dispute, disputed_cents=g.disputed))

    @precondition(lambda self: self.sent)
    @rule(data=st.data())
    def provider_repeats_itself(self, data):
        """A retry, a duplicate, or an old event arriving late (a deferred one comes back)."""
        g, sent = data.draw(st.sampled_from(self.sent))
        self._deliver(g, sent, card=g.card)

    def _forged(self, g, kind):
        """A notification whose amount or currency differs from the checkout, or whose amount is
        not an integer: rejected, logged, and nothing else changes."""
        before = self._books()
        if kind == "forged amount":
            forged = event(g.gift, SUCCEEDED, amount_cents=g.gift.amount_cents + 100)
        elif kind == "amount as text":
            forged = event(g.gift, SUCCEEDED, amount_cents=str(g.gift.amount_cents))
        else:
            forged = event(g.gift, REFUNDED, currency="USD")
        status, notification = deliver(g.gift, forged)
        assert (status, notification.status) == (200, "rejected")
        assert g.gift.status == g.status
        assert self._books() == before
        self.notifications[forged.event_id] = "done"
        self.deliveries[forged.event_id] = 1
        self.sent.append((g, forged))
        hypothesis_event("forged notification rejected")

    # Time, budget, campaign ----------------------------------------------------------------------

    @rule(change=st.sampled_from(["holds expire", "holds expire", "budget grows", "campaign closes"]), data=st.data())
    def world_moves_on(self, change, data):
        if change == "campaign closes" and not self.closed and len(self.models) >= 6:
            close_campaign(campaign=self.campaign, actor=self.side.admin)
            self.campaign.refresh_from_db()
            self.closed = True
        elif change == "budget grows":
            self.budget += data.draw(st.integers(100, 1_500), label="extra budget")
            Campaign.objects.filter(pk=self.campaign.pk).update(matching_budget_cents=self.budget)
            self.campaign.refresh_from_db()
            engine.sync_pools(self.campaign)
        else:
            minutes = data.draw(
                st.sampled_from([0, django_settings.SOLIDAIRE_RESERVATION_MINUTES + 1]), label="minutes"
            )
            now = timezone.now() + timedelta(minutes=minutes)
            engine.expire_holds(now=now)
            for model in self.models:
                if model.hold == "held" and model.hold_expires_at <= now:
                    model.hold = "released"
        hypothesis_event(change)

    # Delivering an event and what must follow ----------------------------------------------------

    def _expected(self, g, payment_event) -> tuple[str, str]:
        """The gift's state after the event and what the inbox does with it, by the product's
        table, and by what the event says (a refund total already booked, a dispute decided)."""
        kind = payment_event.type
        if kind in (DISPUTE_OPENED, DISPUTE_WON, DISPUTE_LOST) and payment_event.dispute_id in self.decided:
            return g.status, "ignored"
        to = states.target(g.status, kind)
        if to is None:
            return g.status, "ignored"
        if to == states.DEFER:
            return g.status, "deferred"
        asked = g.asked
        if kind == REFUNDED:
            cents = payment_event.refunded_cents - g.refunded
            if cents <= 0 or cents > g.standing:
                return g.status, "ignored"
            refunded, charged_back = payment_event.refunded_cents, g.charged_back
            asked = 0 if cents == g.asked else g.asked
        elif kind == DISPUTE_LOST:
            if payment_event.dispute_id != g.dispute:
                return g.status, "ignored"
            refunded, charged_back = g.refunded, g.charged_back + g.disputed
        elif kind == DISPUTE_WON:
            if payment_event.dispute_id != g.dispute:
                return g.status, "ignored"
            refunded, charged_back = g.refunded, g.charged_back
        elif kind == base.REFUND_FAILED:
            if not g.asked:
                return g.status, "ignored"
            refunded, charged_back, asked = g.refunded, g.charged_back, 0
        else:
            return to, "applied"
        settled = states.settled(
            amount_cents=g.gift.amount_cents,
            refunded_cents=refunded,
            charged_back_cents=charged_back,
            refund_asked=bool(asked),
        )
        return (settled if to == states.SETTLED else to), "applied"

    @property
    def decided(self) -> set[str]:
        return getattr(self, "_decided", set())

    def _deliver(self, g, payment_event, card=""):
        previous = self.notifications.get(payment_event.event_id)
        now = timezone.now()
        hold_was_valid = g.hold == "held" and g.hold_expires_at > now
        promised = g.gift.match_promised_cents
        new_status, outcome = (g.status, "done") if previous == "done" else self._expected(g, payment_event)
        status, notification = deliver(g.gift, payment_event)
        self.deliveries[payment_event.event_id] = self.deliveries.get(payment_event.event_id, 0) + 1
        if previous == "done":  # applied, ignored or rejected before: a duplicate changes nothing
            assert status == 200
            assert g.gift.status == g.status
            return
        if not any(e.event_id == payment_event.event_id for _g, e in self.sent):
            self.sent.append((g, payment_event))
        assert g.gift.status == new_status, (g.status, payment_event.type, notification.reason)
        assert (status, notification.status) == ((409, "deferred") if outcome == "deferred" else (200, outcome)), (
            g.status,
            payment_event.type,
            notification.reason,
        )
        self.notifications[payment_event.event_id] = "deferred" if outcome == "deferred" else "done"
        hypothesis_event(f"{payment_event.type} {outcome}" + (" again" if previous == "deferred" else ""))
        if outcome != "applied":
            return
        self._applied(g, payment_event, new_status, card, hold_was_valid, promised)

    def _applied(self, g, payment_event, new_status, card, hold_was_valid, promised):
        kind = payment_event.type
        if kind in (FAILED, EXPIRED) and g.hold == "held":
            g.hold = "released"
        elif kind == SUCCEEDED:
            g.card = card
            self._confirmed(g, hold_was_valid, promised)
        elif kind == REFUNDED:
            if payment_event.refunded_cents - g.refunded == g.asked:
                g.asked = 0
            g.refunded = payment_event.refunded_cents
            hypothesis_event("partial refund" if g.standing else "whole refund")
        elif kind == base.REFUND_FAILED:
            g.asked = 0
        elif kind == DISPUTE_OPENED:
            g.dispute, g.disputed = payment_event.dispute_id, min(payment_event.disputed_cents, g.standing)
            g.disputes_opened += 1
        elif kind in (DISPUTE_WON, DISPUTE_LOST):
            self._decided = self.decided | {g.dispute}
            if kind == DISPUTE_LOST:
                g.charged_back += g.disputed
            g.dispute, g.disputed = "", 0
            hypothesis_event(f"dispute {'won' if kind == DISPUTE_WON else 'lost'}")
        if g.asked and g.standing == 0:  # nothing left to refund: the asked refund can never be made
            g.asked = 0
        if (
            kind in (REFUNDED, DISPUTE_LOST)
            and g.hold == "posted"
            and g.gift.match_cents == g.gift.match_reversed_cents
        ):
            g.hold = "reversed"
        g.status = new_status

    def _confirmed(self, g, hold_was_valid, promised):
        gift = g.gift
        assert gift.match_cents <= gift.amount_cents * RATIO // 100
        if g.person == "owner" and g.cafe == 0:
            assert gift.match_cents == 0
        hypothesis_event(f"confirmed {'with its hold' if hold_was_valid else 'without a hold'}")
        if hold_was_valid:
            assert gift.match_cents == promised, "the promise is kept, whatever the card"
            g.hold = "posted"
        else:
            if self.closed:
                assert gift.match_cents == 0
            g.hold = "posted" if gift.match_cents else ("released" if g.hold != "none" else "none")

    # What an accountant finds, after every step ----------------------------------------------------

    def _books(self):
        return list(Pool.objects.order_by("pk").values_list("used_cents", "reserved_cents")), self._balances()

    @invariant()
    def ledger_invariants_hold(self):
        if not hasattr(self, "campaign"):
            return
        violations = check_all()
        assert violations == [], [str(v) for v in violations]

    @invariant()
    def books_agree_with_the_model(self):
        if not hasattr(self, "campaign"):
            return
        fresh = Gift.objects.in_bulk([g.gift.pk for g in self.models])
        allocations = dict(Allocation.objects.filter(gift__in=fresh).values_list("gift_id", "status"))
        for g in self.models:
            g.gift = fresh[g.gift.pk]
            assert g.gift.status == g.status
            assert (g.gift.refunded_cents, g.gift.charged_back_cents) == (g.refunded, g.charged_back)
            assert allocations.get(g.gift.pk, "none") == g.hold, (g.status, g.hold)
        paid = [g for g in self.models if g.status in PAID]
        held = [g for g in self.models if g.hold == "held"]

        def match_left(g):
            """What stands of the match: it is taken back in proportion, rounded up."""
            return g.gift.match_cents - ceil_share(g.gift.match_cents, g.reversed, g.gift.amount_cents)

        matched = sum(match_left(g) for g in paid)
        pools = Pool.objects.filter(campaign=self.campaign).aggregate(
            capacity=Sum("capacity_cents"), used=Sum("used_cents"), reserved=Sum("reserved_cents")
        )
        assert (pools["used"], pools["reserved"]) == (matched, sum(g.gift.match_promised_cents for g in held))
        assert pools["used"] + pools["reserved"] <= self.budget == pools["capacity"]
        books = self._balances()
        assert books.get(f"campaign_matching:{self.campaign.pk}", 0) == matched
        # Each café is owed what stands of its gifts net of what stands of their fees, and what
        # stands of their matches — frozen while disputed; never more than the cap.
        for index, cafe in enumerate(self.cafes):
            mine = [g for g in paid if g.cafe == index]
            disputed = [g for g in mine if g.dispute]
            net = {
                g: g.standing - (g.gift.fee_cents - g.gift.fee_cents * g.reversed // g.gift.amount_cents) for g in mine
            }
            owed_gifts = -books.get(f"beneficiary_gifts:{cafe.pk}", 0)
            frozen_gifts = -books.get(f"frozen_gifts:{cafe.pk}", 0)
            assert owed_gifts + frozen_gifts == sum(net.values())
            assert frozen_gifts == sum(net[g] for g in disputed)
            owed_matching = -books.get(f"beneficiary_matching:{cafe.pk}", 0)
            frozen_matching = -books.get(f"frozen_matching:{cafe.pk}", 0)
            assert owed_matching + frozen_matching == sum(match_left(g) for g in mine)
            assert frozen_matching == sum(match_left(g) for g in disputed)
            assert (
                owed_matching + frozen_matching + sum(g.gift.match_promised_cents for g in held if g.cafe == index)
                <= CAP
            )
        # The provider holds what stands of the gifts, net of fees, less what open disputes
        # withdrew and every dispute's fee; the fees of what was reversed are lost.
        tenant = self.campaign.collectivite_id
        open_disputes = sum(g.disputed for g in self.models if g.dispute)
        dispute_fees = DISPUTE_FEE * sum(g.disputes_opened for g in self.models)
        assert (
            books.get(f"provider_cash:{tenant}:sandbox", 0)
            == sum(g.gift.amount_cents - g.gift.fee_cents - g.reversed for g in paid) - open_disputes - dispute_fees
        )
        assert books.get(f"disputed_funds:{tenant}:sandbox", 0) == open_disputes
        assert books.get(f"provider_fees:{tenant}:sandbox", 0) == dispute_fees
        assert books.get(f"refund_losses:{tenant}", 0) == sum(
            g.gift.fee_cents * g.reversed // g.gift.amount_cents for g in paid
        )
        # Limits per person (whatever the spelling of their address) and per person and café.
        self._within(lambda g: g.person, DONOR_LIMIT, match_left)
        self._within(lambda g: (g.person, g.cafe), SAME_BENEFICIARY_LIMIT, match_left)
        # Every notification stored once, however often delivered; one receipt per paid gift.
        assert dict(Notification.objects.values_list("event_id", "deliveries")) == self.deliveries
        entries = dict(Entry.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
        assert entries.get("gift.received", 0) == len(paid)

    @staticmethod
    def _balances() -> dict[str, int]:
        """Every account's balance (debits positive), by its code in the chart of accounts."""
        return dict(
            Posting.objects.values_list("account__code")
            .annotate(t=Sum("amount_cents"))
            .values_list("account__code", "t")
        )

    def _within(self, identity, limit, match_left):
        """What a person took (e-mail identities: a card learnt at confirmation only counts for
        later reservations, so cards are not held to the limit retroactively)."""
        taken: dict = {}
        for g in self.models:
            key = identity(g)
            if g.status in PAID:
                taken[key] = taken.get(key, 0) + match_left(g)
            elif g.hold == "held":
                taken[key] = taken.get(key, 0) + g.gift.match_promised_cents
        for key, total in taken.items():
            assert total <= limit, (key, total, limit)


@override_settings(SOLIDAIRE_HOLDS_PER_EMAIL=100, SOLIDAIRE_HOLDS_PER_ADDRESS=100, SOLIDAIRE_HOLDS_PER_DEVICE=100)
def test_money_rules_hold_whatever_the_donors_and_the_provider_do(personas):
    CampaignMoney.side = personas.a
    run_state_machine_as_test(
        CampaignMoney,
        settings=settings(
            # check_all() after every step is most of the time: 50 examples of up to 30 steps.
            max_examples=50,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
