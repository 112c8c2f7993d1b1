"""What the voucher’s QR code opens (GET /bons/scan/<code>:<signature>/): the counter's page for the
voucher, for the owner and the staff of the issuing establishment. A forged or altered QR code is
refused before the database is asked anything about vouchers; others are told the voucher belongs
to another establishment; nobody learns who holds it."""

from urllib.parse import quote, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from solidaire.vouchers import codes, documents
from solidaire.vouchers.models import Staff

from .helpers import approved_offer, main, shown, voucher_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(personas, cafe):
    approved_offer(cafe, personas.a.moderator)
    return voucher_for(cafe, 1000, email="dora@example.org")


def scan_path(payload: str) -> str:
    return reverse("vouchers:scan", args=[payload])


def counter_voucher_path(voucher) -> str:
    return reverse("vouchers:counter_voucher", args=[voucher.registration.establishment_id, voucher.pk])


def voucher_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "vouchers_" in q["sql"]]


def forged_payloads(voucher) -> dict[str, str]:
    payload = codes.sign(voucher.code)
    code, _colon, signature = payload.partition(":")
    other = codes.generate()
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    return {
        "altered signature": f"{code}:{flipped}",
        "signature of another code": f"{other}:{signature}",
        "code of another voucher, signed by nobody": f"{other}:{'0' * len(signature)}",
        "no signature": code,
        "truncated signature": payload[:-3],
        "truncated code": payload[1:],
        "one character of the code changed": ("2" if code[0] != "2" else "3") + payload[1:],
    }


def test_the_qr_code_holds_the_scan_address_with_the_signed_code(voucher):
    url = urlsplit(documents.scan_url(voucher))
    assert url.netloc == "grand-est.localhost"
    assert url.path == scan_path(codes.sign(voucher.code))
    assert codes.verify(url.path.split("/")[-2]) == voucher.code


def test_the_owner_scanning_the_qr_code_reaches_the_voucher_at_the_counter(personas, client_for, voucher):
    path = urlsplit(documents.scan_url(voucher)).path
    response = client_for(personas.a, personas.a.owner).get(path)
    assert response.status_code == 302
    assert response["Location"] == counter_voucher_path(voucher)


def test_staff_scanning_the_qr_code_reaches_the_voucher_at_the_counter(personas, client_for, voucher, cafe):
    Staff.objects.create(establishment=cafe.establishment, user=personas.outsider, added_by=personas.a.owner)
    response = client_for(personas.a, personas.outsider).get(scan_path(codes.sign(voucher.code)))
    assert response["Location"] == counter_voucher_path(voucher)


def test_a_signed_in_stranger_is_told_the_voucher_is_for_another_establishment(personas, client_for, voucher):
    response = client_for(personas.a, personas.outsider).get(scan_path(codes.sign(voucher.code)))
    assert response.status_code == 403
    assert response.templates[0].name == "vouchers/scan_elsewhere.html"
    page = main(response)
    assert voucher.code not in page and "dora" not in page
    assert "Café de la Gare" not in page


def test_another_establishments_owner_and_staff_are_told_so(personas, client_for, voucher, other_cafe):
    Staff.objects.create(establishment=other_cafe.establishment, user=personas.a.donor)
    for user in (other_cafe.establishment.owner, personas.a.donor, personas.a.admin):
        response = client_for(personas.a, user).get(scan_path(codes.sign(voucher.code)))
        assert response.status_code == 403, user
        assert shown("fr", "This voucher is for another establishment") in main(response)


def test_an_anonymous_visitor_is_asked_to_sign_in_and_learns_nothing(personas, client_for, voucher):
    path = scan_path(codes.sign(voucher.code))
    with CaptureQueriesContext(connection) as queries:
        response = client_for(personas.a).get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(path, safe='/')}"  # ":" → %3A
    assert voucher_queries(queries.captured_queries) == []


@pytest.mark.parametrize(
    "kind",
    [
        "altered signature",
        "signature of another code",
        "code of another voucher, signed by nobody",
        "no signature",
        "truncated signature",
        "truncated code",
        "one character of the code changed",
    ],
)
def test_a_forged_qr_code_is_refused_without_asking_the_database_about_vouchers(personas, client_for, voucher, kind):
    owner = client_for(personas.a, personas.a.owner)
    owner.get("/")  # the session and the tenant are warm; what follows is the scan alone
    with CaptureQueriesContext(connection) as queries:
        response = owner.get(scan_path(forged_payloads(voucher)[kind]))
    assert response.status_code == 404
    assert response.templates[0].name == "vouchers/scan_invalid.html"
    assert voucher_queries(queries.captured_queries) == []
    assert voucher.code not in main(response)


def test_a_forged_qr_code_is_refused_the_same_way_for_everyone(personas, client_for, voucher):
    forged = scan_path(forged_payloads(voucher)["altered signature"])
    for user in (None, personas.a.owner, personas.outsider, personas.a.admin):
        with CaptureQueriesContext(connection) as queries:
            response = client_for(personas.a, user).get(forged)
        assert response.status_code == 404, user
        assert voucher_queries(queries.captured_queries) == [], user


def test_a_qr_code_of_another_installation_is_refused(personas, client_for, voucher, settings):
    payload = codes.sign(voucher.code)
    settings.SECRET_KEY = "another installation's secret key, long enough for it"
    response = client_for(personas.a, personas.a.owner).get(scan_path(payload))
    assert response.status_code == 404


def test_the_qr_code_is_not_honoured_on_another_collectivites_site(personas, client_for, voucher):
    """The signature is right, but on Ville de Metz's site no voucher has this code."""
    for user in (personas.b.owner, personas.a.owner):
        response = client_for(personas.b, user).get(scan_path(codes.sign(voucher.code)))
        assert response.status_code == 404
        assert response.templates[0].name == "vouchers/scan_invalid.html"


def test_a_signed_code_of_no_voucher_is_refused(personas, client_for, voucher):
    response = client_for(personas.a, personas.a.owner).get(scan_path(codes.sign(codes.generate())))
    assert response.status_code == 404
