"""The exports page: asking (rate-limited), following (JSON status), downloading — the file to
its requester only, on its collectivité’s host only, never stored by a cache."""

import pytest
from django.urls import reverse

from solidaire.exports.models import Export, ExportStatus
from solidaire.exports.views import EXPORTS_PER_HOUR

from .helpers import export_for

pytestmark = pytest.mark.django_db

HOME = "/gestion/exports/"


def ask(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(HOME, {"format": "csv", **data})


def test_the_page_and_its_address():
    assert reverse("exports:home") == HOME


def test_asking_builds_the_file_and_the_page_offers_it(
    personas, client_for, campaign, gifts, django_capture_on_commit_callbacks
):
    victor = client_for(personas.a, personas.a.viewer)
    response = ask(victor, django_capture_on_commit_callbacks, kind="gifts", campaign="cafe-solidaire")
    assert response.status_code == 302 and response["Location"] == HOME
    export = Export.objects.get()
    assert (export.kind, export.campaign, export.requested_by, export.status) == (
        "gifts",
        campaign,
        personas.a.viewer,
        ExportStatus.DONE,
    )
    page = victor.get(HOME).content.decode()
    assert reverse("exports:download", args=[export.pk]) in page and "Café Solidaire" in page
    state = victor.get(reverse("exports:status", args=[export.pk]))
    assert "no-store" in state["Cache-Control"]
    assert state.json() == {
        "id": export.pk,
        "status": "done",
        "label": state.json()["label"],
        "done": 3,
        "total": 3,
        "percent": 100,
        "rows": 3,
        "download": reverse("exports:download", args=[export.pk]),
    }
    download = victor.get(reverse("exports:download", args=[export.pk]))
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"Dora Dupont" in b"".join(download.streaming_content)


def test_a_running_export_shows_its_progress_and_a_refresh_link(personas, client_for, gifts):
    victor = client_for(personas.a, personas.a.viewer)
    export = Export.objects.create(
        collectivite=personas.a.tenant,
        kind="days",
        requested_by=personas.a.viewer,
        status="running",
        rows_done=1,
        rows_total=4,
        expires_at=gifts[0].confirmed_at,
    )
    page = victor.get(HOME).content.decode()
    assert 'data-status="running"' in page and '<progress max="100" value="25"' in page
    assert f'href="{HOME}"' in page and "exports/progress" in page and "<script>" not in page
    assert victor.get(reverse("exports:status", args=[export.pk])).json()["percent"] == 25
    assert victor.get(reverse("exports:download", args=[export.pk])).status_code == 404


def test_only_the_requester_gets_the_file(personas, client_for, gifts):
    a, b = personas.a, personas.b
    export = export_for(a.viewer, a.tenant, "gifts", role="viewer")
    for path in (reverse("exports:download", args=[export.pk]), reverse("exports:status", args=[export.pk])):
        assert client_for(a, a.viewer).get(path).status_code == 200
        assert client_for(a, a.admin).get(path).status_code == 404, "another member of the team"
        assert client_for(b, b.admin).get(path).status_code == 404, "B's admin on B's host"
        assert client_for(b, a.viewer).get(path).status_code == 403, "its requester on another host"
        assert client_for(a, a.owner).get(path).status_code == 403
        assert client_for(a).get(path).status_code == 302
    assert export.file.name not in client_for(a, a.admin).get(HOME).content.decode()


def test_who_lost_the_capability_no_longer_downloads(personas, client_for, gifts):
    a = personas.a
    export = export_for(a.admin, a.tenant, "audit", role="admin")
    alice = client_for(a, a.admin)
    assert alice.get(reverse("exports:download", args=[export.pk])).status_code == 200
    a.admin.memberships.filter(collectivite=a.tenant).update(role="viewer")
    assert alice.get(reverse("exports:download", args=[export.pk])).status_code == 404


def test_the_audit_log_is_not_offered_to_those_who_may_not_read_it(
    personas, client_for, django_capture_on_commit_callbacks
):
    victor = client_for(personas.a, personas.a.viewer)
    assert 'value="audit"' not in victor.get(HOME).content.decode()
    assert ask(victor, django_capture_on_commit_callbacks, kind="audit").status_code == 400
    alice = client_for(personas.a, personas.a.admin)
    assert 'value="audit"' in alice.get(HOME).content.decode()
    assert ask(alice, django_capture_on_commit_callbacks, kind="audit", campaign="cafe-solidaire").status_code == 400
    assert ask(alice, django_capture_on_commit_callbacks, kind="audit").status_code == 302
    assert not Export.objects.filter(requested_by=personas.a.viewer).exists()


def test_a_campaign_of_another_collectivite_is_refused(
    personas, client_for, campaign, django_capture_on_commit_callbacks
):
    bob = client_for(personas.b, personas.b.admin)
    assert ask(bob, django_capture_on_commit_callbacks, kind="gifts", campaign=campaign.slug).status_code == 400
    assert not Export.objects.exists()


def test_exports_asked_for_are_rate_limited_per_person(personas, client_for, django_capture_on_commit_callbacks):
    limit = int(EXPORTS_PER_HOUR.split("/")[0])
    victor = client_for(personas.a, personas.a.viewer)
    for _ in range(limit):
        assert ask(victor, django_capture_on_commit_callbacks, kind="days").status_code == 302
    assert ask(victor, django_capture_on_commit_callbacks, kind="days").status_code == 429
    assert Export.objects.count() == limit
    fiona = client_for(personas.a, personas.a.finance)
    assert ask(fiona, django_capture_on_commit_callbacks, kind="days").status_code == 302, "per person"


def test_the_campaign_page_links_to_its_exports(personas, client_for, campaign):
    page = client_for(personas.a, personas.a.viewer).get(reverse("campaigns:manage_detail", args=[campaign.slug]))
    assert f"{HOME}?campagne=cafe-solidaire" in page.content.decode()


def test_the_back_office_menu_links_to_the_exports(personas, client_for):
    assert f'href="{HOME}"' in client_for(personas.a, personas.a.moderator).get(HOME).content.decode()


def test_the_link_of_a_campaign_chooses_it_in_the_form(personas, client_for, campaign):
    page = client_for(personas.a, personas.a.viewer).get(HOME, {"campagne": "cafe-solidaire", "type": "days"})
    html = page.content.decode()
    assert '<option value="cafe-solidaire" selected>' in html and '<option value="days" selected>' in html
