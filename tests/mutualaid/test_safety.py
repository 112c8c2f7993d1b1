"""Safety (issue 12, item 5): any signed-in participant reports a post, a message or a person
(reason from a list, and text), once while it is open, rate-limited; blocks a person, who can then
neither start a conversation with them, nor write in theirs, nor see their posts (list, page,
markers), and unblocks. Moderators have a queue of reports, read the reported content — a reported
message opens its conversation to them, only through the report — and decide: hide (from everyone
but moderators), warn (an e-mail), suspend (after a confirmation: no more posting or writing in
this network until lifted), dismiss; each decision audited and the reporter told by e-mail.
Another collectivité's reports are not found."""

import pytest
from django.core import mail
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError
from solidaire.mutualaid import conversations, safety
from solidaire.mutualaid.models import Block, PreModeration, Report, ReportDecision, Suspension

from ..accounts.helpers import page_text, translated
from .helpers import METZ, open_network, write

pytestmark = pytest.mark.django_db

ALREADY = "You already reported this: a moderator will read your report."
ACTED = "They found it against the network’s rules and acted on it. For the privacy of everyone involved, we do not say more."
NOTHING = "They found nothing against the network’s rules this time. If it happens again, report it again: every report is read."
WARNING = (
    "This is a warning: please respect the network’s rules — kindness, no pressure, no advertising, nobody’s "
    "personal details. Another report may lead to a suspension."
)


@pytest.fixture
def post(personas):
    """Dora asks for groceries on Région Grand Est's network."""
    open_network(personas.a.tenant, pre_moderation=PreModeration.SENSITIVE)
    return write(personas.a.tenant, personas.a.donor, title="Courses pour ma voisine")


@pytest.fixture
def talk(post, personas):
    """Otto answered Dora's request."""
    return conversations.start(post=post, person=personas.outsider, text="Donnez-moi votre argent.")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    def send(do):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = do()
        return result, mail.outbox[before:]

    return send


def report_post(personas, post, reason="scam", text="Demande de l’argent."):
    return safety.report(
        collectivite=personas.a.tenant, reporter=personas.outsider, post=post, reason=reason, text=text
    )


# Reporting ----------------------------------------------------------------------------------------


def test_a_signed_in_person_reports_a_post_with_a_reason_and_text(post, personas, client_for):
    otto = client_for(personas.a, personas.outsider)
    url = reverse("mutualaid:report_post", args=[post.pk])
    assert url in otto.get(reverse("mutualaid:post", args=[post.pk])).content.decode()
    page = otto.get(url)
    assert page.status_code == 200 and 'value="harassment"' in page.content.decode()
    response = otto.post(url, {"reason": "scam", "text": "Elle demande de l’argent."})
    assert response.status_code == 302 and response["Location"] == reverse("mutualaid:post", args=[post.pk])
    report = Report.objects.get()
    assert (report.collectivite, report.reporter, report.post, report.person) == (
        personas.a.tenant,
        personas.outsider,
        post,
        personas.a.donor,
    )
    assert (report.target, report.reason, report.text, report.decision) == (
        "post",
        "scam",
        "Elle demande de l’argent.",
        "",
    )
    event = AuditEvent.objects.get(action="mutualaid.report_made")
    assert (event.actor, event.data) == (personas.outsider, {"target": "post", "reason": "scam"})
    # Once while it is open.
    again = otto.post(url, {"reason": "spam"})
    assert again.status_code == 400 and translated(ALREADY) in page_text(again)
    assert Report.objects.count() == 1


def test_a_report_needs_a_reason_from_the_list(post, personas, client_for):
    otto = client_for(personas.a, personas.outsider)
    url = reverse("mutualaid:report_post", args=[post.pk])
    assert otto.post(url, {"reason": "bored"}).status_code == 400
    assert otto.post(url, {"text": "Sans raison"}).status_code == 400
    assert not Report.objects.exists()


