"""Journey 3, the gift, in a real browser: an anonymous resident opens Café Solidaire, finds "Le
Café des Arts" in the directory, chooses 10 € with the keyboard, sees before paying what the Région
adds and until when it is reserved, pays on the sandbox's hosted page and comes back to a thank-you
page; the receipt is in the mailbox and the campaign’s budget bar has moved. A declined card ends
on a truthful failure page. The whole gift also works with JavaScript disabled. Every page reached
is checked with axe-core.

The sandbox's notification travels within the live server's request: the hosted page's POST
schedules it on commit, the eager Celery task posts it to the notification endpoint (through
tests.gifts.client_transport), and the gift is confirmed before the donor is sent back."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.template.defaultfilters import time as time_filter
from django.utils import translation
from django.utils.timezone import localtime
from django.utils.translation import gettext

from solidaire.core.money import format_cents
from solidaire.donations.models import Gift
from solidaire.matching.models import Allocation, Pool
from solidaire.payments.models import Notification
from solidaire.vouchers.models import Offer
from tests.beneficiaries.helpers import cafe_campaign
from tests.gifts import approved_registration

NAME = "Le Café des Arts"
CAMPAIGN = "/campagnes/cafe-solidaire/"
DONOR = "lea@example.org"


def fr(message: str, **values) -> str:
    """What the French page says (the English text while the string is not translated yet)."""
    with translation.override("fr"):
        return gettext(message) % {k: format_cents(v) if isinstance(v, int) else v for k, v in values.items()}


@pytest.fixture
def cafe(personas):
    campaign = cafe_campaign(personas.a, matching_budget_cents=100_000)  # 1 000 € of public money
    registration = approved_registration(campaign, name=NAME)
    Offer.objects.create(
        registration=registration,
        kind="item",
        item_label="Un café offert pour chaque don.",
        validity_days=180,
        status="approved",
    )
    return registration


def budget_used(page) -> int:
    return int(page.locator(".budget progress").get_attribute("value"))


def open_the_establishment(page):
    """From the campaign’s page, through the directory, to the café's page."""
    page.goto(CAMPAIGN)
    page.follow(page.locator(f"main a[href$='{CAMPAIGN}etablissements/']").first)
    page.follow(page.get_by_role("link", name=NAME))
    assert page.locator("h1").inner_text() == NAME


def choose_ten_euros_with_the_keyboard(page):
    """The amounts are radio buttons drawn as buttons: the arrow keys move the choice, and the
    chosen amount shows the focus ring."""
    first, second = page.locator("#amount-500"), page.locator("#amount-1000")
    assert first.is_checked()  # the first suggested amount is chosen by default
    first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "amount-1000"
    assert second.is_checked() and not first.is_checked()
    label = page.locator("label[for='amount-1000']")
    assert label.evaluate("l => getComputedStyle(l).outlineStyle") == "solid"
    assert label.evaluate("l => getComputedStyle(l).outlineWidth") == "3px"
    assert page.locator("label[for='amount-500']").evaluate("l => getComputedStyle(l).outlineStyle") == "none"


def pay(page, outcome: str):
    page.follow(page.locator(f"button[name=outcome][value={outcome}]"))


