"""Moderators review counterpart offers (GET /gestion/moderation/offres/, GET/POST
/gestion/moderation/offres/<pk>/): approve, or reject with a message. Only the approved offer is
in force; a newly approved one replaces it for new gifts while vouchers already issued keep their
frozen value. The owner is told by e-mail, in the owner's language."""

import pytest
from django.core import mail
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.vouchers.models import Offer

from .helpers import approved_offer, flat, main, propose, shown, voucher_for

pytestmark = pytest.mark.django_db


def decision_path(offer) -> str:
    return reverse("vouchers:offer_decision", args=[offer.pk])


@pytest.fixture
def decide(personas, client_for, django_capture_on_commit_callbacks):
    def post(offer, decision, message="", user=None, side=None):
        client = client_for(side or personas.a, user or personas.a.moderator)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(decision_path(offer), {"decision": decision, "message": message})

    return post


def reloaded(offer) -> Offer:
    return Offer.objects.get(pk=offer.pk)


# The queue -------------------------------------------------------------------------------------


def test_the_queue_lists_the_offers_waiting_in_this_collectivite_only(personas, client_for, cafe, other_cafe, b_cafe):
    waiting = propose(cafe)
    approved_offer(other_cafe, personas.a.moderator)
    propose(b_cafe)
    response = client_for(personas.a, personas.a.moderator).get(reverse("vouchers:offers_queue"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [waiting]
    page = main(response)
    assert "Café de la Gare" in page
    assert "Bar du Marché" not in page and "Café de Metz" not in page


def test_decided_offers_leave_the_queue(personas, client_for, cafe, decide):
    decide(propose(cafe), "approve")
    response = client_for(personas.a, personas.a.moderator).get(reverse("vouchers:offers_queue"))
    assert list(response.context["page"]) == []


# Approving -------------------------------------------------------------------------------------


def test_approving_puts_the_offer_in_force_and_tells_the_owner(personas, cafe, decide):
    offer = propose(cafe)
    response = decide(offer, "approve")
    assert response.status_code == 302 and response["Location"] == reverse("vouchers:offers_queue")
    offer = reloaded(offer)
    assert (offer.status, offer.decided_by) == ("approved", personas.a.moderator)
    assert offer.decided_at is not None
    event = AuditEvent.objects.get(action="offer.approved")
    assert (event.actor, event.object_id, event.collectivite) == (
        personas.a.moderator,
        str(offer.pk),
        personas.a.tenant,
    )
    (email,) = mail.outbox
    assert email.to == [personas.a.owner.email]
    assert flat(email.subject).endswith(shown("fr", "The counterpart of %(name)s is approved", name="Café de la Gare"))
    assert f"http://grand-est.localhost/mon-espace/inscriptions/{cafe.pk}/offre/" in email.body


def test_the_owner_is_told_in_the_owners_language(personas, cafe, decide):
    personas.a.owner.language = "de"
    personas.a.owner.save(update_fields=["language"])
    decide(propose(cafe), "reject", message="Bitte genauer.")
    (email,) = mail.outbox
    assert flat(email.subject).endswith(
        shown("de", "The counterpart of %(name)s was not approved", name="Café de la Gare")
    )
    assert f"http://grand-est.localhost/de/mon-espace/inscriptions/{cafe.pk}/offre/" in email.body
    assert "Bitte genauer." in email.body


def test_only_one_offer_is_in_force_a_new_approval_supersedes_the_old_one(personas, cafe, decide):
    first = approved_offer(cafe, personas.a.moderator, bonus_percent=20)
    second = propose(cafe, bonus_percent=50)
    decide(second, "approve")
    assert reloaded(first).status == "superseded"
    assert reloaded(second).status == "approved"
    assert list(Offer.objects.filter(registration=cafe, status="approved")) == [second]


def test_vouchers_already_issued_keep_their_frozen_value(personas, cafe, decide):
    approved_offer(cafe, personas.a.moderator, bonus_percent=20, terms="Hors alcool.")
    before = voucher_for(cafe, 1000)
    assert before.value_cents == 1200
    decide(propose(cafe, value_mode="fixed", fixed_value_cents=300, terms="Nouvelles conditions."), "approve")
    after = voucher_for(cafe, 1000, email="eve@example.org")
    before.refresh_from_db()
    assert (before.value_cents, before.remaining_cents, before.terms) == (1200, 1200, "Hors alcool.")
    assert (after.value_cents, after.terms) == (300, "Nouvelles conditions.")
    assert before.offer.status == "superseded"


def test_approval_checks_the_campaigns_policy_again(personas, cafe, decide):
    offer = propose(cafe)
    type(cafe.campaign).objects.filter(pk=cafe.campaign_id).update(counterpart_policy="none")
    response = decide(offer, "approve")
    assert response.status_code == 400
    assert shown("fr", "This campaign does not allow counterparts.") in [
        flat(str(e)) for e in response.context["form"].non_field_errors()
    ]
    assert reloaded(offer).status == "pending"
    assert mail.outbox == []


# Rejecting -------------------------------------------------------------------------------------


def test_rejecting_needs_a_message(personas, cafe, decide):
    offer = propose(cafe)
    response = decide(offer, "reject", message="   ")
    assert response.status_code == 400
    assert [flat(str(e)) for e in response.context["form"].errors["message"]] == [
        shown("fr", "Explain your decision to the owner.")
    ]
    assert list(response.context["form"].errors) == ["message"]
    assert reloaded(offer).status == "pending"
    assert not AuditEvent.objects.filter(action="offer.rejected").exists()
    assert mail.outbox == []


def test_rejecting_keeps_the_offer_in_force_and_tells_the_owner_why(personas, cafe, decide):
    in_force = approved_offer(cafe, personas.a.moderator)
    offer = propose(cafe, bonus_percent=100)
    decide(offer, "reject", message="Un bonus de 100 % semble excessif.")
    assert (reloaded(offer).status, reloaded(offer).decision_message) == (
        "rejected",
        "Un bonus de 100 % semble excessif.",
    )
    assert reloaded(in_force).status == "approved"
    assert AuditEvent.objects.get(action="offer.rejected").data == {"message": "Un bonus de 100 % semble excessif."}
    (email,) = mail.outbox
    assert "Un bonus de 100 % semble excessif." in email.body
    assert flat(email.subject).endswith(
        shown("fr", "The counterpart of %(name)s was not approved", name="Café de la Gare")
    )


def test_a_decided_offer_cannot_be_decided_again(personas, cafe, decide):
    offer = propose(cafe)
    decide(offer, "reject", message="Non.")
    mail.outbox.clear()
    response = decide(offer, "approve")
    assert response.status_code == 400
    assert reloaded(offer).status == "rejected"
    assert mail.outbox == []


# Who may decide ---------------------------------------------------------------------------------


def test_admins_may_decide_too(personas, cafe, decide):
    offer = propose(cafe)
    decide(offer, "approve", user=personas.a.admin)
    assert reloaded(offer).decided_by == personas.a.admin


@pytest.mark.parametrize("role", ["finance", "viewer"])
def test_team_members_who_do_not_moderate_are_refused(personas, client_for, cafe, decide, role):
    offer = propose(cafe)
    user = getattr(personas.a, role)
    assert client_for(personas.a, user).get(reverse("vouchers:offers_queue")).status_code == 403
    assert client_for(personas.a, user).get(decision_path(offer)).status_code == 403
    assert decide(offer, "approve", user=user).status_code == 403
    assert reloaded(offer).status == "pending"


def test_owners_and_outsiders_are_refused(personas, cafe, decide):
    offer = propose(cafe)
    for user in (personas.a.owner, personas.outsider):
        assert decide(offer, "approve", user=user).status_code == 403
    assert reloaded(offer).status == "pending"


def test_moderators_of_another_collectivite_get_404_on_their_own_site(personas, client_for, cafe, decide):
    offer = propose(cafe)
    assert client_for(personas.b, personas.b.moderator).get(decision_path(offer)).status_code == 404
    assert decide(offer, "approve", user=personas.b.moderator, side=personas.b).status_code == 404
    # and on A's site they are no team member at all
    assert decide(offer, "approve", user=personas.b.moderator).status_code == 403
    assert reloaded(offer).status == "pending"
    assert mail.outbox == []
