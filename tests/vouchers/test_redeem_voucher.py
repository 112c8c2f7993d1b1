"""Redeeming at the counter (GET/POST /mon-espace/etablissements/<pk>/caisse/bons/<id>/): the page
shows what is left and until when; the owner or their staff uses an amount (partial use where
the offer allows it), an item voucher whole. Only at the issuing establishment, only within
its dates, never more than what is left, once per form (a retried submission is not debited
twice), and every redemption records who and when."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from solidaire.core.money import format_cents
from solidaire.vouchers.models import Redemption, Staff, Voucher

from ..donations.helpers import refund
from .helpers import approved_offer, counter_path, flat, main, messages_of, shown, voucher_for, voucher_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(personas, cafe):
    """A 12 € voucher (10 € gift + 20 %), usable in several times."""
    approved_offer(cafe, personas.a.moderator)
    return voucher_for(cafe, 1000, email="dora@example.org")


def use(client, voucher, amount="", key="form-1"):
    return client.post(voucher_path(voucher), {"amount": amount, "key": key})


def left(voucher) -> tuple[int, str]:
    voucher = Voucher.objects.get(pk=voucher.pk)
    return voucher.remaining_cents, voucher.status


def refusal(response) -> list[str]:
    return [flat(str(e)) for errors in response.context["form"].errors.values() for e in errors]


def euros(cents) -> str:
    return flat(format_cents(cents, "fr"))


# The page ----------------------------------------------------------------------------------------


def test_the_page_shows_what_is_left_and_until_when_but_not_who_holds_it(personas, client_for, voucher):
    response = client_for(personas.a, personas.a.owner).get(voucher_path(voucher))
    assert response.status_code == 200
    page = main(response)
    assert shown("fr", "%(left)s left of %(value)s", left=euros(1200), value=euros(1200)) in page
    assert response.context["state"] == "active"
    assert voucher.valid_until.strftime("%Y") in page
    assert "dora" not in page.lower() and voucher.gift.email not in page
    assert 'name="amount"' in page and 'name="key"' in page


# Using a voucher ---------------------------------------------------------------------------------


def test_partial_use_down_to_zero(personas, client_for, voucher):
    owner = client_for(personas.a, personas.a.owner)
    response = use(owner, voucher, "5", key="a")
    assert response.status_code == 302 and response["Location"] == counter_path(voucher.registration)
    assert messages_of(response) == [shown("fr", "Voucher redeemed: %(what)s.", what=euros(500))]
    assert left(voucher) == (700, "active")
    assert use(owner, voucher, "4,50", key="b").status_code == 302
    assert left(voucher) == (250, "active")
    assert use(owner, voucher, "", key="c").status_code == 302  # empty: all that is left
    assert left(voucher) == (0, "used")
    assert list(Redemption.objects.order_by("pk").values_list("amount_cents", flat=True)) == [500, 450, 250]


def test_more_than_what_is_left_is_refused(personas, client_for, voucher):
    owner = client_for(personas.a, personas.a.owner)
    use(owner, voucher, "10", key="a")
    response = use(owner, voucher, "5", key="b")
    assert response.status_code == 400
    assert refusal(response) == [shown("fr", "Only %(left)s is left on this voucher.", left=euros(200))]
    assert left(voucher) == (200, "active")
    assert Redemption.objects.count() == 1


def test_a_zero_amount_is_refused(personas, client_for, voucher):
    response = use(client_for(personas.a, personas.a.owner), voucher, "0")
    assert response.status_code == 400
    assert refusal(response) == [shown("fr", "Enter an amount to use.")]
    assert not Redemption.objects.exists()


def test_a_second_redemption_of_a_used_voucher_is_refused_with_a_clear_message(personas, client_for, voucher):
    owner = client_for(personas.a, personas.a.owner)
    use(owner, voucher, "", key="first")
    response = use(owner, voucher, "", key="second")
    assert response.status_code == 400
    assert refusal(response) == [shown("fr", "This voucher has already been used.")]
    assert shown("fr", "This voucher has already been used.") in main(response)
    assert Redemption.objects.count() == 1
    assert left(voucher) == (0, "used")
    page = main(client_for(personas.a, personas.a.owner).get(voucher_path(voucher)))
    assert shown("fr", "Already used.") in page and 'name="amount"' not in page


def test_a_whole_only_voucher_is_used_in_one_go(personas, client_for, cafe):
    approved_offer(cafe, personas.a.moderator, value_mode="fixed", fixed_value_cents=800, partial_use=False)
    voucher = voucher_for(cafe, 500)
    owner = client_for(personas.a, personas.a.owner)
    assert 'name="amount"' not in main(owner.get(voucher_path(voucher)))
    response = use(owner, voucher, "5", key="a")
    assert response.status_code == 400
    assert refusal(response) == [shown("fr", "This voucher must be used in one go: %(value)s.", value=euros(800))]
    assert left(voucher) == (800, "active")
    assert use(owner, voucher, "", key="b").status_code == 302
    assert left(voucher) == (0, "used")
    assert Redemption.objects.get().amount_cents == 800


def test_an_item_voucher_is_given_once(personas, client_for, cafe):
    approved_offer(cafe, personas.a.moderator, kind="item", item_label="Un café offert")
    voucher = voucher_for(cafe, 300)
    owner = client_for(personas.a, personas.a.owner)
    assert "Un café offert" in main(owner.get(voucher_path(voucher)))
    response = use(owner, voucher, "3", key="a")  # an amount means nothing for an item
    assert messages_of(response) == [shown("fr", "Voucher redeemed: %(what)s.", what="Un café offert")]
    assert left(voucher) == (0, "used")
    assert Redemption.objects.get().amount_cents == 0
    assert refusal(use(owner, voucher, "", key="b")) == [shown("fr", "This voucher has already been used.")]


def test_staff_redeem_and_are_recorded_as_the_ones_who_did(personas, client_for, cafe, voucher):
    Staff.objects.create(establishment=cafe.establishment, user=personas.a.donor, added_by=personas.a.owner)
    before = timezone.now()
    use(client_for(personas.a, personas.a.donor), voucher, "3", key="a")
    use(client_for(personas.a, personas.a.owner), voucher, "2", key="b")
    rows = list(Redemption.objects.order_by("pk").values_list("by", "amount_cents", "voucher"))
    assert rows == [(personas.a.donor.pk, 300, voucher.pk), (personas.a.owner.pk, 200, voucher.pk)]
    assert all(before <= r.at <= timezone.now() for r in Redemption.objects.all())
    counter = main(client_for(personas.a, personas.a.owner).get(counter_path(cafe)))
    assert personas.a.donor.first_name in counter and personas.a.owner.first_name in counter
    assert euros(300) in counter and euros(200) in counter


# Retries -----------------------------------------------------------------------------------------


def test_a_retried_submission_is_not_debited_twice(personas, client_for, voucher):
    owner = client_for(personas.a, personas.a.owner)
    first = use(owner, voucher, "5", key="retry-me")
    again = use(owner, voucher, "5", key="retry-me")
    assert first.status_code == again.status_code == 302
    assert Redemption.objects.count() == 1
    assert left(voucher) == (700, "active")


def test_a_retry_after_the_voucher_is_used_up_finds_its_redemption(personas, client_for, voucher):
    owner = client_for(personas.a, personas.a.owner)
    use(owner, voucher, "", key="all")
    again = use(owner, voucher, "", key="all")
    assert again.status_code == 302  # not "already used": it is the same redemption
    assert Redemption.objects.count() == 1


def test_a_form_key_cannot_be_reused_for_another_voucher(personas, client_for, cafe, voucher):
    other = voucher_for(cafe, 500, email="eve@example.org")
    owner = client_for(personas.a, personas.a.owner)
    use(owner, voucher, "1", key="same")
    response = use(owner, other, "1", key="same")
    assert response.status_code == 400
    assert refusal(response) == [shown("fr", "This form was already used for another voucher; scan again.")]
    assert left(other) == (600, "active")


def test_each_page_carries_a_fresh_form_key(personas, client_for, voucher):
    owner = client_for(personas.a, personas.a.owner)
    keys = {owner.get(voucher_path(voucher)).context["form"]["key"].value() for _ in range(3)}
    assert len(keys) == 3 and all(len(k) == 32 for k in keys)


# Dates and state ---------------------------------------------------------------------------------


def test_an_expired_voucher_is_refused(personas, client_for, voucher):
    yesterday = timezone.localdate() - timedelta(days=1)
    Voucher.objects.filter(pk=voucher.pk).update(valid_until=yesterday)  # the date has passed
    owner = client_for(personas.a, personas.a.owner)
    page = owner.get(voucher_path(voucher))
    assert page.context["state"] == "expired" and 'name="amount"' not in main(page)
    response = use(owner, voucher, "5")
    assert response.status_code == 400
    assert refusal(response) == [shown("fr", "This voucher expired on %(date)s.", date=yesterday.strftime("%d/%m/%Y"))]
    assert left(voucher) == (1200, "active") and not Redemption.objects.exists()


def test_a_voucher_is_still_good_on_its_last_day(personas, client_for, voucher):
    Voucher.objects.filter(pk=voucher.pk).update(valid_until=timezone.localdate())
    assert use(client_for(personas.a, personas.a.owner), voucher, "5").status_code == 302


def test_a_voucher_not_yet_valid_is_refused(personas, client_for, cafe):
    starts = timezone.localdate() + timedelta(days=3)
    approved_offer(cafe, personas.a.moderator, valid_from=starts)
    voucher = voucher_for(cafe, 1000)
    response = use(client_for(personas.a, personas.a.owner), voucher, "5")
    assert response.status_code == 400
    assert refusal(response) == [shown("fr", "This voucher is valid from %(date)s.", date=starts.strftime("%d/%m/%Y"))]
    assert not Redemption.objects.exists()


def test_a_cancelled_voucher_is_refused(personas, client_for, voucher):
    refund(voucher.gift, actor=personas.a.finance)
    response = use(client_for(personas.a, personas.a.owner), voucher, "5")
    assert response.status_code == 400
    assert refusal(response) == [shown("fr", "This voucher was cancelled (the gift was refunded).")]
    assert not Redemption.objects.exists()


# Only at the issuing establishment ----------------------------------------------------------------


def test_another_establishments_owner_and_staff_cannot_redeem(personas, client_for, cafe, other_cafe, voucher):
    Staff.objects.create(establishment=other_cafe.establishment, user=personas.a.donor)
    for user in (other_cafe.establishment.owner, personas.a.donor):
        client = client_for(personas.a, user)
        assert client.get(voucher_path(voucher)).status_code == 404
        assert use(client, voucher, "5").status_code == 404
        # nor through their own counter's address
        theirs = reverse("vouchers:counter_voucher", args=[other_cafe.establishment_id, voucher.pk])
        assert client.get(theirs).status_code == 404
        assert client.post(theirs, {"amount": "5", "key": "x"}).status_code == 404
    assert not Redemption.objects.exists()
    assert left(voucher) == (1200, "active")


def test_team_members_and_outsiders_cannot_redeem(personas, client_for, voucher):
    for user in (personas.a.admin, personas.a.finance, personas.outsider, personas.b.owner):
        assert use(client_for(personas.a, user), voucher, "5").status_code == 404
    assert use(client_for(personas.b, personas.a.owner), voucher, "5").status_code == 404  # on B's site
    response = use(client_for(personas.a), voucher, "5")
    assert response["Location"].startswith(reverse("account_login"))
    assert not Redemption.objects.exists()


def test_removed_staff_can_no_longer_redeem(personas, client_for, cafe, voucher):
    row = Staff.objects.create(establishment=cafe.establishment, user=personas.a.donor)
    row.delete()
    assert use(client_for(personas.a, personas.a.donor), voucher, "5").status_code == 404
