"""The collectivité's side: an admin switches the network on, sets its rules and edits its
categories; a moderator approves or rejects the posts waiting for review. Each change audited;
a form sent wrong changes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.mutualaid.models import Category, Moderation, MutualAidSettings, Post, PreModeration

from .helpers import category, open_network, write

pytestmark = pytest.mark.django_db

SETTINGS = {"enabled": "on", "follow_up_hours": "48", "pre_moderation": "first_posts"}


def test_an_admin_switches_the_network_on_from_the_back_office(personas, client_for):
    a = personas.a
    alice = client_for(a, a.admin)
    assert alice.get(reverse("mutualaid:manage")).status_code == 200  # reachable while off
    assert client_for(a).get(reverse("mutualaid:network")).status_code == 404
    response = alice.post(reverse("mutualaid:manage"), SETTINGS)
    assert response.status_code == 302
    network = MutualAidSettings.objects.get(collectivite=a.tenant)
    assert network.enabled and network.pre_moderation == PreModeration.FIRST_POSTS
    assert Category.objects.filter(collectivite=a.tenant).count() == 8
    assert AuditEvent.objects.filter(action="mutualaid.settings_changed", actor=a.admin).exists()
    assert client_for(a).get(reverse("mutualaid:network")).status_code == 200


@pytest.mark.parametrize(
    "changes", [{"follow_up_hours": "0"}, {"follow_up_hours": "abc"}, {"pre_moderation": "nobody"}]
)
def test_wrong_settings_are_refused_and_nothing_changes(changes, personas, client_for):
    a = personas.a
    open_network(a.tenant)
    before = AuditEvent.objects.count()
    response = client_for(a, a.admin).post(reverse("mutualaid:manage"), {**SETTINGS, **changes})
    assert response.status_code == 400 and 'class="error-summary"' in response.content.decode()
    network = MutualAidSettings.objects.get(collectivite=a.tenant)
    assert (network.follow_up_hours, network.pre_moderation) == (48, PreModeration.SENSITIVE)
    assert AuditEvent.objects.count() == before


def test_an_admin_edits_a_category_and_adds_one(personas, client_for):
    a = personas.a
    open_network(a.tenant)
    alice = client_for(a, a.admin)
    transport = category(a.tenant, "transport")
    data = {"label": "Trajets", "label_en": "Lifts", "label_de": "", "sensitive": "on", "position": "3"}
    assert alice.post(reverse("mutualaid:category_edit", args=[transport.pk]), data).status_code == 302
    transport.refresh_from_db()
    assert (transport.label, transport.label_en, transport.sensitive, transport.slug) == (
        "Trajets",
        "Lifts",
        True,
        "transport",
    )
    event = AuditEvent.objects.filter(action="mutualaid.category_saved").latest("pk")
    assert event.data["changes"]["label"] == {"from": "Transport", "to": "Trajets"}
    new = {"label": "Animaux", "label_en": "Pets", "label_de": "Haustiere", "position": "9"}
    assert alice.post(reverse("mutualaid:category_create"), new).status_code == 302
    assert Category.objects.get(collectivite=a.tenant, slug="animaux").label_de == "Haustiere"
    refused = alice.post(reverse("mutualaid:category_create"), {**new, "label": ""})
    assert refused.status_code == 400
    assert Category.objects.filter(collectivite=a.tenant).count() == 9


def test_b_s_categories_are_not_found_on_a_s_host(personas, client_for):
    open_network(personas.a.tenant)
    open_network(personas.b.tenant)
    theirs = category(personas.b.tenant)
    alice = client_for(personas.a, personas.a.admin)
    assert alice.get(reverse("mutualaid:category_edit", args=[theirs.pk])).status_code == 404
    assert alice.post(reverse("mutualaid:category_edit", args=[theirs.pk]), {"label": "x"}).status_code == 404
    assert Category.objects.get(pk=theirs.pk).label == "Courses"


@pytest.fixture
def waiting(personas):
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.EVERYTHING)
    return [
        write(a.tenant, a.donor, title="Courses à faire"),
        write(a.tenant, a.owner, slug="garde-enfants", title="Garde du soir"),
    ]


def test_a_moderator_sees_what_waits_and_approves_it(waiting, personas, client_for):
    a = personas.a
    mona = client_for(a, a.moderator)
    page = mona.get(reverse("mutualaid:moderation")).content.decode()
    assert "Courses à faire" in page and "Garde du soir" in page
    assert "Courses à faire" not in client_for(a).get(reverse("mutualaid:network")).content.decode()
    mona.post(reverse("mutualaid:moderate_post", args=[waiting[0].pk]), {"decision": "approve"})
    mona.post(reverse("mutualaid:moderate_post", args=[waiting[1].pk]), {"decision": "reject"})
    assert Post.objects.get(pk=waiting[0].pk).moderation == Moderation.APPROVED
    assert Post.objects.get(pk=waiting[1].pk).moderation == Moderation.REJECTED
    assert "Courses à faire" in client_for(a).get(reverse("mutualaid:network")).content.decode()
    assert AuditEvent.objects.filter(action="mutualaid.post_rejected", actor=a.moderator).count() == 1
    assert "Courses à faire" not in mona.get(reverse("mutualaid:moderation")).content.decode()


def test_a_post_already_decided_or_a_decision_missing_is_refused(waiting, personas, client_for):
    mona = client_for(personas.a, personas.a.moderator)
    path = reverse("mutualaid:moderate_post", args=[waiting[0].pk])
    mona.post(path, {"decision": "reject"})
    for data in ({"decision": "approve"}, {}):
        response = mona.post(path, data)
        assert [m.level_tag for m in get_messages(response.wsgi_request)][-1] == "error"
    assert Post.objects.get(pk=waiting[0].pk).moderation == Moderation.REJECTED


def test_b_s_moderators_cannot_decide_a_s_posts(waiting, personas, client_for):
    mia_on_a = client_for(personas.a, personas.b.moderator)
    assert (
        mia_on_a.post(reverse("mutualaid:moderate_post", args=[waiting[0].pk]), {"decision": "approve"}).status_code
        == 403
    )
    assert Post.objects.get(pk=waiting[0].pk).moderation == Moderation.PENDING
