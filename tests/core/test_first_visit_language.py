"""A first visit from a browser asking for English or German goes once to /en/ or /de/; the
visitor's own choice (the language cookie) wins; robots, forms, the API, probes, the notification
inbox and files are never redirected."""

import pytest
from django.conf import settings

from ..accounts.helpers import page_text

pytestmark = pytest.mark.django_db

GERMAN_BROWSER = "de-DE,de;q=0.9,en;q=0.8,fr;q=0.5"
ENGLISH_BROWSER = "en-GB,en;q=0.9"
FRENCH_BROWSER = "fr-FR,fr;q=0.9,de;q=0.5"


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize(
    ("path", "accept", "target"),
    [
        ("/", GERMAN_BROWSER, "/de/"),
        ("/", ENGLISH_BROWSER, "/en/"),
        ("/mentions-legales/", GERMAN_BROWSER, "/de/mentions-legales/"),
        ("/accessibilite/?page=2", "de", "/de/accessibilite/?page=2"),
    ],
)
def test_a_browser_asking_for_german_or_english_is_sent_once_to_its_language(
    personas, client_for, path, accept, target
):
    client = client_for(personas.a)
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == target
    assert {"accept-language", "cookie"} <= vary(response)
    arrived = client.get(target, HTTP_ACCEPT_LANGUAGE=accept)
    assert arrived.status_code != 302, "the page in the browser's language is not redirected again"


def test_a_head_request_is_redirected_like_a_get(personas, client_for):
    response = client_for(personas.a).head("/", HTTP_ACCEPT_LANGUAGE=GERMAN_BROWSER)
    assert response.status_code == 302
    assert response["Location"] == "/de/"


@pytest.mark.parametrize("accept", [None, FRENCH_BROWSER, "it-IT,it;q=0.9", "*"])
def test_a_browser_asking_for_french_another_language_or_nothing_stays_in_french(personas, client_for, accept):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    response = client_for(personas.a).get("/", **headers)
    assert response.status_code == 200
    assert '<html lang="fr">' in page_text(response)
    assert {"accept-language", "cookie"} <= vary(response)


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; SomeCrawler/1.0)",
    ],
)
def test_robots_see_the_french_page(personas, client_for, agent):
    response = client_for(personas.a).get("/", HTTP_ACCEPT_LANGUAGE=GERMAN_BROWSER, HTTP_USER_AGENT=agent)
    assert response.status_code == 200
    assert '<html lang="fr">' in page_text(response)


def test_a_visitor_who_chose_french_stays_in_french_whatever_the_browser_asks(personas, client_for):
    client = client_for(personas.a)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=GERMAN_BROWSER)
    assert response.status_code == 200
    assert '<html lang="fr">' in page_text(response)
    assert client.get("/mentions-legales/", HTTP_ACCEPT_LANGUAGE=GERMAN_BROWSER).status_code == 200


def test_a_visitor_who_chose_german_is_sent_to_german_even_from_a_french_browser(personas, client_for):
    client = client_for(personas.a)
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    response = client.get("/mentions-legales/", HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER)
    assert response.status_code == 302
    assert response["Location"] == "/de/mentions-legales/"


def test_the_choice_made_on_a_german_page_is_kept_on_the_next_visits(personas, client_for):
    """Sent to /de/, the visitor switches to French: the switcher leads to / and / stays French."""
    client = client_for(personas.a)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE=GERMAN_BROWSER)["Location"] == "/de/"
    switched = client.post("/i18n/setlang/", {"language": "fr", "next": "/"}, HTTP_ACCEPT_LANGUAGE=GERMAN_BROWSER)
    assert switched["Location"] == "/"
    for _visit in range(2):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE=GERMAN_BROWSER)
        assert response.status_code == 200
        assert '<html lang="fr">' in page_text(response)


def test_a_cookie_naming_an_unknown_language_is_ignored(personas, client_for):
    client = client_for(personas.a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE=GERMAN_BROWSER)["Location"] == "/de/"


def test_a_form_posted_to_an_unprefixed_address_is_never_redirected(personas, client_for):
    client = client_for(personas.a)
    response = client.post(
        "/comptes/login/", {"login": "nobody@example.org", "password": "x"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 200  # the login form again, with its error
    assert "Location" not in response


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/healthz"),
        ("get", "/api/v1/campaigns/nothing/beneficiaries"),
        ("get", "/theme.css"),
        ("get", "/static/solidaire/solidaire.css"),
        ("get", "/paiements/notifications/sandbox/"),
        ("post", "/paiements/notifications/sandbox/"),
    ],
)
def test_machines_addresses_are_never_redirected(personas, client_for, method, path):
    response = getattr(client_for(personas.a), method)(path, HTTP_ACCEPT_LANGUAGE=GERMAN_BROWSER)
    assert response.status_code != 302 or not response["Location"].startswith("/de/")
    assert not response.get("Location", "").startswith("/de/")
