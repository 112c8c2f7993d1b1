"""“New near me” alerts (issue 12, item 3): a resident asks to be told by e-mail of new posts near a
commune — of a type, in some categories, within a distance — at once or in a daily digest. An alert
follows the list's rules (sensitive posts for vetted volunteers and moderators, blocks, hidden
posts, suspensions), never reaches the post's author, never sends a post twice; its e-mails name
the commune only and carry a signed link that deletes the alert in one button, signed out."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from solidaire.core.errors import ActionError
from solidaire.geo.models import Commune
from solidaire.mutualaid import actions, alerts, safety
from solidaire.mutualaid.models import Alert, AlertDelivery, Category, Post, PreModeration, Report, ReportDecision
from solidaire.mutualaid.tasks import send_alert_digests, send_alerts
from tests.accounts.helpers import page_text, translated
from tests.conftest import TenantClient
from tests.factories import UserFactory

from .helpers import METZ, SCHILTIGHEIM, STRASBOURG, approved, category, open_network, write

pytestmark = pytest.mark.django_db

ALERTS = reverse("mutualaid:alerts")
MULHOUSE = "68224"


@pytest.fixture
def network(personas):
    return open_network(personas.a.tenant, pre_moderation=PreModeration.SENSITIVE)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs `do` with the callbacks after commit (the tasks, the e-mails); returns the e-mails."""

    def send(do):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            do()
        return mail.outbox[before:]

    return send


def alert(personas, user, *, commune=STRASBOURG, frequency="immediate", kind="", slugs=(), km=5, side="a"):
    collectivite = getattr(personas, side).tenant
    return alerts.save_alert(
        collectivite=collectivite,
        user=user,
        kind=kind,
        categories=[category(collectivite, slug) for slug in slugs],
        commune=Commune.objects.get(pk=commune),
        distance_km=km,
        frequency=frequency,
    )


def recipients(emails) -> list[str]:
    return sorted(m.to[0] for m in emails)


# At once ------------------------------------------------------------------------------------------


def test_an_immediate_alert_is_sent_once_on_publication_and_not_to_the_author(network, personas, sent):
    a = personas.a
    alert(personas, personas.outsider)
    alert(personas, a.donor)  # the author's own alert
    post = None

    def publish():
        nonlocal post
        post = write(a.tenant, a.donor, title="Courses pour Mme Weber", commune=SCHILTIGHEIM)

    emails = sent(publish)
    assert recipients(emails) == [personas.outsider.email]
    body = emails[0].body
    assert "Courses pour Mme Weber" in emails[0].subject and "Schiltigheim" in emails[0].subject
    assert "Courses pour Mme Weber" in body and "Schiltigheim" in body
    assert f"/entraide/{post.pk}/" in body and "/entraide/alertes/arret/" in body and "/entraide/alertes/" in body
    assert AlertDelivery.objects.filter(post=post).count() == 1
    # Mail programs offer their own unsubscribe button (RFC 2369, one click: RFC 8058).
    assert emails[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/entraide/alertes/arret/" in emails[0].extra_headers["List-Unsubscribe"]

    # Never twice: the task run again (a retry) sends nothing.
    assert sent(lambda: send_alerts.delay(post.pk)) == []
    assert alerts.send_immediate(post.pk) == 0
    assert AlertDelivery.objects.filter(post=post).count() == 1


def test_a_post_waiting_for_review_is_sent_once_a_moderator_approves_it(personas, sent):
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.EVERYTHING)
    alert(personas, personas.outsider)
    post = None

    def publish():
        nonlocal post
        post = write(a.tenant, a.donor)

    assert sent(publish) == []
    emails = sent(lambda: approved(post, a.moderator))
    assert recipients(emails) == [personas.outsider.email]

    rejected = []
    sent(lambda: rejected.append(write(a.tenant, a.owner, title="Refusé")))
    assert sent(lambda: actions.decide_post(post=rejected[0], moderator=a.moderator, approve=False)) == []


