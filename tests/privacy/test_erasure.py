"""Erasure (privacy.actions.erase): no trace of the person is left in any column of any table —
name, e-mail address however written, messages, client address — while the journal, the amounts
and every money check (`ledger-check`) stay as they were."""

import io

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from solidaire.accounts.models import User
from solidaire.audit.models import AuditEvent
from solidaire.donations import actions as donation_actions
from solidaire.donations.models import Gift
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import Entry, Posting
from solidaire.matching.models import Allocation, DonorUsage
from solidaire.payments.models import Notification
from solidaire.privacy import actions, identity
from solidaire.vouchers.models import Offer

from ..donations.helpers import refund
from ..factories import CampaignFactory
from ..gifts import approved_registration, give, start
from .helpers import traces

pytestmark = pytest.mark.django_db

EMAIL = "Dorothee.Quesnel+cafe@example.org"
NAME = "Dorothée Quesnel-Vasseur"
MESSAGE = "Courage à toute l’équipe de Quesnel"
IP = "203.0.113.77"


def sessions_naming(email) -> int:
    return sum(1 for s in Session.objects.all() if email.lower() in str(s.get_decoded()).lower())


@pytest.fixture
def history(personas, cafe_a, cafe_b):
    """The person gave in two collectivités, with a name and a message, once with a voucher, once
    refunded, once abandoned; the other donors' gifts stay."""
    Offer.objects.create(registration=cafe_a, kind="item", item_label="Un café", validity_days=180, status="approved")
    kept = give(cafe_a, 800, email="someone.else@example.org", donor_name="Autre Personne")
    gifts = [
        give(cafe_a, 500, email=EMAIL, donor_name=NAME, public_message=MESSAGE, client_address=IP),
        give(cafe_b, 700, email="dorotheequesnel@example.org", donor_name=NAME, client_address=IP),
        refund(give(cafe_a, 300, email=EMAIL.upper(), client_address=IP), reason=f"À la demande de {NAME}"),
        start(cafe_b, 400, email=EMAIL, donor_name=NAME, client_address=IP),
    ]
    return gifts, kept


def folded_needles():
    return [EMAIL, "dorotheequesnel@example.org", "Dorothee.Quesnel", NAME, "Quesnel-Vasseur", MESSAGE, IP]


def test_the_scan_finds_the_person_before_erasure(history):
    found = traces(*folded_needles())
    assert f"donations.Gift.email ~ {EMAIL}" in found
    assert f"donations.Gift.donor_name ~ {NAME}" in found
    assert f"donations.Gift.public_message ~ {MESSAGE}" in found
    assert f"audit.AuditEvent.data ~ {NAME}" in found  # the refund's reason, in JSON


def test_erasure_leaves_no_trace_and_the_books_hold(history):
    gifts, kept = history
    entries, postings = Entry.objects.count(), Posting.objects.count()
    amounts = {g.pk: (g.amount_cents, g.match_cents, g.refunded_cents, g.status) for g in Gift.objects.all()}
    usage_totals = sorted(DonorUsage.objects.values_list("campaign_id", "used_cents", "reserved_cents"))
    assert check_all() == []

    done = actions.erase(identity.Person(email="dorothee.quesnel@EXAMPLE.org"))

    assert done["gifts"] == 4
    assert traces(*folded_needles()) == []
    assert check_all() == []
    call_command("ledger-check", stdout=io.StringIO())  # exits non-zero on a broken invariant
    assert (Entry.objects.count(), Posting.objects.count()) == (entries, postings)
    assert {g.pk: (g.amount_cents, g.match_cents, g.refunded_cents, g.status) for g in Gift.objects.all()} == amounts
    assert sorted(DonorUsage.objects.values_list("campaign_id", "used_cents", "reserved_cents")) == usage_totals
    kept.refresh_from_db()
    assert (kept.email, kept.donor_name) == ("someone.else@example.org", "Autre Personne")
    for gift in gifts:
        gift.refresh_from_db()
        assert not gift.donor_key.endswith(identity.donor_key(EMAIL).split(":")[1])
    assert all(":erased-" in k for a in Allocation.objects.filter(gift__in=gifts) for k in a.keys)
    erased = AuditEvent.objects.filter(action="privacy.erased")
    assert {e.collectivite_id for e in erased} == {gifts[0].collectivite_id, gifts[1].collectivite_id}
    assert all(e.data["subject"] == identity.Person(email=EMAIL).fingerprint for e in erased)


