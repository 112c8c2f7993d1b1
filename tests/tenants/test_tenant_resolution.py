"""Which collectivité a request is for: custom domain, <slug>.<base domain>, default tenant;
and what happens when there is none."""

import pytest
from django.test import Client

from solidaire.tenants.models import Domain
from solidaire.tenants.resolution import resolve_tenant

from ..accounts.helpers import page_text, translated

NO_TENANT = translated("No collectivité here")


@pytest.fixture
def custom_domain(personas, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "solidaire.grandest.fr"]
    return Domain.objects.create(collectivite=personas.a.tenant, host="Solidaire.GrandEst.fr")


def get(host, path="/"):
    return Client(HTTP_HOST=host).get(path)


def test_sub_domain_of_base_domain_leads_to_its_collectivite(personas):
    response = get("metz.localhost")
    assert response.status_code == 200
    assert response.wsgi_request.tenant == personas.b.tenant
    assert "Ville de Metz" in response.content.decode()
    assert "Région Grand Est" not in response.content.decode()


def test_custom_domain_leads_to_its_collectivite(personas, custom_domain):
    response = get("solidaire.grandest.fr")
    assert response.status_code == 200
    assert response.wsgi_request.tenant == personas.a.tenant
    assert "Région Grand Est" in response.content.decode()


def test_custom_domain_is_stored_lower_case_and_matches_any_case_and_port(personas, custom_domain):
    assert custom_domain.host == "solidaire.grandest.fr"
    response = get("SOLIDAIRE.grandest.FR:8443")
    assert response.status_code == 200
    assert response.wsgi_request.tenant == personas.a.tenant


def test_custom_domain_wins_over_default_tenant(personas, custom_domain, settings):
    settings.SOLIDAIRE_DEFAULT_TENANT = "metz"
    assert resolve_tenant("solidaire.grandest.fr") == personas.a.tenant


def test_unknown_host_without_default_shows_no_collectivite_page(personas):
    response = get("nowhere.localhost")
    assert response.status_code == 404
    assert NO_TENANT in page_text(response)
    assert response.wsgi_request.tenant is None


def test_deeper_sub_domain_is_not_a_collectivite(personas):
    response = get("www.metz.localhost")
    assert response.status_code == 404
    assert NO_TENANT in page_text(response)


def test_unknown_host_shows_no_collectivite_page_on_every_path(personas):
    for path in ("/", "/en/", "/gestion/equipe/", "/mentions-legales/", "/gestion/journal/"):
        response = get("127.0.0.1", path)
        assert response.status_code == 404, path
        assert NO_TENANT in page_text(response), path


def test_default_tenant_serves_hosts_that_match_nothing(personas, settings):
    settings.SOLIDAIRE_DEFAULT_TENANT = "metz"
    response = get("127.0.0.1")
    assert response.status_code == 200
    assert response.wsgi_request.tenant == personas.b.tenant
    assert "Ville de Metz" in response.content.decode()


def test_sub_domain_wins_over_default_tenant(personas, settings):
    settings.SOLIDAIRE_DEFAULT_TENANT = "metz"
    response = get("grand-est.localhost")
    assert response.wsgi_request.tenant == personas.a.tenant


def test_default_tenant_that_does_not_exist_resolves_to_nothing(personas, settings):
    settings.SOLIDAIRE_DEFAULT_TENANT = "atlantis"
    response = get("127.0.0.1")
    assert response.status_code == 404
    assert NO_TENANT in page_text(response)


def test_inactive_collectivite_sub_domain_shows_no_collectivite_page(personas):
    personas.b.tenant.is_active = False
    personas.b.tenant.save()
    response = get("metz.localhost")
    assert response.status_code == 404
    assert NO_TENANT in page_text(response)
    assert "Ville de Metz" not in response.content.decode()


def test_inactive_collectivite_custom_domain_shows_no_collectivite_page(personas, custom_domain):
    personas.a.tenant.is_active = False
    personas.a.tenant.save()
    response = get("solidaire.grandest.fr")
    assert response.status_code == 404
    assert NO_TENANT in page_text(response)


def test_inactive_default_tenant_is_not_served(personas, settings):
    settings.SOLIDAIRE_DEFAULT_TENANT = "metz"
    personas.b.tenant.is_active = False
    personas.b.tenant.save()
    response = get("127.0.0.1")
    assert response.status_code == 404


def test_inactive_collectivite_sub_domain_does_not_fall_back_to_default_tenant(personas, settings):
    """A deactivated collectivité’s address must not silently show another collectivité’s site."""
    settings.SOLIDAIRE_DEFAULT_TENANT = "grand-est"
    personas.b.tenant.is_active = False
    personas.b.tenant.save()
    response = get("metz.localhost")
    assert response.status_code == 404
    assert "Région Grand Est" not in response.content.decode()


def test_inactive_collectivite_back_office_is_closed_to_its_own_admin(personas, client_for):
    personas.b.tenant.is_active = False
    personas.b.tenant.save()
    response = client_for(personas.b, personas.b.admin).get("/gestion/equipe/")
    assert response.status_code == 404
    assert NO_TENANT in page_text(response)


def test_healthz_answers_without_a_collectivite(personas):
    response = get("nowhere.localhost", "/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_operator_back_office_answers_on_the_operator_host_only(personas, settings):
    settings.SOLIDAIRE_OPERATOR_HOST = "operator.localhost"
    response = get("operator.localhost", "/operator/")
    assert response.status_code == 302
    assert response["Location"].startswith("/operator/login/")
    assert response.wsgi_request.tenant is None
    for host in ("nowhere.localhost", "grand-est.localhost", "127.0.0.1"):
        assert get(host, "/operator/").status_code == 404, host
        assert get(host, "/operator/login/").status_code == 404, host


def test_operator_host_is_no_collectivite_even_with_a_default_tenant(personas, settings):
    settings.SOLIDAIRE_OPERATOR_HOST = "operator.localhost"
    settings.SOLIDAIRE_DEFAULT_TENANT = "metz"
    assert resolve_tenant("operator.localhost") is None
    assert get("operator.localhost", "/mentions-legales/").status_code == 404
    assert get("operator.localhost", "/")["Location"] == "/operator/"


def test_account_pages_answer_404_on_a_host_that_is_no_collectivite(personas):
    for path in ("/comptes/login/", "/en/comptes/login/", "/comptes/signup/", "/comptes/password/reset/"):
        response = get("nowhere.localhost", path)
        assert response.status_code == 404, path
        assert NO_TENANT in page_text(response), path


def test_account_pages_answer_on_the_operator_host(personas, settings):
    settings.SOLIDAIRE_OPERATOR_HOST = "operator.localhost"
    for path in ("/comptes/login/", "/en/comptes/login/", "/comptes/password/reset/"):
        assert get("operator.localhost", path).status_code == 200, path


def test_language_switch_answers_without_a_collectivite(personas):
    response = Client(HTTP_HOST="nowhere.localhost").post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert response.status_code == 302