def test_anonymous_visitors_and_the_author_cannot_report_a_post(post, personas, client_for):
    url = reverse("mutualaid:report_post", args=[post.pk])
    assert client_for(personas.a).get(url)["Location"].startswith(reverse("account_login"))
    assert client_for(personas.a, personas.a.donor).get(url).status_code == 404
    assert (
        "report_post"
        not in client_for(personas.a, personas.a.donor).get(reverse("mutualaid:post", args=[post.pk])).content.decode()
    )


def test_a_participant_reports_a_message_written_to_them_and_the_other_person(talk, personas, client_for):
    dora = client_for(personas.a, personas.a.donor)
    message = talk.messages.get()
    page = dora.get(reverse("mutualaid:conversation", args=[talk.pk])).content.decode()
    assert reverse("mutualaid:report_message", args=[message.pk]) in page
    assert reverse("mutualaid:report_person", args=[talk.pk]) in page
    response = dora.post(reverse("mutualaid:report_message", args=[message.pk]), {"reason": "scam"})
    assert response.status_code == 302
    response = dora.post(reverse("mutualaid:report_person", args=[talk.pk]), {"reason": "harassment"})
    assert response.status_code == 302
    assert sorted(Report.objects.values_list("target", "key", "person")) == [
        ("message", f"message:{message.pk}", personas.outsider.pk),
        ("person", f"person:{personas.outsider.pk}", personas.outsider.pk),
    ]
    # Not one's own message; not a conversation one is not in.
    assert (
        client_for(personas.a, personas.outsider)
        .get(reverse("mutualaid:report_message", args=[message.pk]))
        .status_code
        == 404
    )
    for stranger in (personas.a.owner, personas.a.moderator):
        client = client_for(personas.a, stranger)
        assert client.get(reverse("mutualaid:report_message", args=[message.pk])).status_code == 404
        assert client.get(reverse("mutualaid:report_person", args=[talk.pk])).status_code == 404


def test_reports_are_rate_limited_per_person(personas, post, monkeypatch, settings):
    monkeypatch.setitem(settings.SOLIDAIRE_MUTUAL_AID_RATES, "report", "2/h")
    a = personas.a
    posts = [post, *(write(a.tenant, a.donor, title=f"Courses {i}") for i in range(2))]
    report_post(personas, posts[0])
    report_post(personas, posts[1])
    with pytest.raises(ActionError) as refused:
        report_post(personas, posts[2])
    assert refused.value.code == "rate_limited"
    assert Report.objects.count() == 2


# Blocking -----------------------------------------------------------------------------------------


def test_a_blocked_person_is_refused_everywhere(talk, post, personas, client_for):
    a = personas.a
    dora = client_for(a, a.donor)
    otto = client_for(a, personas.outsider)
    response = dora.post(reverse("mutualaid:block", args=[talk.pk]))
    assert response.status_code == 302
    block = Block.objects.get()
    assert (block.collectivite, block.blocker, block.blocked) == (a.tenant, a.donor, personas.outsider)
    assert AuditEvent.objects.filter(action="mutualaid.person_blocked", actor=a.donor).exists()

    # Dora's posts: not in the list, not on the map, not found.
    other_post = write(a.tenant, a.donor, title="Un trajet jeudi")
    assert "Un trajet jeudi" not in otto.get(reverse("mutualaid:network")).content.decode()
    markers = otto.get(reverse("mutualaid:markers"))
    assert other_post.pk not in [m[0] for m in markers.json()["markers"]]
    assert "no-store" in markers["Cache-Control"]
    assert otto.get(reverse("mutualaid:post", args=[other_post.pk])).status_code == 404
    assert otto.get(reverse("mutualaid:conversation_start", args=[other_post.pk])).status_code == 404
    # Others still see them, and the markers of others stay cacheable.
    assert "Un trajet jeudi" in client_for(a).get(reverse("mutualaid:network")).content.decode()
    public = client_for(a, a.owner).get(reverse("mutualaid:markers"))
    assert other_post.pk in [m[0] for m in public.json()["markers"]] and "public" in public["Cache-Control"]
    # No conversation, on the platform or by the write path (which the e-mail relay uses).
    url = reverse("mutualaid:conversation", args=[talk.pk])
    assert otto.post(url, {"text": "Répondez !"}).status_code == 400
    with pytest.raises(ActionError) as refused:
        conversations.start(post=other_post, person=personas.outsider, text="Bonjour")
    assert refused.value.code == "blocked"
    with pytest.raises(ActionError):
        conversations.write(conversation=talk, author=a.donor, text="Au revoir")
    assert talk.messages.count() == 1

    # Unblocking.
    page = dora.get(reverse("mutualaid:blocks")).content.decode()
    assert reverse("mutualaid:unblock", args=[block.pk]) in page
    assert otto.post(reverse("mutualaid:unblock", args=[block.pk])).status_code == 404  # not his
    assert dora.post(reverse("mutualaid:unblock", args=[block.pk])).status_code == 302
    assert not Block.objects.exists()
    assert otto.get(reverse("mutualaid:post", args=[other_post.pk])).status_code == 200
    assert otto.post(url, {"text": "Merci"}).status_code == 302


