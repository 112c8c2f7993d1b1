"""Who may open what in the mutual-aid network: every view of solidaire/mutualaid/urls.py (and the
JSON API's list of posts) × the people of a network, on collectivité A's host.

tests/test_permission_matrix.py reads the network with team roles, owners and donors; this one
with the people the network is for (issue 12: "sensitive posts invisible to non-vetted members and
anonymous visitors"). The columns:

    anon       not signed in
    resident   rita, a plain member of A's network (she answered the author's request and chose
               to receive A's announcements), not vetted
    author     ada, who wrote A's posts: an ordinary request, a sensitive one, one waiting for review
    vetted     victor, a Volunteer A's moderators vetted: he reads the sensitive requests
    blocked    blaise, whom the author blocked: her posts are not shown to him
    suspended  suzy, whom a moderator of A suspended after a report
    A.mod      mona, moderator of A
    A.adm      alice, admin of A
    B.mod      mia, moderator of B: on A's host, nobody in particular
    outsider   otto, signed up, nothing to do with A's network

A cell is what that person gets (as in the main matrix):

    200    the page is shown
    DONE   a POST succeeded and redirected back, or a GET was sent on where it belongs (302, no error)
    LOGIN  redirected to the login page (302 to /comptes/login/?next=…)
    403    signed in, but lacking the capability in collectivité A
    404    no such object for this person here: a sensitive post for who is not vetted, a post
           waiting for review for who did not write it, a blocker's post for the blocked, another
           person's conversation, or an object of collectivité B asked for on A's host

Rows name a view and, in brackets, what it is asked for when that matters: "[sensitive]" the
author's request in a sensitive category (childcare), "[pending]" her request waiting for a
moderator, "[B's]" collectivité B's object. Pages are requested with GET, the POST-only actions
with POST; every request runs in a savepoint that is rolled back, so each cell starts from the
same world. What the pages list (not only whether they open) is checked after the table.

The view list is read from solidaire/mutualaid/urls.py: a new mutual-aid page without a row makes
test_every_mutual_aid_view_has_a_row fail.
"""

import json
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import URLPattern, reverse

from solidaire.core.errors import ActionError
from solidaire.geo.models import Commune
from solidaire.mutualaid import actions, alerts, announcements, conversations, safety
from solidaire.mutualaid import urls as mutualaid_urls
from solidaire.mutualaid.models import (
    Alert,
    Announcement,
    Block,
    Conversation,
    Neighbourhood,
    Post,
    PreModeration,
    Report,
    ReportDecision,
    Suspension,
    Volunteer,
)

from ..accounts.helpers import page_text, translated
from ..factories import UserFactory
from .helpers import METZ, STRASBOURG, approved, open_network, write

pytestmark = pytest.mark.django_db

DONE = "DONE"
LOGIN = "LOGIN"

ORDINARY = "Courses du samedi"
SENSITIVE = "Garde de Léa mercredi"
PENDING = "Aide pour mes papiers"
THEIRS = "Courses à Metz"

PERSONAS = (
    "anon", "resident", "author", "vetted", "blocked", "suspended", "A.mod", "A.adm", "B.mod", "outsider",
)  # fmt: skip

