"""The donor’s private page of a voucher (GET /bons/<id>/?t=<token>) and its PDF
(GET /bons/<id>/pdf/?t=<token>): reached with the token only; shows the state, what is left, the
validity, the QR code (inline SVG) and the code while it can be used; the PDF in the donor’s
language. The link is reached from the gift's page and the receipt."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from solidaire.core.money import format_cents
from solidaire.core.typography import long_date
from solidaire.vouchers import codes, documents
from solidaire.vouchers.models import Voucher

from ..donations.helpers import refund
from .helpers import approved_offer, flat, main, next_30_june, pdf_text, redeem, shown, voucher_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(personas, cafe):
    approved_offer(cafe, personas.a.moderator, terms="Hors alcool.")
    return voucher_for(cafe, 1000, email="dora@example.org")


def page_path(voucher, token=None) -> str:
    return f"{reverse('vouchers:voucher', args=[voucher.pk])}?t={voucher.token if token is None else token}"


def pdf_path(voucher, token=None) -> str:
    return f"{reverse('vouchers:voucher_pdf', args=[voucher.pk])}?t={voucher.token if token is None else token}"


def date_in(language, day) -> str:
    return flat(long_date(day, language))


def euros(cents, language="fr") -> str:
    return flat(format_cents(cents, language))


# The token -------------------------------------------------------------------------------------


def test_without_the_right_token_there_is_no_page(personas, client_for, cafe, voucher):
    other = voucher_for(cafe, 500, email="eve@example.org")
    anonymous = client_for(personas.a)
    bare = reverse("vouchers:voucher", args=[voucher.pk])
    assert anonymous.get(bare).status_code == 404
    assert anonymous.get(page_path(voucher, token="")).status_code == 404
    assert anonymous.get(page_path(voucher, token="0" * 32)).status_code == 404
    assert anonymous.get(page_path(voucher, token=voucher.token[:-1])).status_code == 404
    assert anonymous.get(page_path(voucher, token=other.token)).status_code == 404
    assert anonymous.get(pdf_path(voucher, token="")).status_code == 404
    assert anonymous.get(pdf_path(voucher, token=other.token)).status_code == 404
    # Nor on another collectivité’s site, even with the token; nor for the café's owner without it.
    assert client_for(personas.b).get(page_path(voucher)).status_code == 404
    assert client_for(personas.a, personas.a.owner).get(bare).status_code == 404


def test_the_token_depends_on_the_sites_secret(personas, client_for, voucher, settings):
    token = voucher.token
    settings.SECRET_KEY = "another installation's secret key, long enough for it"
    assert Voucher.objects.get(pk=voucher.pk).token != token
    assert client_for(personas.a).get(page_path(voucher, token=token)).status_code == 404


# What it shows ---------------------------------------------------------------------------------


def test_an_active_voucher_shows_its_value_validity_qr_code_and_code(personas, client_for, voucher):
    response = client_for(personas.a).get(page_path(voucher))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    page = main(response)
    assert shown("fr", "%(left)s left.", left=euros(1200)) in page
    assert shown("fr", "Valid until %(end)s.", end=date_in("fr", next_30_june())) in page
    assert codes.display(voucher.code) in page
    qr = page.split('class="voucher-qr"')[1]
    assert qr.lstrip().startswith('role="img"') and "<svg" in qr.split("</div>")[0]
    assert flat(documents.qr_svg(voucher)) in page
    assert "Hors alcool." in page and "Café de la Gare" in page
    assert pdf_path(voucher) in page
    assert 'content="noindex"' in response.content.decode()


def test_the_page_does_not_show_the_donors_email(personas, client_for, voucher):
    page = main(client_for(personas.a).get(page_path(voucher)))
    assert "dora@example.org" not in page


def test_a_partly_used_voucher_shows_what_is_left(personas, client_for, voucher):
    redeem(voucher, personas.a.owner, 450)
    page = main(client_for(personas.a).get(page_path(voucher)))
    assert shown("fr", "%(left)s left.", left=euros(750)) in page


def test_a_used_voucher_says_so_and_shows_no_code(personas, client_for, voucher):
    redeem(voucher, personas.a.owner)
    response = client_for(personas.a).get(page_path(voucher))
    assert response.context["state"] == "used"
    page = main(response)
    assert shown("fr", "This voucher has been used. Thank you!") in page
    assert "<svg" not in page and codes.display(voucher.code) not in page


def test_an_expired_voucher_says_so(personas, client_for, voucher):
    last_day = timezone.localdate() - timedelta(days=1)
    Voucher.objects.filter(pk=voucher.pk).update(valid_until=last_day)
    response = client_for(personas.a).get(page_path(voucher))
    assert response.context["state"] == "expired"
    page = main(response)
    assert shown("fr", "This voucher expired on %(end)s.", end=date_in("fr", last_day)) in page
    assert "<svg" not in page


def test_a_cancelled_voucher_says_so(personas, client_for, voucher):
    refund(voucher.gift, actor=personas.a.finance)
    response = client_for(personas.a).get(page_path(voucher))
    assert response.context["state"] == "cancelled"
    page = main(response)
    assert shown("fr", "This voucher was cancelled because the gift was refunded.") in page
    assert "<svg" not in page


def test_a_voucher_not_yet_valid_shows_from_when(personas, client_for, cafe):
    starts = timezone.localdate() + timedelta(days=5)
    approved_offer(cafe, personas.a.moderator, valid_from=starts)
    voucher = voucher_for(cafe, 1000, email="eve@example.org")
    page = main(client_for(personas.a).get(page_path(voucher)))
    assert (
        shown("fr", "Valid from %(start)s to %(end)s.", start=date_in("fr", starts), end=date_in("fr", next_30_june()))
        in page
    )
    assert "<svg" in page


def test_an_item_voucher_names_the_item(personas, client_for, cafe):
    approved_offer(cafe, personas.a.moderator, kind="item", item_label="Un café offert")
    voucher = voucher_for(cafe, 300, email="eve@example.org")
    page = main(client_for(personas.a).get(page_path(voucher)))
    assert "Un café offert" in page
    assert shown("fr", "%(left)s left.", left=euros(0)) not in page


# The PDF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_the_pdf_is_downloaded_in_the_donors_language(personas, client_for, cafe, language):
    approved_offer(cafe, personas.a.moderator)
    voucher = voucher_for(cafe, 1000, language=language)
    response = client_for(personas.a).get(pdf_path(voucher))  # whatever the visitor's language
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="bon-{codes.display(voucher.code)}.pdf"'
    text = pdf_text(response.content)
    assert codes.display(voucher.code) in text
    assert date_in(language, next_30_june()) in text
    assert euros(1200, language) in text
    assert "dora" not in text


# Where the donor finds the link -----------------------------------------------------------------


def test_the_gift_page_links_to_the_voucher(personas, client_for, voucher):
    gift = voucher.gift
    page = main(client_for(personas.a).get(f"{reverse('donations:gift', args=[gift.pk])}?t={gift.token}"))
    assert page_path(voucher).replace("&", "&amp;") in page or page_path(voucher) in page
