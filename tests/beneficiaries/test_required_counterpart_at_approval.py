"""A campaign that requires a counterpart: a moderator may approve a registration only once the
establishment has an approved offer with a counterpart, still valid (an offer only submitted is
not enough: approved, the establishment takes gifts at once, and a gift confirmed without an
approved offer would issue no voucher). The moderator is told why on the moderation page — before
deciding, and again when trying — and nothing changes. beneficiaries does not know the vouchers:
the check is plugged in through campaigns.hooks."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from solidaire.beneficiaries import actions
from solidaire.beneficiaries.models import Registration
from solidaire.campaigns import hooks
from solidaire.core.errors import ActionError
from solidaire.vouchers.models import Offer

from ..accounts.helpers import page_text, translated
from ..vouchers.helpers import approved_offer, propose
from .helpers import EstablishmentFactory, RegistrationFactory, audit_actions, cafe_campaign, moderation_url

pytestmark = pytest.mark.django_db

NO_OFFER = (
    "This campaign requires a counterpart, and the establishment has not offered one yet: ask the owner "
    "for changes so that they submit an offer."
)
OFFER_WAITING = (
    "This campaign requires a counterpart: approve the establishment’s offer first (it is waiting "
    "among the counterpart offers), then this registration."
)
OFFER_ENDED = (
    "This campaign requires a counterpart, and the establishment’s approved offer has ended: ask the "
    "owner for changes so that they submit a new offer."
)


def pending_registration(personas, policy: str) -> Registration:
    establishment = EstablishmentFactory(
        collectivite=personas.a.tenant, owner=personas.a.owner, trade_name="Le Café des Arts"
    )
    campaign = cafe_campaign(personas.a, counterpart_policy=policy)
    return RegistrationFactory(campaign=campaign, establishment=establishment, status="pending")


@pytest.fixture
def registration(personas):
    """Oscar's café, waiting for moderation in a campaign that requires a counterpart."""
    return pending_registration(personas, "required")


@pytest.fixture
def approve(personas, client_for, django_capture_on_commit_callbacks):
    def post(registration):
        client = client_for(personas.a, personas.a.moderator)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(moderation_url(registration), {"decision": "approve", "message": ""})

    return post


def status_of(registration) -> str:
    return Registration.objects.get(pk=registration.pk).status


def assert_refused_with(response, registration, message):
    assert response.status_code == 400
    assert translated(message) in page_text(response)
    assert status_of(registration) == "pending"
    assert "registration.approved" not in audit_actions(registration)
    assert mail.outbox == []


def test_without_any_offer_the_moderator_cannot_approve_and_is_told_why(approve, registration):
    assert_refused_with(approve(registration), registration, NO_OFFER)


def test_an_offer_waiting_for_moderation_is_not_enough(approve, registration):
    propose(registration)
    mail.outbox.clear()
    assert_refused_with(approve(registration), registration, OFFER_WAITING)


def test_an_offer_of_no_counterpart_does_not_count(approve, registration):
    offer = approved_offer(registration)
    Offer.objects.filter(pk=offer.pk).update(kind="none")
    mail.outbox.clear()
    assert_refused_with(approve(registration), registration, NO_OFFER)


def test_an_approved_offer_whose_validity_has_ended_does_not_count(approve, registration):
    offer = approved_offer(registration)
    Offer.objects.filter(pk=offer.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    mail.outbox.clear()
    assert_refused_with(approve(registration), registration, OFFER_ENDED)


def test_with_an_approved_offer_the_registration_is_approved(personas, approve, registration):
    approved_offer(registration, moderator=personas.a.moderator)
    response = approve(registration)
    assert response.status_code == 302
    assert status_of(registration) == "approved"


def test_approving_the_waiting_offer_first_unblocks_the_registration(personas, approve, registration):
    from solidaire.vouchers.actions import decide_offer

    offer = propose(registration)
    assert approve(registration).status_code == 400
    decide_offer(offer=offer, moderator=personas.a.moderator, approve=True)
    assert approve(registration).status_code == 302
    assert status_of(registration) == "approved"


@pytest.mark.parametrize("policy", ["optional", "none"])
def test_other_campaigns_approve_without_an_offer(personas, approve, policy):
    registration = pending_registration(personas, policy)
    assert approve(registration).status_code == 302
    assert status_of(registration) == "approved"


def test_the_page_says_it_before_the_moderator_decides(personas, client_for, registration):
    response = client_for(personas.a, personas.a.moderator).get(moderation_url(registration))
    assert response.status_code == 200
    page = page_text(response)
    assert translated("Not approvable yet:") in page
    assert translated(NO_OFFER) in page


def test_the_page_says_nothing_when_the_registration_can_be_approved(personas, client_for, registration):
    approved_offer(registration)
    page = page_text(client_for(personas.a, personas.a.moderator).get(moderation_url(registration)))
    assert translated("Not approvable yet:") not in page


def test_rejecting_or_asking_for_changes_stays_possible(personas, client_for, registration):
    client = client_for(personas.a, personas.a.moderator)
    response = client.post(
        moderation_url(registration), {"decision": "request_changes", "message": "Proposez une offre."}
    )
    assert response.status_code == 302
    assert status_of(registration) == "changes_requested"


def test_the_write_path_refuses_whatever_the_page(personas, registration):
    with pytest.raises(ActionError) as refused:
        actions.approve(registration=registration, moderator=personas.a.moderator)
    assert refused.value.code == "not_approvable"
    assert str(refused.value.message) == translated(NO_OFFER)
    assert status_of(registration) == "pending"


def test_the_check_is_plugged_in_by_the_vouchers_through_the_campaigns_hooks():
    from solidaire.vouchers.actions import missing_counterpart

    assert missing_counterpart in hooks._approval_checks
