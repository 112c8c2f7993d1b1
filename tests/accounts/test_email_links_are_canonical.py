"""Every link in an account e-mail (password reset, address confirmation, "no account here") is
built from the collectivité’s canonical address — its custom domain, else <slug>.<base domain> —
never from the host the request named; and account pages answer 404 on a host that is no
collectivité’s (nor the operator’s)."""

import pytest
from django.core import mail
from django.test import Client

from solidaire.tenants.models import Domain

from .helpers import links_in, only_mail_to


@pytest.fixture
def grand_est_domain(personas, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "solidaire.grandest.fr"]
    return Domain.objects.create(collectivite=personas.a.tenant, host="solidaire.grandest.fr")


def post(host, path, data, capture):
    with capture(execute=True):
        return Client(HTTP_HOST=host).post(path, data)


def test_a_reset_asked_through_an_unknown_host_is_refused_and_sends_nothing(
    personas, django_capture_on_commit_callbacks
):
    response = post(
        "evil.localhost",
        "/comptes/password/reset/",
        {"email": personas.a.viewer.email},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 404
    assert mail.outbox == []


def test_a_reset_link_is_built_from_the_collectivites_address(
    personas, grand_est_domain, django_capture_on_commit_callbacks
):
    post(
        "grand-est.localhost",
        "/comptes/password/reset/",
        {"email": personas.a.viewer.email},
        django_capture_on_commit_callbacks,
    )
    links = links_in(only_mail_to(personas.a.viewer.email))
    assert any(link.startswith("http://solidaire.grandest.fr/comptes/password/reset/key/") for link in links)
    assert not any("grand-est.localhost" in link for link in links)


def test_a_reset_asked_through_another_host_of_the_default_tenant_links_to_its_address(
    personas, settings, django_capture_on_commit_callbacks
):
    """The default collectivité answers on any allowed host; its e-mails do not follow."""
    settings.SOLIDAIRE_DEFAULT_TENANT = "grand-est"
    post(
        "phishing.moselle.fr",
        "/comptes/password/reset/",
        {"email": personas.a.viewer.email},
        django_capture_on_commit_callbacks,
    )
    message = only_mail_to(personas.a.viewer.email)
    assert any(link.startswith("http://grand-est.localhost/comptes/password/reset/key/") for link in links_in(message))
    assert "phishing" not in message.body


def test_the_no_account_e_mail_links_to_the_collectivites_address(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.SOLIDAIRE_DEFAULT_TENANT = "grand-est"
    post(
        "phishing.moselle.fr",
        "/comptes/password/reset/",
        {"email": "nobody@example.org"},
        django_capture_on_commit_callbacks,
    )
    message = only_mail_to("nobody@example.org")
    assert links_in(message)
    assert all(not link.startswith("http://phishing.moselle.fr") for link in links_in(message))
    assert "phishing" not in message.body


def test_a_confirmation_link_is_built_from_the_collectivites_address(
    personas, grand_est_domain, django_capture_on_commit_callbacks
):
    password = "Une-phrase-assez-longue"
    post(
        "grand-est.localhost",
        "/comptes/signup/",
        {"email": "newcomer@example.org", "password1": password, "password2": password},
        django_capture_on_commit_callbacks,
    )
    links = links_in(only_mail_to("newcomer@example.org"))
    assert any(link.startswith("http://solidaire.grandest.fr/comptes/confirm-email/") for link in links)
    assert not any("grand-est.localhost" in link for link in links)


def test_account_e_mails_asked_on_the_operators_host_link_to_it(personas, settings, django_capture_on_commit_callbacks):
    settings.SOLIDAIRE_OPERATOR_HOST = "operator.localhost"
    post(
        "operator.localhost",
        "/comptes/password/reset/",
        {"email": personas.outsider.email},
        django_capture_on_commit_callbacks,
    )
    links = links_in(only_mail_to(personas.outsider.email))
    assert any(link.startswith("http://operator.localhost/comptes/password/reset/key/") for link in links)
