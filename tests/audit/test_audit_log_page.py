"""The collectivité’s audit log (GET /gestion/journal/): its own events only, for admins only."""

import html

import pytest

from solidaire.audit.events import record

from ..accounts.helpers import translated

JOURNAL = "/gestion/journal/"


@pytest.fixture
def events(personas):
    record(collectivite=personas.a.tenant, actor=personas.a.admin, action="team.invited", label="claire@grand-est.test")
    record(collectivite=personas.a.tenant, actor=personas.a.admin, action="team.revoked", label="old@grand-est.test")
    record(collectivite=personas.b.tenant, actor=personas.b.admin, action="team.invited", label="secret@metz.test")


def test_admin_sees_own_collectivites_events(personas, client_for, events):
    response = client_for(personas.a, personas.a.admin).get(JOURNAL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "claire@grand-est.test" in content
    assert "old@grand-est.test" in content
    assert personas.a.admin.email in content


def test_other_collectivites_events_are_never_shown(personas, client_for, events):
    content = client_for(personas.a, personas.a.admin).get(JOURNAL).content.decode()
    assert "secret@metz.test" not in content
    assert personas.b.admin.email not in content
    metz = client_for(personas.b, personas.b.admin).get(JOURNAL).content.decode()
    assert "secret@metz.test" in metz
    assert "claire@grand-est.test" not in metz


def test_filter_by_kind_of_change(personas, client_for, events):
    content = client_for(personas.a, personas.a.admin).get(JOURNAL, {"action": "team.revoked"}).content.decode()
    assert "old@grand-est.test" in content
    assert "claire@grand-est.test" not in content


def test_unknown_filter_shows_everything_of_the_collectivite(personas, client_for, events):
    content = client_for(personas.a, personas.a.admin).get(JOURNAL, {"action": "'; drop"}).content.decode()
    assert "old@grand-est.test" in content and "claire@grand-est.test" in content
    assert "secret@metz.test" not in content


def test_team_changes_made_in_the_back_office_appear_in_the_log(
    personas, client_for, django_capture_on_commit_callbacks
):
    client = client_for(personas.a, personas.a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/gestion/equipe/", {"email": "claire@example.org", "role": "viewer"})
    content = client.get(JOURNAL).content.decode()
    assert "claire@example.org" in content
    assert translated("Team member invited") in html.unescape(content)


def test_log_text_is_escaped(personas, client_for):
    record(collectivite=personas.a.tenant, actor=None, action="team.invited", label="<script>alert(1)</script>")
    content = client_for(personas.a, personas.a.admin).get(JOURNAL).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_log_is_paginated(personas, client_for):
    for n in range(55):
        record(collectivite=personas.a.tenant, actor=None, action="team.invited", label=f"person{n:02d}@example.test")
    client = client_for(personas.a, personas.a.admin)
    first = client.get(JOURNAL).content.decode()
    second = client.get(JOURNAL, {"page": 2}).content.decode()
    assert "person54@example.test" in first and "person00@example.test" not in first
    assert "person00@example.test" in second and "person54@example.test" not in second


@pytest.mark.parametrize("person", ["moderator", "finance", "viewer", "owner", "donor"])
def test_people_who_are_not_admins_get_403(personas, client_for, events, person):
    response = client_for(personas.a, getattr(personas.a, person)).get(JOURNAL)
    assert response.status_code == 403
    assert "claire@grand-est.test" not in response.content.decode()


def test_admin_of_another_collectivite_gets_403(personas, client_for, events):
    response = client_for(personas.a, personas.b.admin).get(JOURNAL)
    assert response.status_code == 403
    assert "claire@grand-est.test" not in response.content.decode()


def test_anonymous_visitor_is_sent_to_the_login_page(personas, client_for, events):
    response = client_for(personas.a).get(JOURNAL)
    assert response.status_code == 302
    assert response["Location"] == "/comptes/login/?next=/gestion/journal/"
