"""Public pages from the shared cache (solidaire.core.pagecache): anonymous visitors read a copy
at most SOLIDAIRE_PUBLIC_PAGE_SECONDS old; a signed-in visitor, another language, another
collectivité and a form sent never see someone else's copy; each visitor gets their own CSRF
token in a cached page with a form."""

import re
import types

import pytest
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from solidaire.campaigns.models import Campaign
from solidaire.core import pagecache

from ..factories import CampaignFactory
from ..gifts import approved_registration, give

pytestmark = pytest.mark.django_db

SECONDS = 5


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.SOLIDAIRE_PUBLIC_PAGE_SECONDS = SECONDS
    pagecache._local.clear()
    yield
    pagecache._local.clear()


@pytest.fixture
def clock(monkeypatch):
    """The cache's clock, moved on by hand."""
    now = {"t": 1_900_000_000.0}
    fake = types.SimpleNamespace(time=lambda: now["t"])
    monkeypatch.setattr(locmem, "time", fake)
    monkeypatch.setattr(cache_base, "time", fake)
    monkeypatch.setattr(pagecache, "time", fake)

    def advance(seconds):
        now["t"] += seconds

    return advance


@pytest.fixture
def cafe(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire", title="Café Solidaire")
    return approved_registration(campaign, name="Café de la Gare")


def spy_on_reads(monkeypatch) -> list[str]:
    """The page-cache keys read from now on."""
    reads = []
    original = pagecache.cache.get

    def get(key, *args, **kwargs):
        if key.startswith("solidaire:page"):
            reads.append(key)
        return original(key, *args, **kwargs)

    monkeypatch.setattr(pagecache.cache, "get", get)
    return reads


def api_total(client, campaign) -> int:
    return client.get(f"/api/v1/campaigns/{campaign.slug}").json()["gifts_total_cents"]


def test_a_confirmed_gift_shows_within_the_documented_delay(cafe, personas, client_for, clock):
    campaign = cafe.campaign
    anonymous = client_for(personas.a)
    page = reverse("campaigns:public_detail", args=[campaign.slug])
    first = anonymous.get(page)
    assert first.status_code == 200 and "public" in first["Cache-Control"] and first.has_header("ETag")
    assert api_total(anonymous, campaign) == 0
    Campaign.objects.filter(pk=campaign.pk).update(title="Titre changé en base")
    give(cafe, 700)
    # Within the delay: the kept copy (the page's title and the API's total as they were).
    assert "Titre changé en base" not in anonymous.get(page).content.decode()
    assert api_total(anonymous, campaign) == 0
    clock(SECONDS + 1)
    assert "Titre changé en base" in anonymous.get(page).content.decode()
    assert api_total(anonymous, campaign) == 700


def test_a_browser_that_has_the_page_is_answered_not_modified(cafe, personas, client_for):
    anonymous = client_for(personas.a)
    page = reverse("campaigns:public_detail", args=[cafe.campaign.slug])
    etag = anonymous.get(page)["ETag"]
    again = anonymous.get(page, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag


def test_a_signed_in_visitor_never_reads_nor_fills_the_copy(cafe, personas, client_for, monkeypatch):
    page = reverse("campaigns:public_detail", args=[cafe.campaign.slug])
    client_for(personas.a).get(page)  # an anonymous copy exists
    reads = spy_on_reads(monkeypatch)
    signed_in = client_for(personas.a, personas.a.donor)
    response = signed_in.get(page)
    assert reads == []
    assert "public" not in response.get("Cache-Control", "")
    assert reverse("accounts:my_account") in response.content.decode()  # their own menu


def test_another_collectivite_or_language_has_its_own_copy(cafe, personas, client_for):
    CampaignFactory(collectivite=personas.b.tenant, slug="cafe-solidaire", title="Metz solidaire")
    page = reverse("campaigns:public_detail", args=["cafe-solidaire"])
    assert "Café Solidaire" in client_for(personas.a).get(page).content.decode()
    assert "Metz solidaire" in client_for(personas.b).get(page).content.decode()
    french = client_for(personas.a).get(page)
    english = client_for(personas.a).get("/en" + page)
    assert french["Content-Language"] == "fr" and english["Content-Language"] == "en"
    assert 'lang="en"' in english.content.decode()


def test_a_form_sent_is_never_answered_from_the_copy(cafe, personas, client_for, monkeypatch):
    page = reverse("beneficiaries:establishment", args=[cafe.campaign.slug, cafe.establishment_id, "cafe-de-la-gare"])
    assert client_for(personas.a).get(page).status_code == 200
    reads = spy_on_reads(monkeypatch)
    client_for(personas.a).post(page, {})
    assert reads == []


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def test_each_visitor_gets_their_own_working_token_in_a_cached_form(cafe, personas, client_for):
    page = reverse("beneficiaries:establishment", args=[cafe.campaign.slug, cafe.establishment_id, "cafe-de-la-gare"])
    first, second = client_for(personas.a), client_for(personas.a)
    first.handler.enforce_csrf_checks = second.handler.enforce_csrf_checks = True
    one = first.get(page)
    two = second.get(page)  # from the copy
    assert one.status_code == two.status_code == 200
    assert "private" in two["Cache-Control"] and "public" not in two["Cache-Control"]
    (token_one,) = set(TOKEN.findall(one.content.decode()))
    (token_two,) = set(TOKEN.findall(two.content.decode()))
    assert token_one != token_two and pagecache.TOKEN_PLACEHOLDER.decode() not in two.content.decode()
    assert "csrftoken" in two.cookies
    start = reverse("donations:start", args=[cafe.campaign.slug, cafe.establishment_id])
    data = {"amount_choice": "500", "email": "visiteur@example.org", "csrfmiddlewaretoken": token_two}
    assert second.post(start, data).status_code == 302  # the token passed the CSRF check: to the payment
    # Another visitor's token does not work with this visitor's cookie.
    third = client_for(personas.a)
    third.handler.enforce_csrf_checks = True
    third.get(page)
    assert third.post(start, {**data, "csrfmiddlewaretoken": "x" * 64}).status_code == 403


def _public_page_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _public_page_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "public_page", False):
            yield f"{namespace}{pattern.name}"


def test_only_public_pages_are_kept():
    names = set(_public_page_names())
    assert names == {
        "core:home",
        "campaigns:public_detail",
        "beneficiaries:directory",
        "beneficiaries:markers",
        "beneficiaries:establishment",
        "beneficiaries:establishment_short",  # the same view: it redirects to the full address
    }


def test_a_page_without_a_form_is_answered_whole_before_anything_else_runs(cafe, personas, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    anonymous = client_for(personas.a)
    page = reverse("beneficiaries:directory", args=[cafe.campaign.slug]) + "?q=gare"
    first = anonymous.get(page)
    with CaptureQueriesContext(connection) as queries:
        again = anonymous.get(page)
    assert len(queries) == 0  # no tenant, no session, no page: the kept answer
    assert again.content == first.content
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Cache-Control", "ETag", "Vary"):
        assert again[header] == first[header], header
    # Another query string is another page.
    other = anonymous.get(reverse("beneficiaries:directory", args=[cafe.campaign.slug]) + "?q=zzz")
    assert other.content != first.content


def test_a_cross_origin_request_never_gets_an_answer_kept_for_a_same_origin_one(cafe, personas, client_for):
    """The API's answer to another site's page carries Access-Control-Allow-Origin, which the
    middleware adds only when the browser sends Origin: the two are kept apart."""
    path = f"/api/v1/campaigns/{cafe.campaign.slug}"
    anonymous = client_for(personas.a)
    assert not anonymous.get(path).has_header("Access-Control-Allow-Origin")
    widget = anonymous.get(path, HTTP_ORIGIN="https://www.ville-exemple.fr")
    assert widget.has_header("Access-Control-Allow-Origin")