# fmt: off
MATRIX = {
    # view [what]                                anon   rita   ada    vetted blocked susp   A.mod  A.adm  B.mod  otto
    # The network's public pages: anyone. The list and the markers say less to some (see below).
    "mutualaid:network":                        (200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:map":                            (200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:markers":                        (200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "api:mutualaid_posts":                      (200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    # A post's page: an ordinary one for anyone but whom its author blocked; a sensitive one for its
    # author, the vetted volunteers and A's moderators only; one waiting for review for its author and
    # A's moderators; B's is not found here.
    "mutualaid:post":                           (200,   200,   200,   200,   404,   200,   200,   200,   200,   200),
    "mutualaid:post [sensitive]":               (404,   404,   200,   200,   404,   404,   200,   200,   404,   404),
    "mutualaid:post [pending]":                 (404,   404,   200,   404,   404,   404,   200,   200,   404,   404),
    "mutualaid:post [B's]":                     (404,   404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Posting and one's own posts: anyone signed in (a suspended person sees the form, and is told
    # when sending it: test_a_suspended_person_can_neither_post_nor_answer); a post's moves: its
    # author only.
    "mutualaid:new_post":                       (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:my_posts":                       (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:move":                           (LOGIN, 404,   DONE,  404,   404,   404,   404,   404,   404,   404),
    "mutualaid:move [sensitive]":               (LOGIN, 404,   DONE,  404,   404,   404,   404,   404,   404,   404),
    "mutualaid:move [B's]":                     (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    # A private note to the collectivité about a post: its author and who answered it (rita); the
    # notes are read by A's moderators.
    "mutualaid:private_note":                   (LOGIN, 200,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:private_note [sensitive]":       (LOGIN, 404,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:private_note [B's]":             (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:private_notes":                  (LOGIN, 403,   403,   403,   403,   403,   200,   200,   403,   403),
    # Back office: settings and categories for A's admin (manage_branding); the review queue, the
    # vetted volunteers for A's moderators (moderate). Residents, volunteers included, are no team.
    "mutualaid:manage":                         (LOGIN, 403,   403,   403,   403,   403,   403,   200,   403,   403),
    "mutualaid:category_create":                (LOGIN, 403,   403,   403,   403,   403,   403,   200,   403,   403),
    "mutualaid:category_edit":                  (LOGIN, 403,   403,   403,   403,   403,   403,   200,   403,   403),
    "mutualaid:category_edit [B's]":            (LOGIN, 403,   403,   403,   403,   403,   403,   404,   403,   403),
    "mutualaid:moderation":                     (LOGIN, 403,   403,   403,   403,   403,   200,   200,   403,   403),
    "mutualaid:moderate_post":                  (LOGIN, 403,   403,   403,   403,   403,   DONE,  DONE,  403,   403),
    "mutualaid:moderate_post [B's]":            (LOGIN, 403,   403,   403,   403,   403,   404,   404,   403,   403),
    "mutualaid:volunteers":                     (LOGIN, 403,   403,   403,   403,   403,   200,   200,   403,   403),
    # The neighbourhoods a post may name (a quarter of Strasbourg; B's of Metz): A's admin.
    "mutualaid:neighbourhoods":                 (LOGIN, 403,   403,   403,   403,   403,   403,   200,   403,   403),
    "mutualaid:neighbourhood_edit":             (LOGIN, 403,   403,   403,   403,   403,   403,   200,   403,   403),
    "mutualaid:neighbourhood_edit [B's]":       (LOGIN, 403,   403,   403,   403,   403,   403,   404,   403,   403),
    # Answering a post: whoever may read it (rita is sent on to the conversation she has, ada shown
    # that it is her own); never whom the author blocked.
    "mutualaid:conversation_start":             (LOGIN, DONE,  200,   200,   404,   200,   200,   200,   200,   200),
    "mutualaid:conversation_start [sensitive]": (LOGIN, 404,   200,   200,   404,   404,   200,   200,   404,   404),
    "mutualaid:conversation_start [pending]":   (LOGIN, 404,   200,   404,   404,   404,   200,   200,   404,   404),
    "mutualaid:conversation_start [B's]":       (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    # A conversation (ada and rita): its two participants only, A's team included.
    "mutualaid:conversations":                  (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:conversation":                   (LOGIN, 200,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversation [B's]":             (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversation_share":             (LOGIN, DONE,  DONE,  404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversation_share [B's]":       (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversation_close":             (LOGIN, DONE,  DONE,  404,   404,   404,   404,   404,   404,   404),
    "mutualaid:conversation_close [B's]":       (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Reporting: a post by whoever may read it, not its author; rita's message by ada, to whom it
    # was written; the other person of a conversation by either participant, who may also block them.
    "mutualaid:report_post":                    (LOGIN, 200,   404,   200,   404,   200,   200,   200,   200,   200),
    "mutualaid:report_post [sensitive]":        (LOGIN, 404,   404,   200,   404,   404,   200,   200,   404,   404),
    "mutualaid:report_post [B's]":              (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:report_message":                 (LOGIN, 404,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:report_message [B's]":           (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:report_person":                  (LOGIN, 200,   200,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:report_person [B's]":            (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Blocking: one's blocks are one's own (ada blocked blaise).
    "mutualaid:blocks":                         (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:block":                          (LOGIN, DONE,  DONE,  404,   404,   404,   404,   404,   404,   404),
    "mutualaid:block [B's]":                    (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    # A post's author, from its page: whoever may read the post, but not its author.
    "mutualaid:block_author":                   (LOGIN, DONE,  404,   DONE,  404,   DONE,  DONE,  DONE,  DONE,  DONE),
    "mutualaid:block_author [sensitive]":       (LOGIN, 404,   404,   DONE,  404,   404,   DONE,  DONE,  404,   404),
    "mutualaid:block_author [B's]":             (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:unblock":                        (LOGIN, 404,   DONE,  404,   404,   404,   404,   404,   404,   404),
    "mutualaid:unblock [B's]":                  (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Reports and suspensions (the report that suspended suzy, and her suspension): A's moderators.
    "mutualaid:reports":                        (LOGIN, 403,   403,   403,   403,   403,   200,   200,   403,   403),
    "mutualaid:report_detail":                  (LOGIN, 403,   403,   403,   403,   403,   200,   200,   403,   403),
    "mutualaid:report_detail [B's]":            (LOGIN, 403,   403,   403,   403,   403,   404,   404,   403,   403),
    "mutualaid:lift_suspension":                (LOGIN, 403,   403,   403,   403,   403,   DONE,  DONE,  403,   403),
    "mutualaid:lift_suspension [B's]":          (LOGIN, 403,   403,   403,   403,   403,   404,   404,   403,   403),
    # Follow-up and announcements: the queue, a request's page and the announcements for A's
    # moderators, the figures for whoever reads A's dashboards; anyone signed in chooses what they
    # receive; rita's unsubscribe link works for whoever holds it, on A's host only.
    "mutualaid:follow_up":                      (LOGIN, 403,   403,   403,   403,   403,   200,   200,   403,   403),
    "mutualaid:follow_up_request":              (LOGIN, 403,   403,   403,   403,   403,   200,   200,   403,   403),
    "mutualaid:follow_up_request [sensitive]":  (LOGIN, 403,   403,   403,   403,   403,   200,   200,   403,   403),
    "mutualaid:follow_up_request [B's]":        (LOGIN, 403,   403,   403,   403,   403,   404,   404,   403,   403),
    "mutualaid:follow_up_figures":              (LOGIN, 403,   403,   403,   403,   403,   200,   200,   403,   403),
    "mutualaid:announcements":                  (LOGIN, 403,   403,   403,   403,   403,   200,   200,   403,   403),
    "mutualaid:announcement_edit":              (LOGIN, 403,   403,   403,   403,   403,   200,   200,   403,   403),
    "mutualaid:announcement_edit [B's]":        (LOGIN, 403,   403,   403,   403,   403,   404,   404,   403,   403),
    "mutualaid:announcement_preferences":       (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:announcements_unsubscribe":      (200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:announcements_unsubscribe [B's]": (404,  404,   404,   404,   404,   404,   404,   404,   404,   404),
    # Alerts of new posts: anyone signed in keeps theirs; an alert (rita's) is deleted by its person
    # only, or by whoever holds the link of its e-mails, on A's host only (B's link is refused as sent).
    "mutualaid:alerts":                         (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:alert_delete":                   (LOGIN, DONE,  404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:alert_delete [B's]":             (LOGIN, 404,   404,   404,   404,   404,   404,   404,   404,   404),
    "mutualaid:alerts_unsubscribe":             (200,   200,   200,   200,   200,   200,   200,   200,   200,   200),
    "mutualaid:alerts_unsubscribe [B's]":       (400,   400,   400,   400,   400,   400,   400,   400,   400,   400),
}
# fmt: on


# The world ----------------------------------------------------------------------------------------


@dataclass
class Side:
    """One collectivité's network: its posts, a conversation, a block, a report, a suspension, an
    announcement, an unsubscribe link, a neighbourhood and an alert."""

    posts: dict
    conversation: Conversation
    block: Block
    report: Report
    suspension: Suspension
    announcement: Announcement
    unsubscribe_token: str
    neighbourhood: Neighbourhood
    alert: Alert


@pytest.fixture
def people(personas):
    a, b = personas.a, personas.b
    return SimpleNamespace(
        resident=UserFactory(email="rita@example.org", first_name="Rita"),
        author=UserFactory(email="ada@example.org", first_name="Ada"),
        vetted=UserFactory(email="victor@example.org", first_name="Victor"),
        blocked=UserFactory(email="blaise@example.org", first_name="Blaise"),
        suspended=UserFactory(email="suzy@example.org", first_name="Suzy"),
        a_moderator=a.moderator,
        a_admin=a.admin,
        b_moderator=b.moderator,
        outsider=personas.outsider,
    )


def users(people) -> dict:
    return {
        "anon": None,
        "resident": people.resident,
        "author": people.author,
        "vetted": people.vetted,
        "blocked": people.blocked,
        "suspended": people.suspended,
        "A.mod": people.a_moderator,
        "A.adm": people.a_admin,
        "B.mod": people.b_moderator,
        "outsider": people.outsider,
    }


def side_a(personas, people) -> Side:
    a = personas.a
    open_network(a.tenant, actor=a.admin, pre_moderation=PreModeration.SENSITIVE)
    sensitive = approved(write(a.tenant, people.author, slug="garde-enfants", title=SENSITIVE), a.moderator)
    ordinary = write(a.tenant, people.author, title=ORDINARY)
    open_network(a.tenant, actor=a.admin, pre_moderation=PreModeration.EVERYTHING)
    pending = write(a.tenant, people.author, slug="demarches", title=PENDING)
    actions.vet_volunteer(collectivite=a.tenant, user=people.vetted, actor=a.moderator)
    conversation = conversations.start(post=ordinary, person=people.resident, text="Je peux vous aider samedi.")
    block = safety.block(collectivite=a.tenant, blocker=people.author, blocked=people.blocked)
    # Suzy harassed ada; ada reported her, a moderator suspended her.
    report = safety.report(collectivite=a.tenant, reporter=people.author, person=people.suspended, reason="harassment")
    safety.decide(report=report, moderator=a.moderator, decision=ReportDecision.SUSPEND, note="Insultes.")
    preference = announcements.set_preference(collectivite=a.tenant, user=people.resident, choice="all")
    return Side(
        posts={"": ordinary, "[sensitive]": sensitive, "[pending]": pending},
        conversation=conversation,
        block=block,
        report=Report.objects.get(pk=report.pk),
        suspension=Suspension.objects.get(collectivite=a.tenant, user=people.suspended),
        announcement=Announcement.objects.create(collectivite=a.tenant, title="Pharmacies de garde", text="Dimanche."),
        unsubscribe_token=announcements.unsubscribe_token(preference),
        neighbourhood=Neighbourhood.objects.create(
            collectivite=a.tenant, commune_id=STRASBOURG, name="Neudorf", latitude=48.57, longitude=7.76
        ),
        alert=alerts.save_alert(
            collectivite=a.tenant, user=people.resident, commune=Commune.objects.get(pk=STRASBOURG), frequency="daily"
        ),
    )


def side_b(personas) -> Side:
    b = personas.b
    open_network(b.tenant, actor=b.admin, pre_moderation=PreModeration.SENSITIVE)
    post = write(b.tenant, b.donor, commune=METZ, title=THEIRS)
    conversation = conversations.start(post=post, person=b.owner, text="Je passe demain.")
    preference = announcements.set_preference(collectivite=b.tenant, user=b.owner, choice="all")
    return Side(
        posts={"": post, "[sensitive]": post, "[pending]": post},
        conversation=conversation,
        block=safety.block(collectivite=b.tenant, blocker=b.donor, blocked=b.owner),
        report=safety.report(collectivite=b.tenant, reporter=b.owner, post=post, reason="spam"),
        suspension=Suspension.objects.create(collectivite=b.tenant, user=b.finance),
        announcement=Announcement.objects.create(collectivite=b.tenant, title="Marché de Noël", text="Samedi."),
        unsubscribe_token=announcements.unsubscribe_token(preference),
        neighbourhood=Neighbourhood.objects.create(
            collectivite=b.tenant, commune_id=METZ, name="Sablon", latitude=49.10, longitude=6.18
        ),
        alert=alerts.save_alert(
            collectivite=b.tenant, user=b.owner, commune=Commune.objects.get(pk=METZ), frequency="daily"
        ),
    )


@pytest.fixture
def world(personas, people):
    return {"A": side_a(personas, people), "B": side_b(personas)}


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Ten people answer or report the same post in one row: the matrix asks who may, the
    conversation and safety tests how often."""
    settings.RATELIMIT_ENABLE = False


def request_for(row: str, world) -> tuple[str, str, dict]:
    """(method, path, data) of each row."""
    name, _, whose = row.partition(" ")
    side = world["B" if whose == "[B's]" else "A"]
    post = side.posts.get(whose, side.posts[""])
    conversation = side.conversation
    get = {
        "mutualaid:post": [post.pk],
        "mutualaid:category_edit": [side.posts["[sensitive]"].category.pk],
        "mutualaid:conversation_start": [post.pk],
        "mutualaid:conversation": [conversation.pk],
        "mutualaid:report_post": [post.pk],
        "mutualaid:private_note": [post.pk],
        "mutualaid:report_message": [conversation.messages.get().pk],
        "mutualaid:report_person": [conversation.pk],
        "mutualaid:report_detail": [side.report.pk],
        "mutualaid:follow_up_request": [post.pk],
        "mutualaid:announcement_edit": [side.announcement.pk],
        "mutualaid:announcements_unsubscribe": [side.unsubscribe_token],
        "mutualaid:neighbourhood_edit": [side.neighbourhood.pk],
        "mutualaid:alerts_unsubscribe": [alerts.unsubscribe_token(side.alert)],
    }
    post_only = {
        "mutualaid:move": ([post.pk], {"action": "close"}),
        "mutualaid:moderate_post": ([side.posts["[pending]"].pk], {"decision": "approve"}),
        "mutualaid:conversation_share": ([conversation.pk], {}),
        "mutualaid:conversation_close": ([conversation.pk], {}),
        "mutualaid:block": ([conversation.pk], {}),
        "mutualaid:block_author": ([post.pk], {}),
        "mutualaid:unblock": ([side.block.pk], {}),
        "mutualaid:lift_suspension": ([side.suspension.pk], {}),
        "mutualaid:alert_delete": ([side.alert.pk], {}),
    }
    if name in post_only:
        args, data = post_only[name]
        return ("post", reverse(name, args=args), data)
    return ("get", reverse(name, args=get.get(name, [])), {})


def outcome(response):
    if response.status_code != 302:
        return response.status_code
    if response["Location"].startswith(reverse("account_login") + "?next="):
        return LOGIN
    refused = any(m.level >= message_levels.ERROR for m in get_messages(response.wsgi_request))
    return "302 with an error message" if refused else DONE


def ask(client, method, path, data):
    """The outcome of one request, with every change it made rolled back."""
    with transaction.atomic():
        response = getattr(client, method)(path, data)
        result = outcome(response)
        if result == LOGIN:
            assert unquote(response["Location"]).endswith("?next=" + path), response["Location"]
        transaction.set_rollback(True)
    return result


# The matrix covers the network --------------------------------------------------------------------


def mutual_aid_views() -> set[str]:
    return {
        f"{mutualaid_urls.app_name}:{entry.name}"
        for entry in mutualaid_urls.urlpatterns
        if isinstance(entry, URLPattern) and entry.name
    }


def test_every_mutual_aid_view_has_a_row():
    rows = {row.partition(" ")[0] for row in MATRIX}
    assert sorted(mutual_aid_views() - rows) == [], "mutual-aid views without a row in MATRIX"
    assert sorted(rows - mutual_aid_views() - {"api:mutualaid_posts"}) == [], "rows for views that do not exist"
    assert reverse("api:mutualaid_posts")  # the API's list is still there


def test_matrix_rows_have_a_cell_per_persona():
    assert {row: len(cells) for row, cells in MATRIX.items() if len(cells) != len(PERSONAS)} == {}


# The policy ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", MATRIX)
def test_policy(row, personas, people, client_for, world):
    method, path, data = request_for(row, world)
    expected = dict(zip(PERSONAS, MATRIX[row], strict=True))
    actual = {persona: ask(client_for(personas.a, user), method, path, data) for persona, user in users(people).items()}
    wrong = {persona: f"expected {expected[persona]}, got {actual[persona]}" for persona in PERSONAS}
    assert actual == expected, {p: w for p, w in wrong.items() if actual[p] != expected[p]}


def test_post_only_actions_refuse_get(personas, people, client_for, world):
    for row in MATRIX:
        method, path, _ = request_for(row, world)
        if method == "post":
            for user in (None, people.author, people.a_moderator):
                assert client_for(personas.a, user).get(path).status_code == 405, (row, user)


# What the pages say -------------------------------------------------------------------------------

# Who reads the sensitive request in the network's list.
SEES_SENSITIVE = {"author": False, "vetted": True, "A.mod": True, "A.adm": True}


def page(client, name) -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def markers_text(client) -> str:
    """The markers' popups ("title — place"), one a line."""
    response = client.get(reverse("mutualaid:markers"))
    assert response.status_code == 200
    return "\n".join(marker[3] for marker in json.loads(response.content)["markers"])


def titles_of_api(client) -> set[str]:
    response = client.get(reverse("api:mutualaid_posts"), {"per_page": 200})
    assert response.status_code == 200
    return {post["title"] for post in response.json()["results"]}


def test_the_list_shows_the_sensitive_request_to_vetted_volunteers_and_moderators_only(
    personas, people, client_for, world
):
    for persona, user in users(people).items():
        listed = page(client_for(personas.a, user), "mutualaid:network")
        # The author's own sensitive request is on her "my posts" page; the list is what the network sees.
        assert (SENSITIVE in listed) == SEES_SENSITIVE.get(persona, False), persona
        assert PENDING not in listed, persona
        assert THEIRS not in listed, persona
        assert (ORDINARY in listed) == (persona != "blocked"), persona
        assert ("garde-enfants" in listed) == SEES_SENSITIVE.get(persona, False), persona  # nor as a filter
        if not SEES_SENSITIVE.get(persona, False):  # nor when asked for by its category
            filtered = client_for(personas.a, user).get(reverse("mutualaid:network"), {"category": "garde-enfants"})
            assert SENSITIVE not in filtered.content.decode(), persona


def test_the_markers_never_show_the_sensitive_request(personas, people, client_for, world):
    """The markers are the public list (one answer for everyone, which may be cached): neither the
    sensitive request nor one waiting for review is on the map, even for whom may read them."""
    for persona, user in users(people).items():
        shown = markers_text(client_for(personas.a, user))
        assert SENSITIVE not in shown and PENDING not in shown and THEIRS not in shown, persona
        assert (ORDINARY in shown) == (persona != "blocked"), persona


def test_the_api_never_gives_the_sensitive_request(personas, people, client_for, world):
    for persona, user in users(people).items():
        titles = titles_of_api(client_for(personas.a, user))
        assert titles == {ORDINARY}, persona
        body = client_for(personas.a, user).get(reverse("api:mutualaid_posts")).content.decode()
        assert "Garde de L" not in body and "garde-enfants" not in body, persona
        asked = client_for(personas.a, user).get(reverse("api:mutualaid_posts"), {"category": "garde-enfants"})
        assert asked.status_code == 200 and asked.json()["results"] == [], persona
    assert titles_of_api(client_for(personas.b, people.a_moderator)) == {THEIRS}


def test_the_blocked_person_neither_sees_nor_reaches_the_author(personas, people, client_for, world):
    blaise = client_for(personas.a, people.blocked)
    ordinary = world["A"].posts[""]
    assert ORDINARY not in page(blaise, "mutualaid:network")
    assert ORDINARY not in markers_text(blaise)
    assert blaise.get(reverse("mutualaid:post", args=[ordinary.pk])).status_code == 404
    start = reverse("mutualaid:conversation_start", args=[ordinary.pk])
    assert blaise.get(start).status_code == 404
    assert blaise.post(start, {"text": "Je peux aider."}).status_code == 404
    assert not Conversation.objects.filter(person=people.blocked).exists()
    with pytest.raises(ActionError) as refused:
        conversations.start(post=ordinary, person=people.blocked, text="Je peux aider.")
    assert refused.value.code == "blocked"
    # Once unblocked, the author's posts are his to read again.
    safety.unblock(block=world["A"].block, actor=people.author)
    assert ORDINARY in page(blaise, "mutualaid:network")
    assert blaise.get(reverse("mutualaid:post", args=[ordinary.pk])).status_code == 200


def test_a_suspended_person_can_neither_post_nor_answer(personas, people, client_for, world):
    SUSPENDED = translated(
        "A moderator suspended your participation in this mutual-aid network: you cannot post or write."
    )
    a = personas.a
    suzy = client_for(a, people.suspended)
    ordinary = world["A"].posts[""]
    before = Post.objects.count()
    form = {
        "kind": "request",
        "category": ordinary.category.pk,
        "title": "Encore moi",
        "text": "Elle ne peut pas sortir cette semaine.",
        "urgency": "today",
        "commune_text": "Strasbourg",
    }
    sent = suzy.post(reverse("mutualaid:new_post"), form)
    assert sent.status_code == 400 and Post.objects.count() == before
    assert SUSPENDED in page_text(sent)
    answered = suzy.post(reverse("mutualaid:conversation_start", args=[ordinary.pk]), {"text": "Bonjour"})
    assert answered.status_code == 400 and SUSPENDED in page_text(answered)
    assert not Conversation.objects.filter(person=people.suspended).exists()
    # The same form goes through for the resident: only the suspension refused it.
    assert outcome(client_for(a, people.resident).post(reverse("mutualaid:new_post"), form)) == DONE


def test_the_resident_and_the_outsider_cannot_answer_the_sensitive_request(personas, people, client_for, world):
    sensitive = world["A"].posts["[sensitive]"]
    start = reverse("mutualaid:conversation_start", args=[sensitive.pk])
    for user in (people.resident, people.outsider, people.blocked, people.suspended, people.b_moderator):
        assert client_for(personas.a, user).post(start, {"text": "Je peux garder Léa."}).status_code == 404
        assert (
            client_for(personas.a, user)
            .post(reverse("mutualaid:report_post", args=[sensitive.pk]), {"reason": "spam"})
            .status_code
            == 404
        )
    assert not Conversation.objects.filter(post=sensitive).exists()
    assert not Report.objects.filter(post=sensitive).exists()
    answered = client_for(personas.a, people.vetted).post(start, {"text": "Je peux garder Léa."})
    assert outcome(answered) == DONE
    assert Conversation.objects.filter(post=sensitive, person=people.vetted).exists()


def test_a_removed_volunteer_no_longer_reads_the_sensitive_request(personas, people, client_for, world):
    sensitive = world["A"].posts["[sensitive]"]
    volunteer = Volunteer.objects.get(collectivite=personas.a.tenant, user=people.vetted)
    actions.remove_volunteer(volunteer=volunteer, actor=people.a_moderator)
    victor = client_for(personas.a, people.vetted)
    assert victor.get(reverse("mutualaid:post", args=[sensitive.pk])).status_code == 404
    assert SENSITIVE not in page(victor, "mutualaid:network")


def test_vetting_in_a_gives_nothing_in_b(personas, people, client_for, world):
    """A volunteer vetted by A, or A's moderator, is nobody in particular on B's host; B's moderator
    on her own host reaches none of A's objects."""
    b = personas.b
    b_sensitive = approved(
        write(b.tenant, b.donor, slug="garde-enfants", commune=METZ, title="Garde à Metz"), b.moderator
    )
    for user in (people.vetted, people.a_moderator):
        client = client_for(b, user)
        assert client.get(reverse("mutualaid:post", args=[b_sensitive.pk])).status_code == 404
        assert "Garde à Metz" not in page(client, "mutualaid:network")
    mia = client_for(b, people.b_moderator)
    assert mia.get(reverse("mutualaid:post", args=[b_sensitive.pk])).status_code == 200
    a = world["A"]
    for name, args in (
        ("mutualaid:post", [a.posts["[sensitive]"].pk]),
        ("mutualaid:post", [a.posts["[pending]"].pk]),
        ("mutualaid:conversation", [a.conversation.pk]),
        ("mutualaid:report_detail", [a.report.pk]),
        ("mutualaid:follow_up_request", [a.posts[""].pk]),
        ("mutualaid:announcement_edit", [a.announcement.pk]),
    ):
        assert mia.get(reverse(name, args=args)).status_code == 404, name
    assert mia.post(reverse("mutualaid:lift_suspension", args=[a.suspension.pk])).status_code == 404
    assert (
        mia.post(
            reverse("mutualaid:moderate_post", args=[a.posts["[pending]"].pk]), {"decision": "approve"}
        ).status_code
        == 404
    )
    assert SENSITIVE not in page(mia, "mutualaid:network") and ORDINARY not in page(mia, "mutualaid:network")
    assert "suzy@example.org" not in page(mia, "mutualaid:reports")
    # Nothing of A changed.
    assert Suspension.objects.get(pk=a.suspension.pk).lifted_at is None
    assert Post.objects.get(pk=a.posts["[pending]"].pk).moderation == "pending"


def test_alerts_tell_of_the_sensitive_request_only_who_may_read_it(personas, people, client_for, world):
    """An alert is sent through the list's rules: the sensitive request reaches the vetted
    volunteer and A's moderators only, the author's posts never reach whom she blocked, nor
    anything a suspended person (rita's alert is in the world already)."""
    strasbourg = Commune.objects.get(pk=STRASBOURG)
    for persona, user in users(people).items():
        if persona not in ("anon", "resident"):
            alerts.save_alert(collectivite=personas.a.tenant, user=user, commune=strasbourg, frequency="immediate")
    told = {
        name: {
            persona for persona, user in users(people).items() if user in {a.user for a in alerts.matching_alerts(post)}
        }
        for name, post in (("ordinary", world["A"].posts[""]), ("sensitive", world["A"].posts["[sensitive]"]))
    }
    assert told["sensitive"] == {"vetted", "A.mod", "A.adm"}
    assert told["ordinary"] == {"resident", "vetted", "A.mod", "A.adm", "B.mod", "outsider"}
    # Nor may anyone else ask for the sensitive category in an alert.
    childcare = world["A"].posts["[sensitive]"].category
    for user in (people.resident, people.outsider, people.b_moderator):
        with pytest.raises(ActionError):
            alerts.save_alert(
                collectivite=personas.a.tenant, user=user, commune=strasbourg, categories=[childcare], frequency="daily"
            )
    page_of_alerts = page(client_for(personas.a, people.resident), "mutualaid:alerts")
    assert f'value="{childcare.pk}"' not in page_of_alerts
    assert f'value="{childcare.pk}"' in page(client_for(personas.a, people.vetted), "mutualaid:alerts")