def test_an_anonymous_resident_gives_and_is_thanked(personas, open_page, cafe):
    donor = open_page(personas.a)
    donor.goto(CAMPAIGN)
    assert budget_used(donor) == 0

    open_the_establishment(donor)
    choose_ten_euros_with_the_keyboard(donor)
    donor.fill("#id_email", DONOR)
    donor.follow(donor.locator("form.gift-form button[type=submit]"))

    # Before paying: what the Région adds, and until when this public money is kept.
    gift = Gift.objects.get()
    assert donor.path == f"/dons/{gift.pk}/?t={gift.token}"
    assert (gift.status, gift.amount_cents, gift.match_promised_cents) == ("pending", 1000, 1000)
    status = donor.locator(".gift-status").inner_text()
    promise = fr(
        "%(collectivite)s adds %(match)s: the establishment will receive about %(total)s (payment fees may be taken "
        "from it).",
        collectivite="Région Grand Est",
        match=1000,
        total=2000,
    )
    assert promise in status
    with translation.override("fr"):
        until = time_filter(localtime(gift.reservation_expires_at), "TIME_FORMAT")
    assert fr("This public money is reserved for you until %(time)s.", time=until) in status
    assert "Un café offert pour chaque don." in donor.locator("main").inner_text()

    # The provider’s hosted page (here the sandbox's), then back to the site.
    donor.follow(donor.locator(f"main a[href='{gift.checkout_url}']"))
    assert donor.path == f"/sandbox/paiement/{gift.checkout_id}/"
    pay(donor, "success")

    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 1000)
    assert Notification.objects.get(gift=gift).status == "applied"
    assert donor.path == f"/dons/{gift.pk}/?t={gift.token}"
    assert donor.locator("h1").inner_text() == fr("Thank you!")
    status = donor.locator(".gift-status-confirmed").inner_text()
    assert fr("Your gift of %(amount)s to %(name)s is confirmed.", amount=1000, name=NAME) in status
    # The sandbox's fee (1.4 % + 0.25 €) is known: what the establishment receives is exact.
    adds = "%(collectivite)s adds %(match)s: the establishment receives %(net)s in all, once %(fee)s of payment fees are taken."
    assert fr(adds, collectivite="Région Grand Est", match=1000, net=1961, fee=39) in status

    (receipt,) = mail.outbox
    assert receipt.to == [DONOR]

    # The campaign’s budget bar has moved (its figures are cached for a few seconds).
    cache.clear()
    donor.goto(CAMPAIGN)
    assert budget_used(donor) == 1000
    used = fr("Public money used: %(used)s of %(total)s", used=1000, total=100_000)
    assert used in donor.locator(".budget").inner_text()


def test_a_declined_card_ends_on_a_truthful_failure_page(personas, open_page, cafe):
    donor = open_page(personas.a)
    open_the_establishment(donor)
    donor.fill("#id_email", DONOR)
    donor.follow(donor.locator("form.gift-form button[type=submit]"))
    gift = Gift.objects.get()
    donor.follow(donor.locator(f"main a[href='{gift.checkout_url}']"))
    pay(donor, "decline")

    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("failed", 0)
    assert Allocation.objects.get(gift=gift).status == "released"
    assert sum(Pool.objects.filter(campaign=cafe.campaign).values_list("reserved_cents", flat=True)) == 0
    assert donor.path == f"/dons/{gift.pk}/?t={gift.token}&cancelled=1"
    assert donor.locator(".messages").inner_text() == fr("The payment was not completed.")
    main = donor.locator("main").inner_text()
    assert fr("The payment did not go through. No money was taken.") in main
    assert fr("Thank you!") not in main
    assert mail.outbox == []
    # "Try again" leads back to the café's page.
    donor.follow(donor.locator(".gift-status a.button"))
    assert donor.locator("h1").inner_text() == NAME


def test_the_whole_gift_works_without_javascript(personas, open_page, cafe):
    donor = open_page(personas.a, java_script_enabled=False)
    open_the_establishment(donor)
    donor.locator("label[for='amount-1000']").click()
    assert donor.locator("#amount-1000").is_checked()
    donor.fill("#id_email", DONOR)
    donor.follow(donor.locator("form.gift-form button[type=submit]"))
    gift = Gift.objects.get()
    assert (gift.amount_cents, gift.match_promised_cents) == (1000, 1000)
    donor.follow(donor.locator(f"main a[href='{gift.checkout_url}']"))
    pay(donor, "success")

    gift.refresh_from_db()
    assert gift.status == "confirmed"
    assert donor.locator("h1").inner_text() == fr("Thank you!")
    assert [m.to for m in mail.outbox] == [[DONOR]]


def test_without_javascript_a_wrong_amount_comes_back_with_the_error(personas, open_page, cafe):
    """The form's own validation, not the browser's: the page says what is wrong and keeps what
    was typed."""
    donor = open_page(personas.a, java_script_enabled=False)
    open_the_establishment(donor)
    donor.locator("label[for='amount-other']").click()
    donor.fill("#id_amount_other", "50")
    donor.fill("#id_email", DONOR)
    donor.follow(donor.locator("form.gift-form button[type=submit]"))
    assert fr("Give between %(low)s and %(high)s.", low=300, high=1000) in donor.locator("main").inner_text()
    assert donor.locator("#id_email").input_value() == DONOR
    assert not Gift.objects.exists()
