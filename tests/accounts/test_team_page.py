"""Who may open the team page (GET /gestion/equipe/) and what it shows."""

import pytest

TEAM = "/gestion/equipe/"


def test_admin_sees_own_team_members_and_roles(personas, client_for):
    response = client_for(personas.a, personas.a.admin).get(TEAM)
    assert response.status_code == 200
    content = response.content.decode()
    for role in ("admin", "moderator", "finance", "viewer"):
        assert getattr(personas.a, role).email in content
    for role in ("admin", "moderator", "finance", "viewer"):
        assert getattr(personas.b, role).email not in content
    assert personas.a.owner.email not in content
    assert personas.outsider.email not in content


@pytest.mark.parametrize("person", ["moderator", "finance", "viewer", "owner", "donor"])
def test_people_who_are_not_admins_get_403(personas, client_for, person):
    response = client_for(personas.a, getattr(personas.a, person)).get(TEAM)
    assert response.status_code == 403
    assert personas.a.moderator.email not in response.content.decode()


def test_outsider_gets_403(personas, client_for):
    assert client_for(personas.a, personas.outsider).get(TEAM).status_code == 403


def test_admin_of_another_collectivite_gets_403(personas, client_for):
    response = client_for(personas.a, personas.b.admin).get(TEAM)
    assert response.status_code == 403
    assert personas.a.moderator.email not in response.content.decode()


def test_anonymous_visitor_is_sent_to_the_login_page(personas, client_for):
    response = client_for(personas.a).get(TEAM)
    assert response.status_code == 302
    assert response["Location"] == "/comptes/login/?next=/gestion/equipe/"


def test_anonymous_visitor_on_the_english_site_is_sent_to_the_english_login_page(personas, client_for):
    response = client_for(personas.a).get("/en" + TEAM)
    assert response.status_code == 302
    assert response["Location"] == "/en/comptes/login/?next=/en/gestion/equipe/"


def test_deactivated_account_of_an_admin_gets_no_access(personas, client_for):
    client = client_for(personas.a, personas.a.admin)
    personas.a.admin.is_active = False
    personas.a.admin.save()
    response = client.get(TEAM)
    assert response.status_code in (302, 403)
    assert personas.a.moderator.email not in response.content.decode()


def test_back_office_menu_shows_team_link_to_admins_only(personas, client_for):
    assert 'href="/gestion/equipe/"' in client_for(personas.a, personas.a.admin).get("/gestion/").content.decode()
    assert 'href="/gestion/equipe/"' not in client_for(personas.a, personas.a.viewer).get("/gestion/").content.decode()
