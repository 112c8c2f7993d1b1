"""Where the product sends a person next stays on the site they are on: every `next`-like address
(a parameter, or an address a checkout was given) is checked with Django's
url_has_allowed_host_and_scheme through one helper, solidaire.core.redirects — the sign-in and
sign-up pages of allauth included (the account adapter's is_safe_url)."""

import ast
import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import translation

import solidaire
from solidaire.core.redirects import is_safe, safe_next
from solidaire.payments.models import SandboxCheckout
from tests.factories import DEFAULT_PASSWORD, CampaignFactory
from tests.gifts import approved_registration, start

pytestmark = pytest.mark.django_db

ELSEWHERE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "http://metz.localhost/gestion/",  # another collectivité’s site: allowed host, not this one
    "http://phishing.grandest.fr/",  # matches ALLOWED_HOSTS' ".grandest.fr", not this site
    "javascript:alert(1)",
    "https:evil.example",
]


def request(path="/", host="grand-est.localhost", secure=False, **params):
    return RequestFactory().get(path, params, HTTP_HOST=host, secure=secure)


# The helper --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ELSEWHERE)
def test_an_address_elsewhere_is_not_safe(url):
    assert not is_safe(request(), url)
    assert safe_next(request(next=url), "/gestion/") == "/gestion/"


@pytest.mark.parametrize("url", ["/gestion/equipe/", "/en/campagnes/cafe/?x=1", "http://grand-est.localhost/dons/"])
def test_an_address_on_this_site_is_kept(url):
    assert safe_next(request(next=url), "/") == url


def test_the_default_may_be_a_url_name():
    with translation.override("fr"):
        assert safe_next(request(next="https://evil.example/"), "campaigns:manage_home") == "/gestion/"


def test_over_https_an_address_of_this_site_over_http_is_refused():
    assert not is_safe(request(secure=True), "http://grand-est.localhost/")
    assert is_safe(request(secure=True), "https://grand-est.localhost/")


# Signing in and signing up (allauth) ------------------------------------------------------------


@pytest.mark.parametrize("url", ELSEWHERE)
def test_signing_in_never_sends_the_person_to_another_site(personas, client_for, url):
    response = client_for(personas.a).post(
        "/comptes/login/", {"login": personas.a.admin.email, "password": DEFAULT_PASSWORD, "next": url}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signing_in_brings_the_person_back_to_the_page_of_this_site(personas, client_for):
    response = client_for(personas.a).post(
        "/comptes/login/", {"login": personas.a.admin.email, "password": DEFAULT_PASSWORD, "next": "/gestion/equipe/"}
    )
    assert response["Location"] == "/gestion/equipe/"


def test_the_language_switcher_stays_on_the_site(personas, client_for):
    response = client_for(personas.a).post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


# The sandbox's payment page ----------------------------------------------------------------------


@pytest.fixture
def checkout(personas):
    gift = start(approved_registration(CampaignFactory(collectivite=personas.a.tenant)), 500)
    return SandboxCheckout.objects.get(pk=gift.checkout_id)


def test_the_sandbox_page_sends_the_payer_back_to_this_site_only(personas, client_for, checkout):
    SandboxCheckout.objects.filter(pk=checkout.pk).update(
        success_url="https://evil.example/merci", cancel_url="https://evil.example/annule"
    )
    client = client_for(personas.a)
    path = f"/sandbox/paiement/{checkout.pk}/"
    assert "evil.example" not in client.get(path).content.decode()
    response = client.post(path, {"outcome": "abandon"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_sandbox_page_sends_the_payer_back_to_the_gift(personas, client_for, checkout):
    response = client_for(personas.a).post(f"/sandbox/paiement/{checkout.pk}/", {"outcome": "success", "card": "4242"})
    assert response["Location"] == checkout.success_url


def test_the_dispute_form_stays_on_the_sandbox_page_whatever_next_says(personas, client_for, checkout):
    client = client_for(personas.a)
    path = f"/sandbox/paiement/{checkout.pk}/"
    client.post(path, {"outcome": "success", "card": "4242"})
    response = client.post(
        path + "?next=https://evil.example/", {"outcome": "dispute", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == path


# No other way in ---------------------------------------------------------------------------------

NEXT_LIKE = re.compile(
    r"""(GET|POST|REQUEST|META|data|query_params)\s*(\.get\(|\[)\s*["'](next|redirect_to|return_to|return_url|"""
    r"""success_url|continue|back|HTTP_REFERER)["']|HTTP_REFERER"""
)


def test_no_view_reads_a_next_like_parameter_but_through_the_helper():
    root = Path(solidaire.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or path == root / "core" / "redirects.py":
            continue
        source = path.read_text(encoding="utf-8")
        ast.parse(source)
        found += [f"{path.relative_to(root)}: {m.group(0)}" for m in NEXT_LIKE.finditer(source)]
    assert found == []