def test_a_block_is_per_collectivite(talk, personas, client_for):
    safety.block(collectivite=personas.a.tenant, blocker=personas.a.donor, blocked=personas.outsider)
    assert safety.blocked_between(personas.a.tenant, personas.outsider, personas.a.donor)
    assert not safety.blocked_between(personas.b.tenant, personas.outsider, personas.a.donor)
    b_block = safety.block(collectivite=personas.b.tenant, blocker=personas.b.donor, blocked=personas.outsider)
    assert (
        client_for(personas.a, personas.b.donor).post(reverse("mutualaid:unblock", args=[b_block.pk])).status_code
        == 404
    )


# Moderators ---------------------------------------------------------------------------------------


def test_the_queue_shows_the_open_reports_of_this_collectivite_only(post, personas, client_for):
    report = report_post(personas, post)
    open_network(personas.b.tenant)
    b_post = write(personas.b.tenant, personas.b.donor, commune=METZ, title="Courses à Metz")
    b_report = safety.report(collectivite=personas.b.tenant, reporter=personas.outsider, post=b_post, reason="spam")
    mona = client_for(personas.a, personas.a.moderator)
    queue = mona.get(reverse("mutualaid:reports")).content.decode()
    assert reverse("mutualaid:report_detail", args=[report.pk]) in queue and "Courses à Metz" not in queue
    assert mona.get(reverse("mutualaid:report_detail", args=[b_report.pk])).status_code == 404
    # B's moderator on A's host is refused; on B's host, A's report is not found.
    assert client_for(personas.a, personas.b.moderator).get(reverse("mutualaid:reports")).status_code == 403
    mia = client_for(personas.b, personas.b.moderator)
    assert mia.get(reverse("mutualaid:report_detail", args=[report.pk])).status_code == 404
    assert mia.post(reverse("mutualaid:report_detail", args=[report.pk]), {"decision": "hide"}).status_code == 404
    assert Report.objects.get(pk=report.pk).is_open
    # Other team roles and residents are refused.
    assert client_for(personas.a, personas.a.viewer).get(reverse("mutualaid:reports")).status_code == 403
    assert client_for(personas.a, personas.a.donor).get(reverse("mutualaid:reports")).status_code == 403


def test_a_reported_message_opens_its_conversation_to_the_moderator_only_through_the_report(talk, personas, client_for):
    conversations.write(
        conversation=talk, author=personas.a.donor, text="Non merci, écrivez-moi à dora.perso@example.net"
    )
    message = talk.messages.first()
    report = safety.report(collectivite=personas.a.tenant, reporter=personas.a.donor, message=message, reason="scam")
    mona = client_for(personas.a, personas.a.moderator)
    page = mona.get(reverse("mutualaid:report_detail", args=[report.pk])).content.decode()
    assert "Donnez-moi votre argent." in page and "Non merci" in page
    assert "dora.perso@example.net" not in page  # masked as the participants see it
    assert mona.get(reverse("mutualaid:conversation", args=[talk.pk])).status_code == 404


