"""The platform operator’s back office (/operator/): on the operator’s host only, signed in through
the account pages (rate-limited like every sign-in), and for superusers with two-factor
authentication only."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client

from solidaire.accounts.models import User

from .helpers import logged_in_user_id, signed_in_with_two_factor

OPERATOR_HOST = "operator.localhost"
PASSWORD = "operator-password"


@pytest.fixture(autouse=True)
def _operator_host(settings):
    settings.SOLIDAIRE_OPERATOR_HOST = OPERATOR_HOST


@pytest.fixture
def operator(db):
    user = User.objects.create_superuser(email="operator@solidaire.example", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def operator_client() -> Client:
    return Client(HTTP_HOST=OPERATOR_HOST)


def code_for(secret: str) -> str:
    """The code the authenticator app shows now (waiting for the next window near the end of one)."""
    left = 30 - time.time() % 30
    if left < 2:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.parametrize("host", ["grand-est.localhost", "metz.localhost", "nowhere.localhost"])
def test_the_operator_back_office_is_not_served_on_a_collectivites_host(personas, operator, host):
    client = Client(HTTP_HOST=host)
    assert client.get("/operator/").status_code == 404
    assert client.get("/operator/login/").status_code == 404
    response = client.post("/operator/login/", {"username": operator.email, "password": PASSWORD})
    assert response.status_code == 404
    assert logged_in_user_id(client) is None


def test_the_operator_signs_in_through_the_account_pages_with_password_and_code(operator):
    secret = generate_totp_secret()
    TOTP.activate(operator, secret)
    client = operator_client()
    response = client.get("/operator/", follow=True)
    assert response.redirect_chain[-1][0] == "/comptes/login/?next=%2Foperator%2F"

    response = client.post("/comptes/login/?next=/operator/", {"login": operator.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/2fa/authenticate/")
    assert logged_in_user_id(client) is None  # not before the code

    response = client.post(response["Location"], {"code": code_for(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/operator/"
    assert client.get("/operator/").status_code == 200


def test_the_admins_own_login_form_is_not_offered(operator):
    response = operator_client().get("/operator/login/?next=/operator/")
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")
    response = operator_client().post("/operator/login/", {"username": operator.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


def test_a_superuser_without_two_factor_is_sent_to_set_it_up(operator):
    client = operator_client()
    client.force_login(operator)
    response = client.get("/operator/", follow=True)
    assert [url for url, _status in response.redirect_chain][:3] == [
        "/operator/login/?next=/operator/",
        "/comptes/2fa/totp/activate/",
        "/comptes/reauthenticate/?next=%2Fcomptes%2F2fa%2Ftotp%2Factivate%2F",  # allauth's, before setting it up
    ]
    assert client.get("/operator/tenants/collectivite/").status_code == 302


def test_a_superuser_signed_in_without_the_code_is_asked_for_it(operator):
    TOTP.activate(operator, generate_totp_secret())
    client = operator_client()
    client.force_login(operator)
    response = client.get("/operator/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/comptes/2fa/reauthenticate/")


def test_a_superuser_signed_in_with_two_factor_opens_the_back_office(operator):
    client = signed_in_with_two_factor(operator_client(), operator)
    assert client.get("/operator/").status_code == 200
    assert client.get("/operator/tenants/collectivite/").status_code == 200


def test_operator_sign_in_is_rate_limited_like_the_other_logins(operator):
    """Ten failures a minute from one address, whatever the account: the eleventh attempt at the
    back office's sign-in is refused, even with the right password."""
    client = operator_client()
    sign_in = client.get("/operator/", follow=True).redirect_chain[-1][0]
    for n in range(10):
        client.post(
            sign_in,
            {
                "login": f"guess{n}@solidaire.example",
                "username": f"guess{n}@solidaire.example",
                "password": "wrong-password",
            },
        )
    client.post(sign_in, {"login": operator.email, "username": operator.email, "password": PASSWORD})
    assert logged_in_user_id(client) is None