def test_the_distance_counts_from_the_communes_centre(network, personas, sent):
    a, otto, dora = personas.a, personas.outsider, personas.a.donor
    near = UserFactory(email="near@example.org")
    alert(personas, near, km=2)  # Schiltigheim is 3.5 km from Strasbourg's centre
    alert(personas, otto, km=5)
    alert(personas, dora, commune=MULHOUSE, km=25)

    emails = sent(lambda: write(a.tenant, a.owner, commune=SCHILTIGHEIM))
    assert recipients(emails) == [otto.email]
    emails = sent(lambda: write(a.tenant, a.owner, commune=MULHOUSE, title="À Mulhouse"))
    assert recipients(emails) == [dora.email]
    emails = sent(lambda: write(a.tenant, a.owner, commune=STRASBOURG, title="À Strasbourg"))
    assert recipients(emails) == sorted([near.email, otto.email])

    # Metz is not in the Grand Est network's territory: a post of Metz's own network reaches
    # none of the Grand Est alerts, and a Metz alert there is refused.
    b = personas.b
    open_network(b.tenant)
    assert sent(lambda: write(b.tenant, b.donor, commune=METZ)) == []
    with pytest.raises(ActionError):
        alert(personas, otto, commune=METZ)
    far = alert(personas, UserFactory(email="metz@example.org"), commune=METZ, side="b", km=2)
    emails = sent(lambda: write(b.tenant, b.owner, commune=METZ, title="À Metz"))
    assert recipients(emails) == [far.user.email]


def test_type_and_category_filters(network, personas, sent):
    a = personas.a
    offers = UserFactory(email="offers@example.org")
    groceries = UserFactory(email="groceries@example.org")
    alert(personas, offers, kind="offer")
    alert(personas, groceries, slugs=["courses", "medicaments"])
    everything = alert(personas, personas.outsider)

    assert recipients(sent(lambda: write(a.tenant, a.owner, kind="request"))) == sorted(
        [groceries.email, everything.user.email]
    )
    assert recipients(sent(lambda: write(a.tenant, a.owner, kind="offer", slug="bricolage"))) == sorted(
        [offers.email, everything.user.email]
    )


def test_a_sensitive_post_reaches_only_vetted_volunteers_and_moderators(network, personas, sent):
    a = personas.a
    vetted = UserFactory(email="vetted@example.org")
    actions.vet_volunteer(collectivite=a.tenant, user=vetted, actor=a.moderator)
    for user in (vetted, a.moderator, personas.outsider):
        alert(personas, user)
    post = []
    assert sent(lambda: post.append(write(a.tenant, a.donor, slug="garde-enfants"))) == []  # waits for review
    emails = sent(lambda: approved(post[0], a.moderator))
    assert recipients(emails) == sorted([vetted.email, a.moderator.email])


def test_blocked_suspended_and_hidden_get_nothing(network, personas, sent):
    a = personas.a
    blocked, suspended = UserFactory(email="blocked@example.org"), UserFactory(email="suspended@example.org")
    for user in (blocked, suspended, personas.outsider):
        alert(personas, user)
    safety.block(collectivite=a.tenant, blocker=a.donor, blocked=blocked)
    report = safety.report(collectivite=a.tenant, reporter=a.owner, reason="spam", person=suspended)
    safety.decide(report=report, moderator=a.moderator, decision=ReportDecision.SUSPEND)
    emails = sent(lambda: write(a.tenant, a.donor))
    assert recipients(emails) == [personas.outsider.email]


# Daily digest -------------------------------------------------------------------------------------


def test_the_daily_digest_groups_the_new_posts_in_one_email_once(network, personas, sent):
    a, otto = personas.a, personas.outsider
    daily = alert(personas, otto, frequency="daily")
    now = timezone.now()
    assert sent(lambda: alerts.send_digests(now)) == []  # nothing new: nothing sent
    daily.refresh_from_db()
    assert daily.last_digest_at == now

    first = sent(lambda: write(a.tenant, a.donor, title="Courses du lundi", commune=SCHILTIGHEIM))
    second = sent(lambda: write(a.tenant, a.owner, title="Bricolage", kind="offer", slug="bricolage"))
    hidden = write(a.tenant, a.owner, title="Arnaque")
    Report.objects.create(
        collectivite=a.tenant, reporter=a.donor, target="post", post=hidden, person=a.owner, key="x", decision="hide"
    )
    write(a.tenant, a.owner, commune=MULHOUSE, title="Trop loin")
    assert first == [] and second == []  # a daily alert waits for its digest

    # Not due yet: an hour later nothing is sent.
    assert sent(lambda: alerts.send_digests(now + timedelta(hours=1))) == []
    later = now + timedelta(hours=24)
    emails = sent(lambda: alerts.send_digests(later))
    assert recipients(emails) == [otto.email]
    body = emails[0].body
    assert "Courses du lundi" in body and "Bricolage" in body
    assert "Arnaque" not in body and "Trop loin" not in body
    assert "2" in emails[0].subject
    assert AlertDelivery.objects.filter(alert=daily).count() == 2

    # The next day: nothing new, nothing sent; the posts already sent are not sent again.
    assert sent(lambda: alerts.send_digests(later + timedelta(hours=24))) == []
    evening = write(a.tenant, a.owner, title="Appel du soir", slug="appel-amical")
    Post.objects.filter(pk=evening.pk).update(created_at=later + timedelta(hours=30))
    emails = sent(lambda: alerts.send_digests(later + timedelta(hours=48)))
    assert len(emails) == 1 and "Appel du soir" in emails[0].body and "Courses du lundi" not in emails[0].body


