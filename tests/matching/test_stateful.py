"""A stateful model of one campaign's money, driven by Hypothesis: donors start gifts, the
provider confirms, declines, abandons, repeats itself, sends events out of order or forged,
holds run out, the budget grows, gifts are refunded or charged back, the campaign closes — and
after every step the ledger's invariants hold (`ledger.checks.check_all`) and the books agree
with what the model says an accountant should find.

The campaign is small on purpose — 30 € of public money in three pools, a cap of 18 € per café,
15 € per donor — so that partial matches, limits and an empty budget happen within a few steps.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Count, Sum
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
from solidaire.donations.models import Gift
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import Entry, Posting
from solidaire.matching import engine
from solidaire.matching.models import Allocation, Pool
from solidaire.payments.models import Notification
from solidaire.payments.providers.sandbox import fee_for

from ..factories import UserFactory
from ..gifts import approved_registration
from .helpers import (
    DISPUTED,
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
CARDS = ["4242", "5555", "3782"]  # shared between people now and then: the card limit links them
PAID = ("confirmed", "refunded", "charged_back")
OPEN = ("pending", "processing")
CARD_NOTES = ("donor_limit", "same_beneficiary_limit")


@dataclass
class GiftModel:
    """What the model expects of one gift."""

    gift: object
    person: str
    cafe: int
    status: str = "pending"
    hold: str = "none"  # none, held, released, posted, reversed
    hold_expires_at: object = None
    card: str = ""  # the card it was paid with


def expected(status: str, kind: str) -> tuple[str, str]:
    """The gift's status after a provider event, and what the inbox does with it — the rules
    of docs/adr/0008-payments-inbox.md, written independently of the code."""
    if kind == SUCCEEDED:
        return ("confirmed", "applied") if status not in PAID else (status, "ignored")
    if kind == PENDING:
        return ("processing", "applied") if status == "pending" else (status, "ignored")
    if kind == FAILED:
        return ("failed", "applied") if status in OPEN else (status, "ignored")
    if kind == EXPIRED:
        return ("expired", "applied") if status == "pending" else (status, "ignored")
    # Refund or chargeback.
    if status in OPEN:
        return status, "deferred"
    if status == "confirmed":
        return ("refunded" if kind == REFUNDED else "charged_back"), "applied"
    return status, "ignored"


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
        kind=st.sampled_from([PENDING, FAILED, EXPIRED, REFUNDED, DISPUTED, "forged amount", "forged currency"]),
        card=st.sampled_from(CARDS),
    )
    def provider_reports(self, g, kind, card):
        """Anything else the provider may say about a gift, in any order — or a forgery."""
        if kind.startswith("forged"):
            self._forged(g, kind)
        else:
            self._deliver(g, event(g.gift, kind, card=card), card=card)

    @precondition(lambda self: any(g.status == "confirmed" for g in self.models))
    @rule(data=st.data(), kind=st.sampled_from([REFUNDED, DISPUTED]))
    def payment_is_reversed(self, data, kind):
        """A confirmed gift is refunded, or the card holder disputes it."""
        g = data.draw(st.sampled_from([g for g in self.models if g.status == "confirmed"]), label="confirmed gift")
        self._deliver(g, event(g.gift, kind))

    @precondition(lambda self: self.sent)
    @rule(data=st.data())
    def provider_repeats_itself(self, data):
        """A retry, a duplicate, or an old event arriving late (a deferred refund comes back)."""
        g, sent = data.draw(st.sampled_from(self.sent))
        self._deliver(g, sent, card=g.card)

    def _forged(self, g, kind):
        """A notification whose amount or currency differs from the checkout: rejected, logged,
        and nothing else changes."""
        before = self._books()
        if kind == "forged amount":
            forged = event(g.gift, SUCCEEDED, amount_cents=g.gift.amount_cents + 100)
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

    def _deliver(self, g, payment_event, card=""):
        previous = self.notifications.get(payment_event.event_id)
        now = timezone.now()
        hold_was_valid = g.hold == "held" and g.hold_expires_at > now
        promised = g.gift.match_promised_cents
        status, notification = deliver(g.gift, payment_event)
        self.deliveries[payment_event.event_id] = self.deliveries.get(payment_event.event_id, 0) + 1
        if previous == "done":  # applied, ignored or rejected before: a duplicate changes nothing
            assert status == 200
            assert g.gift.status == g.status
            return
        if not any(e.event_id == payment_event.event_id for _g, e in self.sent):
            self.sent.append((g, payment_event))
        new_status, outcome = expected(g.status, payment_event.type)
        assert g.gift.status == new_status, (g.status, payment_event.type)
        assert (status, notification.status) == ((409, "deferred") if outcome == "deferred" else (200, outcome))
        self.notifications[payment_event.event_id] = "deferred" if outcome == "deferred" else "done"
        hypothesis_event(f"{payment_event.type} {outcome}" + (" again" if previous == "deferred" else ""))
        if outcome != "applied":
            return
        kind = payment_event.type
        if kind in (FAILED, EXPIRED) and g.hold == "held":
            g.hold = "released"
        elif kind == SUCCEEDED:
            g.card = card
            self._confirmed(g, hold_was_valid, promised)
        elif kind in (REFUNDED, DISPUTED) and g.hold == "posted" and g.gift.match_cents:
            g.hold = "reversed"
        g.status = new_status

    def _confirmed(self, g, hold_was_valid, promised):
        gift = g.gift
        assert gift.match_cents <= gift.amount_cents * RATIO // 100
        if g.person == "owner" and g.cafe == 0:
            assert gift.match_cents == 0
        full = gift.amount_cents * RATIO // 100
        hypothesis_event(
            f"confirmed {'with its hold' if hold_was_valid else 'without a hold'}: {gift.match_note or 'full'}"
        )
        if 0 < gift.match_cents < full and gift.match_note == "budget":
            hypothesis_event("partial match")
        if hold_was_valid:
            # The promise is honoured — only the card, unknown until now, may reduce it.
            assert gift.match_cents <= promised
            if gift.match_cents < promised:
                assert gift.match_note in CARD_NOTES, gift.match_note
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
            assert allocations.get(g.gift.pk, "none") == g.hold
        confirmed = [g for g in self.models if g.status == "confirmed"]
        reversed_ = [g for g in self.models if g.status in ("refunded", "charged_back")]
        held = [g for g in self.models if g.hold == "held"]
        matched = sum(g.gift.match_cents for g in confirmed)
        # The pools hold exactly the confirmed matches and the promises still held, within budget.
        pools = Pool.objects.filter(campaign=self.campaign).aggregate(
            capacity=Sum("capacity_cents"), used=Sum("used_cents"), reserved=Sum("reserved_cents")
        )
        assert (pools["used"], pools["reserved"]) == (matched, sum(g.gift.match_promised_cents for g in held))
        assert pools["used"] + pools["reserved"] <= self.budget == pools["capacity"]
        books = self._balances()
        assert books.get(f"campaign_matching:{self.campaign.pk}", 0) == matched
        # Each café is owed its gifts net of fees and their matches; never more than the cap.
        for index, cafe in enumerate(self.cafes):
            mine = [g for g in confirmed if g.cafe == index]
            owed_matching = -books.get(f"beneficiary_matching:{cafe.pk}", 0)
            assert -books.get(f"beneficiary_gifts:{cafe.pk}", 0) == sum(
                g.gift.amount_cents - fee_for(g.gift.amount_cents) for g in mine
            )
            assert owed_matching == sum(g.gift.match_cents for g in mine)
            assert owed_matching + sum(g.gift.match_promised_cents for g in held if g.cafe == index) <= CAP
        # The provider holds the confirmed gifts net of fees; the fees of reversed ones are lost.
        tenant = self.campaign.collectivite_id
        assert books.get(f"provider_cash:{tenant}:sandbox", 0) == sum(
            g.gift.amount_cents - g.gift.fee_cents for g in confirmed
        ) - sum(g.gift.fee_cents for g in reversed_)
        assert books.get(f"refund_losses:{tenant}", 0) == sum(g.gift.fee_cents for g in reversed_)
        # Limits per person (whatever the spelling of their address), per card, per person and café.
        self._within(lambda g: g.person, DONOR_LIMIT, with_held=True)
        self._within(lambda g: (g.person, g.cafe), SAME_BENEFICIARY_LIMIT, with_held=True)
        self._within(lambda g: g.card, DONOR_LIMIT, with_held=False)
        self._within(lambda g: (g.card, g.cafe), SAME_BENEFICIARY_LIMIT, with_held=False)
        # Every notification stored once, however often delivered; one receipt per paid gift and
        # one reversal per reversed gift.
        assert dict(Notification.objects.values_list("event_id", "deliveries")) == self.deliveries
        entries = dict(Entry.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
        assert entries.get("gift.received", 0) == sum(g.status in PAID for g in self.models)
        assert entries.get("gift.refunded", 0) + entries.get("gift.charged_back", 0) == len(reversed_)
        assert entries.get("match.posted", 0) - entries.get("match.reversed", 0) == sum(
            bool(g.gift.match_cents) for g in confirmed
        )

    @staticmethod
    def _balances() -> dict[str, int]:
        """Every account's balance (debits positive), by its code in the chart of accounts."""
        return dict(
            Posting.objects.values_list("account__code")
            .annotate(t=Sum("amount_cents"))
            .values_list("account__code", "t")
        )

    def _within(self, identity, limit, *, with_held):
        taken: dict = {}
        for g in self.models:
            if g.status == "confirmed":
                key = identity(g)
                taken[key] = taken.get(key, 0) + g.gift.match_cents
            elif with_held and g.hold == "held":
                key = identity(g)
                taken[key] = taken.get(key, 0) + g.gift.match_promised_cents
        for key, total in taken.items():
            assert total <= limit, (key, total, limit)


def test_money_rules_hold_whatever_the_donors_and_the_provider_do(personas):
    CampaignMoney.side = personas.a
    run_state_machine_as_test(
        CampaignMoney,
        settings=settings(
            # check_all() after every step is most of the time: 50 examples of up to 25 steps
            # take about half a minute on SQLite.
            max_examples=50,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
