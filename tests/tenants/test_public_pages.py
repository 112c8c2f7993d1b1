"""The collectivité’s legal pages (/mentions-legales/, /accessibilite/, /confidentialite/): its
own texts, shown as text, never as HTML."""

import pytest

PAGES = [
    ("/mentions-legales/", "legal_notice"),
    ("/accessibilite/", "accessibility_statement"),
    ("/confidentialite/", "privacy_policy"),
]


@pytest.mark.parametrize(("path", "field"), PAGES)
def test_page_shows_the_collectivites_own_text(personas, client_for, path, field):
    setattr(personas.a.tenant, field, f"Texte de Grand Est pour {field}.\n\nDeuxième paragraphe.")
    personas.a.tenant.save()
    setattr(personas.b.tenant, field, f"Texte de Metz pour {field}.")
    personas.b.tenant.save()
    response = client_for(personas.a).get(path)
    assert response.status_code == 200
    content = response.content.decode()
    assert f"Texte de Grand Est pour {field}." in content
    assert "<p>Deuxième paragraphe.</p>" in content
    assert "Texte de Metz" not in content


@pytest.mark.parametrize(("path", "field"), PAGES)
def test_html_in_the_text_is_shown_escaped(personas, client_for, path, field):
    setattr(
        personas.a.tenant,
        field,
        '<script>alert("x")</script> <a href="https://evil.example" onclick="steal()">clic</a> <b>gras</b>',
    )
    personas.a.tenant.save()
    content = client_for(personas.a).get(path).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert 'href="https://evil.example"' not in content
    assert "<b>gras</b>" not in content
    assert "&lt;b&gt;gras&lt;/b&gt;" in content


@pytest.mark.parametrize(("path", "field"), PAGES)
def test_page_without_text_says_it_is_not_published_yet(personas, client_for, path, field):
    response = client_for(personas.a).get(path)
    assert response.status_code == 200
    assert "Région Grand Est" in response.content.decode()


def test_legal_notice_names_the_publisher_with_its_siren_and_escaped_address(personas, client_for):
    personas.a.tenant.postal_address = "1 place Adrien Zeller\n<i>67000</i> Strasbourg"
    personas.a.tenant.save()
    content = client_for(personas.a).get("/mentions-legales/").content.decode()
    assert "200052264" in content
    assert "1 place Adrien Zeller<br>&lt;i&gt;67000&lt;/i&gt; Strasbourg" in content


@pytest.mark.parametrize(("path", "field"), PAGES)
def test_pages_exist_in_english_and_german(personas, client_for, path, field):
    for prefix in ("/en", "/de"):
        assert client_for(personas.a).get(prefix + path).status_code == 200


def test_footer_links_to_the_three_pages(personas, client_for):
    content = client_for(personas.a).get("/").content.decode()
    for path, _field in PAGES:
        assert f'href="{path}"' in content


def test_branding_form_text_reaches_the_public_page_escaped(personas, client_for):
    from .test_branding import BRANDING, current_values

    data = current_values(personas.a.tenant)
    data["privacy_policy"] = "Nous ne vendons rien. <img src=x onerror=alert(1)>"
    assert client_for(personas.a, personas.a.admin).post(BRANDING, data).status_code == 302
    content = client_for(personas.a).get("/confidentialite/").content.decode()
    assert "Nous ne vendons rien." in content
    assert "<img src=x" not in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content