def test_a_digest_missed_is_caught_up_by_the_next_run(network, personas, sent):
    a = personas.a
    alert(personas, personas.outsider, frequency="daily")
    write(a.tenant, a.donor)
    # No run for three days: the next one sends the digest.
    assert len(sent(lambda: alerts.send_digests(timezone.now() + timedelta(hours=3)))) == 1


# What the e-mails say ------------------------------------------------------------------------------


def test_emails_name_the_commune_never_a_position_and_speak_the_recipients_language(network, personas, sent):
    a = personas.a
    german = UserFactory(email="lea@example.org", language="de")
    alert(personas, german)
    post = []
    emails = sent(lambda: post.append(write(a.tenant, a.donor, postal_code="67300", commune=SCHILTIGHEIM)))
    post = post[0]
    body = emails[0].body
    assert "Schiltigheim" in body
    for secret in (str(post.latitude), str(post.longitude), f"{post.latitude:.3f}", "67300", post.text):
        assert secret not in body
    assert "/de/entraide/" in body
    assert translated("Requests and offers", "de") in body


# Unsubscribe ----------------------------------------------------------------------------------------


def test_the_unsubscribe_link_deletes_the_alert_signed_out(network, personas, client_for):
    made = alert(personas, personas.outsider)
    link = reverse("mutualaid:alerts_unsubscribe", args=[alerts.unsubscribe_token(made)])
    anonymous = client_for(personas.a)
    page = anonymous.get(link)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert Alert.objects.filter(pk=made.pk).exists()  # opening the link changes nothing
    response = anonymous.post(link)
    assert response.status_code == 200 and not Alert.objects.filter(pk=made.pk).exists()
    assert translated("Done: this alert is deleted, you will receive no more e-mails from it.") in page_text(response)
    # Opened again: it says so.
    assert anonymous.get(link).status_code == 200


def test_a_mail_programs_one_click_post_deletes_the_alert_without_a_csrf_token(network, personas):
    made = alert(personas, personas.outsider)
    link = reverse("mutualaid:alerts_unsubscribe", args=[alerts.unsubscribe_token(made)])
    mail_program = TenantClient(personas.a.host, enforce_csrf_checks=True)
    assert mail_program.post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Alert.objects.filter(pk=made.pk).exists()


def test_a_tampered_or_foreign_unsubscribe_link_is_refused(network, personas, client_for):
    made = alert(personas, personas.outsider)
    token = alerts.unsubscribe_token(made)
    anonymous = client_for(personas.a)
    message = translated(
        "This link is not valid: it may have been cut or changed. Copy the whole link from the e-mail, or sign in "
        "to manage your alerts."
    )
    for bad in (token + "x", token[:-3], "abc"):
        response = anonymous.post(reverse("mutualaid:alerts_unsubscribe", args=[bad]))
        assert response.status_code == 400 and message in page_text(response)
    # An announcements link is not an alerts link (another salt).
    from django.core import signing

    other = signing.dumps({"c": made.collectivite_id, "a": made.pk, "u": made.user_id}, salt="something else")
    assert anonymous.post(reverse("mutualaid:alerts_unsubscribe", args=[other])).status_code == 400
    # The link of A's network does nothing on B's host.
    open_network(personas.b.tenant)
    link = reverse("mutualaid:alerts_unsubscribe", args=[token])
    assert client_for(personas.b).post(link).status_code == 400
    assert Alert.objects.filter(pk=made.pk).exists()


# The page -----------------------------------------------------------------------------------------


def form(**fields):
    return {"kind": "", "commune_text": "Strasbourg", "distance_km": "5", "frequency": "daily", **fields}