def test_hiding_a_post_hides_it_from_everyone_but_moderators_and_tells_the_reporter(post, personas, client_for, sent):
    report = report_post(personas, post)
    mona = client_for(personas.a, personas.a.moderator)
    response, emails = sent(
        lambda: mona.post(reverse("mutualaid:report_detail", args=[report.pk]), {"decision": "hide"})
    )
    assert response.status_code == 302 and response["Location"] == reverse("mutualaid:reports")
    report.refresh_from_db()
    assert (report.decision, report.decided_by) == ("hide", personas.a.moderator)
    event = AuditEvent.objects.get(action="mutualaid.report_decided")
    assert (event.actor, event.data) == (personas.a.moderator, {"target": "post", "decision": "hide"})
    (email,) = emails
    assert email.to == [personas.outsider.email]
    assert translated(ACTED, personas.outsider.language) in email.body and "Courses pour ma voisine" in email.body
    assert "http://" in email.body or "https://" in email.body
    post_url = reverse("mutualaid:post", args=[post.pk])
    for user in (None, personas.outsider, personas.a.donor, personas.a.owner):
        client = client_for(personas.a, user)
        assert client.get(post_url).status_code == 404, user
        assert "Courses pour ma voisine" not in client.get(reverse("mutualaid:network")).content.decode()
        assert post.pk not in [m[0] for m in client.get(reverse("mutualaid:markers")).json()["markers"]]
    assert mona.get(post_url).status_code == 200
    # Decided once.
    again = mona.post(reverse("mutualaid:report_detail", args=[report.pk]), {"decision": "dismiss"})
    assert again.status_code == 400
    assert Report.objects.get(pk=report.pk).decision == "hide"


def test_hiding_a_message_hides_it_in_the_conversation(talk, personas, client_for):
    message = talk.messages.get()
    report = safety.report(collectivite=personas.a.tenant, reporter=personas.a.donor, message=message, reason="scam")
    safety.decide(report=report, moderator=personas.a.moderator, decision=ReportDecision.HIDE)
    for user in (personas.a.donor, personas.outsider):
        page = client_for(personas.a, user).get(reverse("mutualaid:conversation", args=[talk.pk])).content.decode()
        assert "Donnez-moi votre argent." not in page and translated("A moderator hid this message.") in page


def test_a_person_cannot_be_hidden(talk, personas):
    report = safety.report(
        collectivite=personas.a.tenant, reporter=personas.a.donor, person=personas.outsider, reason="harassment"
    )
    with pytest.raises(ActionError):
        safety.decide(report=report, moderator=personas.a.moderator, decision=ReportDecision.HIDE)
    assert Report.objects.get(pk=report.pk).is_open


def test_warning_emails_the_person_and_the_reporter(post, personas, client_for, sent):
    report = report_post(personas, post)
    mona = client_for(personas.a, personas.a.moderator)
    url = reverse("mutualaid:report_detail", args=[report.pk])
    _response, emails = sent(lambda: mona.post(url, {"decision": "warn", "note": "Pas d’argent ici."}))
    by_address = {email.to[0]: email for email in emails}
    assert set(by_address) == {personas.a.donor.email, personas.outsider.email}
    assert translated(WARNING, personas.a.donor.language) in by_address[personas.a.donor.email].body
    assert "Pas d’argent ici." in by_address[personas.a.donor.email].body
    assert personas.outsider.email not in by_address[personas.a.donor.email].body  # who reported is not said
    assert not Suspension.objects.exists()


