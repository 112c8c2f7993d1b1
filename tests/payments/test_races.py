"""Payment events racing each other on PostgreSQL, each delivery in its own thread, connection and
transaction: concurrent duplicate deliveries of a dispute apply once; a refund racing its
payment’s confirmation waits (409) or applies after it, never before; the same event id for two
collectivités applies at both; a hosted page submitted twice at the same moment pays once."""

import pytest
from django.test import Client

from solidaire.donations.models import Dispute, Gift
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import Entry
from solidaire.payments import inbox
from solidaire.payments.models import Notification, SandboxCheckout, SandboxEvent
from solidaire.payments.providers import provider_for
from solidaire.payments.providers.base import ProviderError

from ..factories import CampaignFactory
from ..gifts import approved_registration, give, start
from ..matching.helpers import (
    DISPUTE_LOST,
    DISPUTE_OPENED,
    REFUNDED,
    SUCCEEDED,
    begin,
    event,
)
from ..threads import POSTGRES_ONLY, all_at_once

pytestmark = POSTGRES_ONLY

ROUNDS = 3


def deliver(gift, payment_event):
    return inbox.apply(collectivite=gift.collectivite, provider_name=gift.provider, event=payment_event)


def assert_ledger_holds():
    violations = check_all()
    assert violations == [], [str(v) for v in violations]


@pytest.fixture
def cafe(personas):
    return approved_registration(CampaignFactory(collectivite=personas.a.tenant))


def test_concurrent_duplicate_deliveries_of_a_dispute_apply_once(cafe):
    for n in range(ROUNDS):
        gift = give(cafe, 800, email=f"donor{n}@example.org")
        opened = event(gift, DISPUTE_OPENED, dispute_id=f"dp_race_{n}", dispute_fee_cents=1500)
        lost = event(gift, DISPUTE_LOST, dispute_id=f"dp_race_{n}")

        statuses = all_at_once(6, lambda i, e=opened, g=gift: deliver(g, e)[0])
        assert sorted(statuses) == [200] * 6
        statuses = all_at_once(6, lambda i, e=lost, g=gift: deliver(g, e)[0])
        assert sorted(statuses) == [200] * 6

        gift.refresh_from_db()
        assert (gift.status, gift.charged_back_cents) == ("charged_back", 800)
        assert Dispute.objects.filter(gift=gift).count() == 1
        assert Entry.objects.filter(gift=gift, kind="dispute.opened").count() == 1
        assert Entry.objects.filter(gift=gift, kind="dispute.lost").count() == 1
        assert Notification.objects.get(event_id=opened.event_id).deliveries == 6
    assert_ledger_holds()


def test_a_refund_racing_its_confirmation_never_applies_before_it(cafe):
    for n in range(ROUNDS):
        gift = begin(cafe, 600, email=f"racer{n}@example.org")
        confirmation, refund = event(gift, SUCCEEDED), event(gift, REFUNDED)

        statuses = all_at_once(2, lambda i, g=gift, c=confirmation, r=refund: deliver(g, (c, r)[i])[0])

        assert statuses[0] == 200
        assert statuses[1] in (200, 409), "applied after the confirmation, or deferred until it"
        if statuses[1] == 409:
            assert deliver(gift, refund)[0] == 200  # the provider sends it again
        gift.refresh_from_db()
        assert (gift.status, gift.refunded_cents) == ("refunded", 600)
        kinds = list(Entry.objects.filter(gift=gift).order_by("pk").values_list("kind", flat=True))
        assert kinds.index("gift.received") < kinds.index("gift.refunded")
    assert_ledger_holds()


def test_the_same_event_id_at_two_collectivites_applies_at_both(personas, cafe):
    metz = approved_registration(CampaignFactory(collectivite=personas.b.tenant), commune="57463")
    for n in range(ROUNDS):
        gifts = [begin(cafe, 500, email=f"a{n}@example.org"), begin(metz, 500, email=f"b{n}@example.org")]
        events = [event(gift, SUCCEEDED, event_id=f"evt_shared_{n}") for gift in gifts]

        statuses = all_at_once(4, lambda i, gifts=gifts, events=events: deliver(gifts[i % 2], events[i % 2])[0])

        assert statuses == [200] * 4
        assert set(Gift.objects.filter(pk__in=[g.pk for g in gifts]).values_list("status", flat=True)) == {"confirmed"}
        stored = Notification.objects.filter(event_id=f"evt_shared_{n}")
        assert sorted(stored.values_list("collectivite__slug", "status", "deliveries")) == [
            ("grand-est", "applied", 2),
            ("metz", "applied", 2),
        ]
    assert_ledger_holds()


def test_a_hosted_page_submitted_twice_at_the_same_moment_pays_once(personas, cafe):
    for n in range(ROUNDS):
        gift = start(cafe, 500, email=f"double{n}@example.org")
        provider = provider_for(personas.a.tenant)

        def submit(i, checkout=gift.checkout_id, provider=provider):
            try:
                return len(provider.pay(checkout, "success", "4242"))
            except ProviderError:
                return 0

        assert sorted(all_at_once(2, submit)) == [0, 1]
        checkout = SandboxCheckout.objects.get(pk=gift.checkout_id)
        assert checkout.status == "paid"
        assert SandboxEvent.objects.filter(checkout=checkout, type="payment.succeeded").count() == 1
    # And through the page itself: the second submission is told the page is closed.
    gift = start(cafe, 500, email="page@example.org")
    page = f"/sandbox/paiement/{gift.checkout_id}/"
    answers = all_at_once(2, lambda i: Client(HTTP_HOST=personas.a.host).post(page, {"outcome": "success"}).status_code)
    assert sorted(answers) == [302, 400]