def test_a_resident_adds_and_deletes_alerts_on_the_page(network, personas, client_for):
    dora = client_for(personas.a, personas.a.donor)
    page = dora.get(ALERTS)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert translated("You have no alert: you receive no e-mail about new posts.") in page_text(page)
    groceries = category(personas.a.tenant, "courses")
    response = dora.post(
        ALERTS, form(kind="offer", categories=[groceries.pk], commune_text="Schiltigheim", distance_km="10")
    )
    assert response.status_code == 302
    made = Alert.objects.get(user=personas.a.donor)
    assert (made.kind, made.commune_id, made.distance_km, made.frequency) == ("offer", SCHILTIGHEIM, 10, "daily")
    assert list(made.categories.all()) == [groceries]
    assert "Schiltigheim" in page_text(dora.get(ALERTS))

    assert dora.get(reverse("mutualaid:alert_delete", args=[made.pk])).status_code == 405
    assert dora.post(reverse("mutualaid:alert_delete", args=[made.pk])).status_code == 302
    assert not Alert.objects.exists()
    # Signed out: to the login page.
    assert client_for(personas.a).get(ALERTS).status_code == 302


@pytest.mark.parametrize(
    "fields",
    [
        {"commune_text": ""},
        {"commune_text": "Metz"},  # outside the territory
        {"commune_text": "Nullepart"},
        {"distance_km": "7"},
        {"frequency": "hourly"},
        {"kind": "gift"},
        {"categories": ["999999"]},
    ],
)
def test_the_form_refuses_bad_input_and_changes_nothing(network, personas, client_for, fields):
    dora = client_for(personas.a, personas.a.donor)
    response = dora.post(ALERTS, form(**fields))
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not Alert.objects.exists()


def test_the_form_explains_a_commune_outside_the_territory(network, personas, client_for):
    response = client_for(personas.a, personas.a.donor).post(ALERTS, form(commune_text="Metz"))
    assert translated("No commune of the territory matches. Type its name or postal code.") in page_text(response)


def test_sensitive_categories_are_offered_only_to_who_may_read_them(network, personas, client_for):
    childcare = category(personas.a.tenant, "garde-enfants")
    dora = client_for(personas.a, personas.a.donor)
    assert dora.post(ALERTS, form(categories=[childcare.pk])).status_code == 400
    with pytest.raises(ActionError):
        alert(personas, personas.a.donor, slugs=["garde-enfants"])
    mona = client_for(personas.a, personas.a.moderator)
    assert mona.post(ALERTS, form(categories=[childcare.pk])).status_code == 302


def test_at_most_ten_alerts_each(network, personas, client_for):
    for _ in range(alerts.MAX_ALERTS):
        alert(personas, personas.a.donor)
    response = client_for(personas.a, personas.a.donor).post(ALERTS, form())
    assert response.status_code == 400
    assert Alert.objects.count() == alerts.MAX_ALERTS
    with pytest.raises(ActionError):
        alert(personas, personas.a.donor)


def test_another_persons_alert_cannot_be_deleted(network, personas, client_for):
    otto_alert = alert(personas, personas.outsider)
    url = reverse("mutualaid:alert_delete", args=[otto_alert.pk])
    assert client_for(personas.a, personas.a.donor).post(url).status_code == 404
    open_network(personas.b.tenant)
    assert client_for(personas.b, personas.outsider).post(url).status_code == 404
    assert Alert.objects.filter(pk=otto_alert.pk).exists()
    with pytest.raises(ActionError):
        alerts.delete_alert(alert=otto_alert, actor=personas.a.donor)


def test_the_pages_are_not_found_where_the_network_is_off(personas, client_for):
    otto = client_for(personas.b, personas.outsider)
    assert otto.get(ALERTS).status_code == 404
    assert otto.get(reverse("mutualaid:alerts_unsubscribe", args=["abc"])).status_code == 404


def test_the_network_page_links_to_the_alerts(network, personas, client_for):
    assert ALERTS in client_for(personas.a, personas.a.donor).get(reverse("mutualaid:network")).content.decode()
    assert Category.objects.filter(collectivite=personas.a.tenant).exists()


def test_the_digests_run_every_hour_by_a_task(network, personas, sent, settings):
    entries = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["solidaire.mutualaid.tasks.send_alert_digests"] <= 3600
    alert(personas, personas.outsider, frequency="daily")
    write(personas.a.tenant, personas.a.donor)
    assert recipients(sent(lambda: send_alert_digests.delay())) == [personas.outsider.email]
    assert sent(lambda: send_alert_digests.delay()) == []


def test_nothing_is_sent_once_the_network_is_switched_off(network, personas, sent):
    alert(personas, personas.outsider, frequency="daily")
    alert(personas, personas.a.owner, frequency="immediate")
    post = write(personas.a.tenant, personas.a.donor)
    actions.configure(collectivite=personas.a.tenant, actor=None, enabled=False)
    assert alerts.send_immediate(post.pk) == 0
    assert sent(lambda: alerts.send_digests(timezone.now())) == []