def test_an_open_checkout_of_an_erased_person_is_still_released(history):
    gifts, _kept = history
    actions.erase(identity.Person(email=EMAIL))
    pending = Gift.objects.get(pk=gifts[3].pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        donation_actions.abandon_checkout(pending)
    assert check_all() == []


def test_erasing_an_account_holder_closes_the_account_and_its_sessions(personas, cafe_a, client_for):
    dora = personas.a.donor
    give(cafe_a, 500, email=dora.email, donor_name="Dora Lemaire-Unique", user=dora, client_address=IP)
    client = client_for(personas.a, dora)
    assert client.get(reverse("privacy:erase")).status_code == 200
    assert sessions_naming(dora.email) == 0  # an account's session holds its id, not its address
    response = client.post(reverse("privacy:erase"), {"confirm": "on"})
    assert response.status_code == 302
    dora.refresh_from_db()
    assert not dora.is_active and not dora.has_usable_password()
    assert traces("dora@example.org", "Dora Lemaire-Unique", IP) == []
    assert not Session.objects.filter(session_key=client.session.session_key).exists()
    assert client.get(reverse("privacy:space")).status_code == 302
    assert check_all() == []
    assert User.objects.filter(pk=dora.pk, email__endswith="@erased.invalid").exists()


def test_erasure_asks_for_a_confirmation(personas, cafe_a, client_for):
    give(cafe_a, 500, email="jean@example.org", donor_name="Jean Unique-Nom")
    client = client_for(personas.a)
    client.get(reverse("privacy:open", args=[identity.make_token("jean@example.org")]))
    assert client.post(reverse("privacy:erase"), {}).status_code == 400
    assert Gift.objects.filter(email="jean@example.org").exists()
    assert client.post(reverse("privacy:erase"), {"confirm": "on"}).status_code == 302
    assert not Gift.objects.filter(email="jean@example.org").exists()
    assert traces("jean@example.org", "Jean Unique-Nom") == []


def test_team_members_and_owners_are_asked_to_leave_first(personas):
    approved_registration(CampaignFactory(collectivite=personas.a.tenant), owner=personas.a.owner)
    for user in (personas.a.admin, personas.a.owner):
        person = identity.Person(email=user.email, user=user)
        assert actions.erasure_refusal(person)
        with pytest.raises(actions.ActionError):
            actions.erase(person)


def test_a_rejected_notification_naming_the_address_loses_it(history):
    Notification.objects.create(
        provider="sandbox", status="rejected", reason="bad signature", body=f'{{"email": "{EMAIL}"}}'
    )
    actions.erase(identity.Person(email=EMAIL))
    assert not Notification.objects.filter(body__icontains="dorothee.quesnel").exists()


def test_erasure_ends_the_spaces_opened_by_a_link_to_any_spelling_of_the_address(history, client_for, personas):
    elsewhere = client_for(personas.b)
    elsewhere.get(reverse("privacy:open", args=[identity.make_token("dorothee.quesnel+x@example.org")]))
    assert elsewhere.get(reverse("privacy:space")).status_code == 200
    assert sessions_naming("dorothee.quesnel+x@example.org") == 1
    actions.erase(identity.Person(email=EMAIL))
    assert sessions_naming("dorothee.quesnel+x@example.org") == 0
    assert elsewhere.get(reverse("privacy:space")).status_code == 302
