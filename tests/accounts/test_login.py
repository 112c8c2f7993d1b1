"""Signing in with an e-mail address (/comptes/login/)."""

import pytest

from ..factories import DEFAULT_PASSWORD
from .helpers import logged_in_user_id


def login(client, login, password=DEFAULT_PASSWORD):
    return client.post("/comptes/login/", {"login": login, "password": password})


def test_person_signs_in_with_email_and_password(personas, client_for):
    client = client_for(personas.a)
    response = login(client, personas.a.admin.email)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == str(personas.a.admin.pk)
    assert client.get("/gestion/equipe/").status_code == 200


def test_email_is_matched_without_regard_to_case(personas, client_for):
    client = client_for(personas.a)
    login(client, personas.a.admin.email.upper())
    assert logged_in_user_id(client) == str(personas.a.admin.pk)


def test_next_parameter_brings_the_person_back(personas, client_for):
    client = client_for(personas.a)
    response = client.post(
        "/comptes/login/?next=/gestion/equipe/", {"login": personas.a.admin.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == "/gestion/equipe/"


def test_wrong_password_is_refused(personas, client_for):
    client = client_for(personas.a)
    response = login(client, personas.a.admin.email, "not-the-password")
    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_unknown_address_is_refused(personas, client_for):
    client = client_for(personas.a)
    response = login(client, "nobody@example.org")
    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_deactivated_account_cannot_sign_in(personas, client_for):
    personas.a.admin.is_active = False
    personas.a.admin.save()
    client = client_for(personas.a)
    login(client, personas.a.admin.email)
    assert logged_in_user_id(client) is None
    assert client.get("/gestion/equipe/").status_code == 302


def test_account_signs_in_on_every_collectivites_site(personas, client_for):
    """Accounts are platform-wide; what one may do depends on the site’s team."""
    alice_on_metz = client_for(personas.b)
    login(alice_on_metz, personas.a.admin.email)
    assert logged_in_user_id(alice_on_metz) == str(personas.a.admin.pk)
    assert alice_on_metz.get("/gestion/equipe/").status_code == 403


@pytest.mark.parametrize("path", ["/comptes/login/", "/en/comptes/login/", "/de/comptes/login/"])
def test_login_page_opens_in_each_language(personas, client_for, path):
    response = client_for(personas.a).get(path)
    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()


def test_sign_out_ends_the_session(personas, client_for):
    client = client_for(personas.a, personas.a.admin)
    assert client.post("/comptes/logout/").status_code == 302
    assert logged_in_user_id(client) is None
    assert client.get("/gestion/equipe/").status_code == 302