def test_suspending_asks_for_a_confirmation_then_refuses_the_person_until_lifted(
    talk, post, personas, client_for, sent
):
    a = personas.a
    report = safety.report(collectivite=a.tenant, reporter=a.donor, person=personas.outsider, reason="harassment")
    mona = client_for(a, a.moderator)
    url = reverse("mutualaid:report_detail", args=[report.pk])
    confirm = mona.post(url, {"decision": "suspend", "note": "Menaces."})
    assert confirm.status_code == 200 and 'name="confirm" value="yes"' in confirm.content.decode()
    assert Report.objects.get(pk=report.pk).is_open and not Suspension.objects.exists()

    _response, emails = sent(lambda: mona.post(url, {"decision": "suspend", "note": "Menaces.", "confirm": "yes"}))
    suspension = Suspension.objects.get()
    assert (suspension.collectivite, suspension.user, suspension.report) == (a.tenant, personas.outsider, report)
    assert {email.to[0] for email in emails} == {a.donor.email, personas.outsider.email}
    suspended = translated("Your participation in the mutual-aid network is suspended", personas.outsider.language)
    assert suspended in next(e for e in emails if e.to == [personas.outsider.email]).subject

    otto = client_for(a, personas.outsider)
    assert otto.post(reverse("mutualaid:conversation", args=[talk.pk]), {"text": "Encore"}).status_code == 400
    with pytest.raises(ActionError) as refused:
        write(a.tenant, personas.outsider, title="Mon annonce")
    assert refused.value.code == "suspended"
    other = write(a.tenant, a.owner, title="Des trajets")
    with pytest.raises(ActionError):
        conversations.start(post=other, person=personas.outsider, text="Bonjour")
    # Only in this collectivité's network.
    open_network(personas.b.tenant)
    write(personas.b.tenant, personas.outsider, commune=METZ, title="À Metz")

    queue = mona.get(reverse("mutualaid:reports")).content.decode()
    assert reverse("mutualaid:lift_suspension", args=[suspension.pk]) in queue
    assert (
        client_for(personas.b, personas.b.moderator)
        .post(reverse("mutualaid:lift_suspension", args=[suspension.pk]))
        .status_code
        == 404
    )
    assert mona.post(reverse("mutualaid:lift_suspension", args=[suspension.pk])).status_code == 302
    assert Suspension.objects.get().lifted_by == a.moderator
    assert AuditEvent.objects.filter(action="mutualaid.suspension_lifted").count() == 1
    write(a.tenant, personas.outsider, title="Mon annonce")


def test_dismissing_tells_the_reporter_nothing_was_found(post, personas, sent):
    report = report_post(personas, post)
    _result, (email,) = sent(
        lambda: safety.decide(report=report, moderator=personas.a.moderator, decision=ReportDecision.DISMISS)
    )
    assert email.to == [personas.outsider.email] and translated(NOTHING, personas.outsider.language) in email.body
    assert client_visible(post)
    # The reporter may report it again once decided.
    report_post(personas, post)


def client_visible(post) -> bool:
    from solidaire.mutualaid.models import Post

    return Post.objects.filter(pk=post.pk).exclude(reports__decision="hide").exists()


def test_the_author_sees_their_hidden_post_marked_in_their_posts(post, personas, client_for):
    mine = reverse("mutualaid:my_posts")
    dora = client_for(personas.a, personas.a.donor)
    marked = translated("Hidden by a moderator: nobody else sees this post any more.")
    assert marked not in page_text(dora.get(mine))
    safety.decide(report=report_post(personas, post), moderator=personas.a.moderator, decision="hide")
    assert marked in page_text(dora.get(mine))


def test_a_person_blocks_a_posts_author_from_the_post_page(post, personas, client_for):
    otto = client_for(personas.a, personas.outsider)
    post_url = reverse("mutualaid:post", args=[post.pk])
    block = reverse("mutualaid:block_author", args=[post.pk])
    assert block in otto.get(post_url).content.decode()
    assert otto.get(block).status_code == 405  # a GET changes nothing
    response = otto.post(block)
    assert response.status_code == 302 and response["Location"] == reverse("mutualaid:network")
    assert Block.objects.filter(blocker=personas.outsider, blocked=personas.a.donor).exists()
    # The author can no longer reach them: Otto's posts are not found by Dora.
    ottos = write(personas.a.tenant, personas.outsider, title="Je propose du bricolage", slug="bricolage")
    dora = client_for(personas.a, personas.a.donor)
    assert dora.get(reverse("mutualaid:post", args=[ottos.pk])).status_code == 404
    # Not one's own post, nor a post one may not read.
    assert client_for(personas.a, personas.a.donor).post(block).status_code == 404
    assert client_for(personas.b, personas.outsider).post(block).status_code == 404
    assert client_for(personas.a).post(block).status_code == 302  # anonymous: sign in first
    assert Block.objects.count() == 1
