"""Journeys 3 and 4 around a voucher, in a real browser: the owner of "Le Café des Arts" offers a
voucher worth the gift + 20 %, a moderator approves it, a resident gives 10 € and pays on the
sandbox's hosted page, opens the voucher from the thank-you page, and the owner redeems part of it
at the counter by typing its code (a typo is caught first). A second counter that had the voucher
open tries to use all of it after it is used up and is refused with a clear message. (Scanning
with the camera: test_counter_camera.py.) Every page reached is checked with axe-core."""

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from solidaire.core.money import format_cents
from solidaire.donations.models import Gift
from solidaire.vouchers import codes
from solidaire.vouchers.models import Offer, Redemption, Voucher
from tests.beneficiaries.helpers import cafe_campaign
from tests.factories import DEFAULT_PASSWORD
from tests.gifts import approved_registration
from tests.vouchers.helpers import next_30_june

NAME = "Le Café des Arts"
DONOR = "lea@example.org"


def fr(message: str, **values) -> str:
    """What the French page says (the English text while the string is not translated yet)."""
    with translation.override("fr"):
        text = gettext(message) % {k: format_cents(v) if isinstance(v, int) else v for k, v in values.items()}
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def text_of(page, selector: str = "main") -> str:
    return page.locator(selector).inner_text().replace("\u00a0", " ").replace("\u202f", " ")


def sign_in(page, user):
    page.goto("/comptes/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.follow(page.locator("main form button[type=submit]"))


@pytest.fixture
def cafe(personas):
    return approved_registration(cafe_campaign(personas.a), owner=personas.a.owner, name=NAME)


def test_a_voucher_from_offer_to_counter(personas, open_page, cafe):
    # The owner proposes the offer from the registration's page.
    owner = open_page(personas.a)
    sign_in(owner, personas.a.owner)
    owner.goto(f"/mon-espace/inscriptions/{cafe.pk}/")
    owner.follow(owner.locator(f"main a[href='/mon-espace/inscriptions/{cafe.pk}/offre/']"))
    assert owner.locator("input[name=kind][value=value]").is_checked()
    owner.check("input[name=value_mode][value=percent]")
    owner.fill("#id_percent_of_gift", "100")
    owner.fill("#id_bonus_percent", "20")
    owner.fill("#id_valid_until", next_30_june().isoformat())
    owner.fill("#id_terms", "Valable sur les consommations.")
    owner.follow(owner.locator("main form button[type=submit]"))
    offer = Offer.objects.get()
    assert (offer.status, offer.bonus_percent) == ("pending", 20)
    assert owner.path == f"/mon-espace/inscriptions/{cafe.pk}/offre/"

    # A moderator approves it from the moderation page.
    moderator = open_page(personas.a)
    sign_in(moderator, personas.a.moderator)
    moderator.goto("/gestion/moderation/")
    moderator.follow(moderator.locator("main a[href='/gestion/moderation/offres/']"))
    moderator.follow(moderator.get_by_role("link", name=NAME))
    moderator.check("input[name=decision][value=approve]")
    moderator.follow(moderator.locator("main form button[type=submit]"))
    assert moderator.path == "/gestion/moderation/offres/"
    offer.refresh_from_db()
    assert offer.status == "approved"

    # A resident gives 10 € on the café's page and pays on the sandbox's hosted page.
    donor = open_page(personas.a)
    donor.goto(f"/campagnes/cafe-solidaire/etablissements/{cafe.establishment_id}/")
    assert NAME in donor.locator("h1").inner_text()
    donor.locator("label[for='amount-1000']").click()
    donor.fill("#id_email", DONOR)
    donor.check("#id_voucher_reminder")
    donor.follow(donor.locator("form.gift-form button[type=submit]"))
    gift = Gift.objects.get()
    donor.follow(donor.locator(f"main a[href='{gift.checkout_url}']"))
    donor.follow(donor.locator("button[name=outcome][value=success]"))
    assert donor.path == f"/dons/{gift.pk}/?t={gift.token}"

    voucher = Voucher.objects.get()
    assert (voucher.value_cents, voucher.reminder) == (1200, True)
    approval, receipt = mail.outbox
    assert (approval.to, receipt.to) == ([personas.a.owner.email], [DONOR])
    (attachment,) = receipt.attachments
    assert attachment[1].startswith(b"%PDF")

    # The thank-you page leads to the voucher: its QR code and its code, 12 € left.
    donor.follow(donor.locator(f"main a[href='/bons/{voucher.pk}/?t={voucher.token}']"))
    assert donor.locator(".voucher-qr svg").is_visible()
    assert donor.locator(".voucher-code").inner_text() == codes.display(voucher.code)
    assert fr("%(left)s left.", left=1200) in text_of(donor)

    # At the counter the code is typed (first with a typo).
    owner.goto("/mon-espace/")
    owner.follow(owner.locator(f"main a[href='/mon-espace/etablissements/{cafe.establishment_id}/caisse/']").first)
    assert owner.locator("#id_code").is_visible()
    typed = codes.display(voucher.code).lower()
    typo = typed[:2] + ("a" if typed[2] != "a" else "b") + typed[3:]
    owner.fill("#id_code", typo)
    owner.follow(owner.locator("form.counter-form button[type=submit]"))
    assert fr("This code is not valid: check each character.") in text_of(owner)
    assert owner.locator(".error-summary a[href='#id_code']").count() == 1
    owner.fill("#id_code", typed)
    owner.follow(owner.locator("form.counter-form button[type=submit]"))
    voucher_at_counter = f"/mon-espace/etablissements/{cafe.establishment_id}/caisse/bons/{voucher.pk}/"
    assert owner.path == voucher_at_counter
    assert fr("%(left)s left of %(value)s", left=1200, value=1200) in text_of(owner)
    assert DONOR not in text_of(owner)

    # A second counter (the owner's phone) opens the same voucher.
    phone = open_page(personas.a)
    sign_in(phone, personas.a.owner)
    phone.goto(voucher_at_counter)

    # Part of it is used: 5 €, then what is left.
    owner.fill("#id_amount", "5")
    owner.follow(owner.locator("main form button[type=submit]"))
    assert fr("Voucher redeemed: %(what)s.", what=500) in text_of(owner, ".messages")
    assert Voucher.objects.get().remaining_cents == 700
    owner.goto(voucher_at_counter)
    assert fr("%(left)s left of %(value)s", left=700, value=1200) in text_of(owner)
    owner.follow(owner.locator("main form button[type=submit]"))  # empty amount: all that is left
    assert (Voucher.objects.get().remaining_cents, Voucher.objects.get().status) == (0, "used")

    # The phone, still showing 12 €, tries to use all of it: refused, clearly.
    phone.follow(phone.locator("main form button[type=submit]"))
    assert fr("This voucher has already been used.") in text_of(phone)
    assert phone.locator("main form button[type=submit]").count() == 0
    assert Redemption.objects.count() == 2

    # The donor’s page now says it is used.
    donor.goto(f"/bons/{voucher.pk}/?t={voucher.token}")
    assert fr("This voucher has been used. Thank you!") in text_of(donor)
    assert donor.locator(".voucher-qr").count() == 0
