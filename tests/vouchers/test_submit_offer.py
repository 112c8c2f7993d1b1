"""The owner proposes the counterpart of one registration (GET/POST
/mon-espace/inscriptions/<pk>/offre/): a value voucher (a share of the gift with an optional
bonus, or a fixed amount), a named item, or nothing — within the campaign’s counterpart policy.
The proposal waits for a moderator; the offer in force does not change until then."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from solidaire.audit.models import AuditEvent
from solidaire.vouchers.models import Offer

from ..factories import CampaignFactory
from ..gifts import approved_registration
from .helpers import approved_offer, flat, main, next_30_june, propose, shown

pytestmark = pytest.mark.django_db


def offer_path(registration) -> str:
    return reverse("vouchers:offer", args=[registration.pk])


def form(**overrides) -> dict:
    """The offer form as the owner fills it: a voucher worth the gift + 20 %, valid until 30 June."""
    data = {
        "kind": "value",
        "value_mode": "percent",
        "percent_of_gift": "100",
        "bonus_percent": "20",
        "fixed_value_cents": "",
        "item_label": "",
        "min_gift_cents": "",
        "valid_from": "",
        "valid_until": next_30_june().isoformat(),
        "validity_days": "",
        "partial_use": "on",
        "terms": "Valable sur les consommations, pas sur l'alcool.",
        "stock": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, registration, **overrides):
    return client.post(offer_path(registration), form(**overrides))


def errors(response) -> dict:
    return {name: [flat(str(e)) for e in errs] for name, errs in response.context["form"].errors.items()}


# What the owner can propose --------------------------------------------------------------------


def test_owner_proposes_a_voucher_worth_the_gift_plus_20_percent(personas, client_for, cafe):
    response = submit(client_for(personas.a, personas.a.owner), cafe)
    assert response.status_code == 302 and response["Location"] == offer_path(cafe)
    offer = Offer.objects.get()
    assert (offer.status, offer.kind, offer.value_mode) == ("pending", "value", "percent")
    assert (offer.percent_of_gift, offer.bonus_percent, offer.valid_until) == (100, 20, next_30_june())
    assert offer.partial_use is True and offer.stock is None and offer.issued_count == 0
    assert offer.value_for(1000) == 1200
    event = AuditEvent.objects.get(action="offer.submitted")
    assert (event.actor, event.object_id, event.data) == (personas.a.owner, str(offer.pk), {"kind": "value"})


def test_owner_proposes_a_fixed_amount_with_a_minimum_gift_and_a_stock(personas, client_for, cafe):
    submit(
        client_for(personas.a, personas.a.owner),
        cafe,
        value_mode="fixed",
        fixed_value_cents="8,50",
        min_gift_cents="5",
        stock="40",
        partial_use=None,
        valid_until="",
        validity_days="90",
    )
    offer = Offer.objects.get()
    assert (offer.fixed_value_cents, offer.min_gift_cents, offer.stock) == (850, 500, 40)
    assert (offer.valid_until, offer.validity_days, offer.partial_use) == (None, 90, False)
    assert offer.value_for(300) == offer.value_for(1000) == 850


def test_owner_proposes_a_named_item(personas, client_for, cafe):
    submit(client_for(personas.a, personas.a.owner), cafe, kind="item", item_label="Un café offert")
    offer = Offer.objects.get()
    assert (offer.kind, offer.item_label, offer.value_for(1000)) == ("item", "Un café offert", 0)


def test_owner_says_there_is_no_counterpart(personas, client_for, cafe):
    response = submit(client_for(personas.a, personas.a.owner), cafe, kind="none", valid_until="")
    assert response.status_code == 302
    assert Offer.objects.get().kind == "none"


def test_a_proposal_changes_nothing_until_a_moderator_approves_it(personas, client_for, cafe):
    in_force = approved_offer(cafe, personas.a.moderator, bonus_percent=0)
    submit(client_for(personas.a, personas.a.owner), cafe, bonus_percent="50")
    in_force.refresh_from_db()
    assert in_force.status == "approved"
    assert Offer.objects.filter(registration=cafe, status="approved").get() == in_force
    assert Offer.objects.get(status="pending").bonus_percent == 50
    page = main(client_for(personas.a, personas.a.owner).get(offer_path(cafe)))
    assert shown("fr", "A new offer is waiting for a moderator:") in page


def test_a_new_proposal_replaces_the_one_still_waiting(personas, client_for, cafe):
    owner = client_for(personas.a, personas.a.owner)
    submit(owner, cafe, bonus_percent="10")
    submit(owner, cafe, bonus_percent="30")
    assert sorted(Offer.objects.values_list("bonus_percent", "status")) == [(10, "superseded"), (30, "pending")]


def test_the_form_starts_from_the_offer_in_force(personas, client_for, cafe):
    approved_offer(cafe, personas.a.moderator, bonus_percent=35, terms="Hors alcool.")
    response = client_for(personas.a, personas.a.owner).get(offer_path(cafe))
    assert response.status_code == 200
    assert response.context["form"].initial["bonus_percent"] == 35
    assert response.context["form"].initial["terms"] == "Hors alcool."
    assert response.context["in_force"].bonus_percent == 35


# The campaign’s policy and the rules -----------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "kind", "accepted"),
    [
        ("none", "none", True),
        ("none", "value", False),
        ("none", "item", False),
        ("optional", "none", True),
        ("optional", "value", True),
        ("optional", "item", True),
        ("required", "none", False),
        ("required", "value", True),
        ("required", "item", True),
    ],
)
def test_the_campaigns_counterpart_policy_decides_what_is_allowed(personas, client_for, policy, kind, accepted):
    campaign = CampaignFactory(collectivite=personas.a.tenant, counterpart_policy=policy)
    registration = approved_registration(campaign, owner=personas.a.owner)
    response = submit(
        client_for(personas.a, personas.a.owner),
        registration,
        kind=kind,
        item_label="Un café offert" if kind == "item" else "",
        valid_until=next_30_june().isoformat() if kind != "none" else "",
    )
    if accepted:
        assert response.status_code == 302
        assert Offer.objects.get().kind == kind
    else:
        assert response.status_code == 400
        message = {
            "none": "This campaign does not allow counterparts.",
            "required": "This campaign asks every beneficiary to offer a counterpart.",
        }[policy]
        assert errors(response) == {"kind": [shown("fr", message)]}
        assert not Offer.objects.exists()


def past(days=1) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def future(days) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "item", "item_label": "  "}, "item_label", "Say what the item is."),
        ({"value_mode": "fixed", "fixed_value_cents": ""}, "fixed_value_cents", "Give the voucher’s amount."),
        ({"value_mode": "fixed", "fixed_value_cents": "0"}, "fixed_value_cents", "Give the voucher’s amount."),
        ({"percent_of_gift": "0"}, "percent_of_gift", "The share of the gift must be between 1 % and 200 %."),
        ({"percent_of_gift": "201"}, "percent_of_gift", "The share of the gift must be between 1 % and 200 %."),
        ({"bonus_percent": "101"}, "bonus_percent", "The bonus cannot exceed 100 %."),
        (
            {"valid_from": future(60), "valid_until": future(30)},
            "valid_until",
            "The voucher must be valid until a date after it starts.",
        ),
        ({"valid_until": past()}, "valid_until", "The end of validity has passed."),
        ({"valid_until": "", "validity_days": ""}, "valid_until", "Give an end date or a duration of validity."),
    ],
)
def test_an_offer_breaking_a_rule_is_refused_with_the_reason(personas, client_for, cafe, overrides, field, message):
    response = submit(client_for(personas.a, personas.a.owner), cafe, **overrides)
    assert response.status_code == 400
    assert errors(response) == {field: [shown("fr", message)]}
    assert not Offer.objects.exists()
    assert not AuditEvent.objects.filter(action="offer.submitted").exists()


def test_negative_amounts_are_refused_by_the_form(personas, client_for, cafe):
    response = submit(
        client_for(personas.a, personas.a.owner), cafe, value_mode="fixed", fixed_value_cents="-5", bonus_percent="-1"
    )
    assert response.status_code == 400
    assert set(errors(response)) == {"fixed_value_cents", "bonus_percent"}
    assert not Offer.objects.exists()


def test_the_pending_offer_is_shown_to_its_owner(personas, client_for, cafe):
    propose(cafe, kind="item", item_label="Un croissant offert", valid_until=None, validity_days=30)
    page = main(client_for(personas.a, personas.a.owner).get(offer_path(cafe)))
    assert "Un croissant offert" in page
    assert shown("fr", "No approved offer yet: donors get no voucher.") in page


# Whose offer ----------------------------------------------------------------------------------


def test_only_the_owner_reaches_the_offer_of_a_registration(personas, client_for, cafe, other_cafe):
    path = offer_path(cafe)
    assert client_for(personas.a).get(path)["Location"].startswith(reverse("account_login"))
    for user in (
        personas.a.admin,
        personas.a.moderator,
        personas.a.donor,
        personas.outsider,
        other_cafe.establishment.owner,
    ):
        assert client_for(personas.a, user).get(path).status_code == 404, user
        assert submit(client_for(personas.a, user), cafe).status_code == 404, user
    assert client_for(personas.b, personas.a.owner).get(path).status_code == 404  # not on B's site
    assert not Offer.objects.exists()
