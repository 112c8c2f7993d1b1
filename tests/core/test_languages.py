"""French first, English and German too: the language is in the URL and switchable."""

import html
import re

import pytest
from django.conf import settings

HTML_LANG = '<html lang="{}">'


@pytest.mark.parametrize(("path", "language"), [("/", "fr"), ("/en/", "en"), ("/de/", "de")])
def test_home_page_declares_its_language(personas, client_for, path, language):
    response = client_for(personas.a).get(path)
    assert response.status_code == 200
    assert HTML_LANG.format(language) in response.content.decode()
    assert "Région Grand Est" in response.content.decode()


def test_unknown_language_prefix_is_not_a_page(personas, client_for):
    assert client_for(personas.a).get("/it/").status_code == 404


def switch(client, page, language):
    """Follows a language link of `page`, as a visitor would."""
    content = client.get(page).content.decode()
    link = re.search(rf'<a href="([^"]*)" lang="{language}" hreflang="{language}"', content).group(1)
    return client.get(html.unescape(link))


@pytest.mark.parametrize(
    ("page", "language", "target"),
    [
        ("/mentions-legales/", "de", "/de/mentions-legales/"),
        ("/mentions-legales/", "en", "/en/mentions-legales/"),
        ("/en/mentions-legales/", "fr", "/mentions-legales/"),
        ("/en/mentions-legales/", "de", "/de/mentions-legales/"),
        ("/de/accessibilite/", "en", "/en/accessibilite/"),
        ("/de/", "fr", "/"),
    ],
)
def test_language_switcher_leads_to_the_same_page_in_the_chosen_language(personas, client_for, page, language, target):
    client = client_for(personas.a)
    response = switch(client, page, language)
    assert response.status_code == 302
    assert response["Location"] == target
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    assert HTML_LANG.format(language) in client.get(target).content.decode()


def test_language_switcher_keeps_the_query_string(personas, client_for):
    client = client_for(personas.a, personas.a.admin)
    response = switch(client, "/en/gestion/journal/?action=team.invited", "de")
    assert response["Location"] == "/de/gestion/journal/?action=team.invited"


def test_unsupported_language_is_ignored(personas, client_for):
    client = client_for(personas.a)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def test_switch_never_redirects_to_another_site(personas, client_for):
    response = client_for(personas.a).post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_every_page_has_a_language_switcher_for_the_three_languages(personas, client_for):
    content = client_for(personas.a).get("/").content.decode()
    for code in ("fr", "en", "de"):
        assert f'href="/i18n/langue/{code}/?next=/" lang="{code}" hreflang="{code}"' in content
    # No form, hence no CSRF token on a page that has no other form: it can be cached (ADR 0025).
    assert "csrfmiddlewaretoken" not in content


def test_the_language_link_refuses_an_unknown_language_and_another_site(personas, client_for):
    client = client_for(personas.a)
    assert client.get("/i18n/langue/xx/?next=/").status_code == 404
    response = client.get("/i18n/langue/en/?next=https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/en/"
    assert client.post("/i18n/langue/en/?next=/").status_code == 405


@pytest.mark.parametrize(("path", "language"), [("/gestion/equipe/", "fr"), ("/de/gestion/equipe/", "de")])
def test_back_office_pages_follow_the_language_of_the_url(personas, client_for, path, language):
    response = client_for(personas.a, personas.a.admin).get(path)
    assert response.status_code == 200
    assert HTML_LANG.format(language) in response.content.decode()
