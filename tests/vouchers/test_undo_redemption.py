"""Undoing a mistaken redemption (POST /mon-espace/etablissements/<pk>/caisse/annuler/<id>/):
within 15 minutes, by the owner or staff of the establishment. The value comes back and the undo
is recorded on the redemption (who, when) — the redemption itself is never deleted."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from solidaire.vouchers.actions import UNDO_MINUTES
from solidaire.vouchers.models import Redemption, Staff, Voucher

from ..donations.helpers import refund
from .helpers import approved_offer, counter_path, main, messages_of, redeem, shown, voucher_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(personas, cafe):
    approved_offer(cafe, personas.a.moderator)
    return voucher_for(cafe, 1000)  # 12 €


def undo_path(redemption) -> str:
    return reverse("vouchers:undo", args=[redemption.voucher.registration.establishment_id, redemption.pk])


def undo(client, redemption):
    return client.post(undo_path(redemption))


def state(voucher) -> tuple[int, str]:
    voucher = Voucher.objects.get(pk=voucher.pk)
    return voucher.remaining_cents, voucher.status


def minutes_ago(redemption, minutes):
    Redemption.objects.filter(pk=redemption.pk).update(at=timezone.now() - timedelta(minutes=minutes))


def test_undo_gives_the_value_back_and_is_recorded(personas, client_for, voucher):
    redemption = redeem(voucher, personas.a.owner, 500)
    assert state(voucher) == (700, "active")
    response = undo(client_for(personas.a, personas.a.owner), redemption)
    assert response.status_code == 302 and response["Location"] == counter_path(voucher.registration)
    assert messages_of(response) == [shown("fr", "The redemption is undone; the voucher is valid again.")]
    assert state(voucher) == (1200, "active")
    redemption.refresh_from_db()
    assert redemption.undone_by == personas.a.owner
    assert timezone.now() - redemption.undone_at < timedelta(seconds=30)
    assert (redemption.amount_cents, redemption.by) == (500, personas.a.owner)  # kept as it was
    assert Redemption.objects.count() == 1


def test_undoing_the_last_use_makes_the_voucher_valid_again(personas, client_for, voucher):
    redemption = redeem(voucher, personas.a.owner)
    assert state(voucher) == (0, "used")
    undo(client_for(personas.a, personas.a.owner), redemption)
    assert state(voucher) == (1200, "active")
    redeem(voucher, personas.a.owner, 300)
    assert state(voucher) == (900, "active")


def test_staff_may_undo_and_are_recorded(personas, client_for, cafe, voucher):
    Staff.objects.create(establishment=cafe.establishment, user=personas.a.donor)
    redemption = redeem(voucher, personas.a.owner, 500)
    undo(client_for(personas.a, personas.a.donor), redemption)
    redemption.refresh_from_db()
    assert redemption.undone_by == personas.a.donor


def test_undo_is_possible_until_15_minutes(personas, client_for, voucher):
    assert UNDO_MINUTES == 15
    redemption = redeem(voucher, personas.a.owner, 500)
    minutes_ago(redemption, 14)
    undo(client_for(personas.a, personas.a.owner), redemption)
    assert state(voucher) == (1200, "active")


def test_undo_after_15_minutes_is_refused(personas, client_for, voucher):
    redemption = redeem(voucher, personas.a.owner, 500)
    minutes_ago(redemption, 16)
    response = undo(client_for(personas.a, personas.a.owner), redemption)
    assert response.status_code == 302
    assert messages_of(response) == [
        shown("fr", "A redemption can only be undone within %(minutes)s minutes.", minutes=15)
    ]
    assert state(voucher) == (700, "active")
    redemption.refresh_from_db()
    assert redemption.undone_at is None and redemption.undone_by is None


def test_the_undo_button_is_offered_only_within_the_window(personas, client_for, voucher):
    recent = redeem(voucher, personas.a.owner, 100)
    old = redeem(voucher, personas.a.owner, 200)
    minutes_ago(old, 20)
    page = main(client_for(personas.a, personas.a.owner).get(counter_path(voucher.registration)))
    assert undo_path(recent) in page
    assert undo_path(old) not in page


def test_an_undone_redemption_cannot_be_undone_twice(personas, client_for, voucher):
    redemption = redeem(voucher, personas.a.owner, 500)
    owner = client_for(personas.a, personas.a.owner)
    undo(owner, redemption)
    response = undo(owner, redemption)
    assert messages_of(response)[-1] == shown("fr", "This redemption was already undone.")
    assert state(voucher) == (1200, "active")  # not 1700
    page = main(owner.get(counter_path(voucher.registration)))
    assert shown("fr", "undone") in page and undo_path(redemption) not in page


def test_undo_on_a_cancelled_voucher_is_refused(personas, client_for, voucher):
    redemption = redeem(voucher, personas.a.owner, 500)
    refund(voucher.gift, actor=personas.a.finance)
    response = undo(client_for(personas.a, personas.a.owner), redemption)
    assert messages_of(response) == [shown("fr", "This voucher was cancelled (the gift was refunded).")]
    assert state(voucher) == (700, "cancelled")


def test_nobody_else_may_undo(personas, client_for, cafe, other_cafe, voucher):
    redemption = redeem(voucher, personas.a.owner, 500)
    Staff.objects.create(establishment=other_cafe.establishment, user=personas.a.donor)
    for user in (other_cafe.establishment.owner, personas.a.donor, personas.a.admin, personas.outsider):
        assert undo(client_for(personas.a, user), redemption).status_code == 404, user
        theirs = reverse("vouchers:undo", args=[other_cafe.establishment_id, redemption.pk])
        assert client_for(personas.a, user).post(theirs).status_code == 404, user
    assert undo(client_for(personas.b, personas.a.owner), redemption).status_code == 404
    assert undo(client_for(personas.a), redemption)["Location"].startswith(reverse("account_login"))
    assert client_for(personas.a, personas.a.owner).get(undo_path(redemption)).status_code == 405
    assert state(voucher) == (700, "active")
    assert Redemption.objects.get().undone_at is None
