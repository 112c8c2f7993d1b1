"""Retention (privacy.retention, `solidaire retention`, the daily task): donors' identity is
pseudonymised per collectivité after its period since their last gift there, the bodies of
rejected payment notifications and expired sessions go, the e-mail addresses of old log entries
become a fingerprint — and the books stay as they were."""

import io
from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from solidaire.audit.events import record
from solidaire.audit.models import AuditEvent
from solidaire.donations.models import Gift
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import Entry, Posting
from solidaire.matching.models import DonorUsage
from solidaire.payments.models import Notification
from solidaire.privacy import retention, tasks
from solidaire.privacy.identity import fingerprint

from ..gifts import give
from .helpers import traces

pytestmark = pytest.mark.django_db

NOW = timezone.now()
OLD_EMAIL, OLD_NAME, OLD_MESSAGE = "anne.ancienne@example.org", "Anne Ancienne-Donatrice", "Santé à la Gare"
BOTH_EMAIL, BOTH_NAME = "bruno.deux@example.org", "Bruno Deux-Villes"
NEW_EMAIL, NEW_NAME = "claire.recente@example.org", "Claire Récente"


def aged(gift, years: float) -> Gift:
    """The gift as if made `years` ago."""
    Gift.objects.filter(pk=gift.pk).update(created_at=NOW - timedelta(days=round(365.25 * years)))
    gift.refresh_from_db()
    return gift


@pytest.fixture
def donors(personas, cafe_a, cafe_b):
    """The Région keeps donors 3 years (the default), Metz 2. Anne gave in the Région 4 years ago;
    Bruno gave in both 4 years ago, and again in the Région last year; Claire gave in Metz a year
    ago."""
    personas.b.tenant.donor_retention_years = 2
    personas.b.tenant.save()
    return {
        "anne": aged(give(cafe_a, 500, email=OLD_EMAIL, donor_name=OLD_NAME, public_message=OLD_MESSAGE), 4),
        "bruno_a_old": aged(give(cafe_a, 600, email=BOTH_EMAIL, donor_name=BOTH_NAME), 4),
        "bruno_a_new": aged(give(cafe_a, 300, email=BOTH_EMAIL, donor_name=BOTH_NAME), 1),
        "bruno_b": aged(give(cafe_b, 700, email=BOTH_EMAIL, donor_name=BOTH_NAME), 4),
        "claire": aged(give(cafe_b, 400, email=NEW_EMAIL, donor_name=NEW_NAME), 1),
    }


def identity_of(gift) -> tuple[str, str]:
    gift.refresh_from_db()
    return gift.email, gift.donor_name


def books():
    return (
        Entry.objects.count(),
        Posting.objects.count(),
        sorted(Gift.objects.values_list("pk", "amount_cents", "match_cents", "status")),
        sorted(DonorUsage.objects.values_list("campaign_id", "used_cents", "reserved_cents")),
    )


def test_donors_are_pseudonymised_after_their_collectivites_period_since_their_last_gift(donors):
    before = books()
    assert check_all() == []

    assert retention.donors(now=NOW) == 2  # Anne's gift in the Région, Bruno's in Metz

    assert identity_of(donors["anne"]) == ("", "")
    assert traces(OLD_EMAIL, OLD_NAME, OLD_MESSAGE, "anneancienne") == []
    assert identity_of(donors["bruno_b"]) == ("", "")
    # Bruno gave in the Région last year: every gift of his there is kept, the old one included.
    assert identity_of(donors["bruno_a_old"]) == (BOTH_EMAIL, BOTH_NAME)
    assert identity_of(donors["bruno_a_new"]) == (BOTH_EMAIL, BOTH_NAME)
    assert identity_of(donors["claire"]) == (NEW_EMAIL, NEW_NAME)

    assert books() == before
    assert check_all() == []
    call_command("ledger-check", stdout=io.StringIO())
    events = AuditEvent.objects.filter(action="privacy.retention")
    assert sorted((e.collectivite.slug, e.data["gifts"]) for e in events) == [("grand-est", 1), ("metz", 1)]


def test_the_period_is_the_collectivites_own(donors, personas):
    personas.a.tenant.donor_retention_years = 5
    personas.a.tenant.save()
    personas.b.tenant.donor_retention_years = 1
    personas.b.tenant.save()
    assert retention.donors(now=NOW + timedelta(days=30)) == 2  # in Metz: Bruno's, and Claire's now
    assert identity_of(donors["anne"]) == (OLD_EMAIL, OLD_NAME)
    assert identity_of(donors["claire"]) == ("", "")


def test_a_second_run_has_nothing_left_to_do_and_the_next_years_run_goes_on(donors):
    retention.donors(now=NOW)
    assert retention.donors(now=NOW) == 0
    # Three years after Bruno's last gift in the Région his gifts there go too, and Claire's in Metz.
    assert retention.donors(now=NOW + timedelta(days=2 * 366 + 1)) == 3
    assert identity_of(donors["bruno_a_new"]) == ("", "")
    assert identity_of(donors["bruno_a_old"]) == ("", "")
    assert check_all() == []


def rejected(body: str, days: int) -> Notification:
    notification = Notification.objects.create(
        provider="sandbox",
        status="rejected",
        reason="bad signature",
        body=body,
        body_size=len(body),
        body_sha256="0" * 64,
        headers={"X-Sandbox-Signature": "forged"},
    )
    Notification.objects.filter(pk=notification.pk).update(received_at=NOW - timedelta(days=days))
    return notification


def test_rejected_notification_bodies_are_dropped_after_their_period(settings):
    settings.SOLIDAIRE_REJECTED_NOTIFICATION_DAYS = 30
    old = rejected('{"email": "someone@example.org"}', days=31)
    recent = rejected('{"email": "recent@example.org"}', days=29)
    assert retention.rejected_notifications(now=NOW) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.body, old.headers, old.event) == ("", {}, {})
    assert (old.body_size, old.body_sha256, old.reason) == (
        len('{"email": "someone@example.org"}'),
        "0" * 64,
        "bad signature",
    )
    assert "recent@example.org" in recent.body
    settings.SOLIDAIRE_REJECTED_NOTIFICATION_DAYS = 7
    assert retention.rejected_notifications(now=NOW) == 1
    assert retention.rejected_notifications(now=NOW) == 0


def test_applied_notifications_of_a_kept_donor_are_kept(donors):
    retention.rejected_notifications(now=NOW + timedelta(days=3650))
    assert Notification.objects.filter(gift=donors["claire"]).exclude(body="").exists()


def session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["privacy_email"] = "someone@example.org"
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=NOW + expires_in)
    return store.session_key


def test_expired_sessions_are_deleted():
    expired, alive = session(-timedelta(minutes=1)), session(timedelta(days=1))
    assert retention.sessions(now=NOW) == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [alive] != [expired]


def test_old_log_entries_keep_what_happened_but_not_the_addresses(personas, settings, monkeypatch):
    settings.SOLIDAIRE_AUDIT_IDENTITY_YEARS = 5
    admin = personas.a.admin
    six_years_ago = NOW - timedelta(days=6 * 366)
    with monkeypatch.context() as then:  # the audit log is append-only: the event is written back then
        then.setattr(timezone, "now", lambda: six_years_ago)
        old = record(
            collectivite=personas.a.tenant,
            actor=admin,
            action="team.invited",
            label="nouvelle@example.org",
            data={"role": "moderator", "invited_by": admin.email},
        )
    recent = record(collectivite=personas.a.tenant, actor=admin, action="team.invited", label="autre@example.org")
    entry = LogEntry.objects.create(
        user=admin,
        content_type=None,
        object_id="1",
        object_repr="nouvelle@example.org",
        action_flag=ADDITION,
        change_message="Invited nouvelle@example.org",
    )
    LogEntry.objects.filter(pk=entry.pk).update(action_time=six_years_ago)

    assert retention.logs(now=NOW) == 2
    old = AuditEvent.objects.get(pk=old.pk)
    assert (old.action, old.collectivite_id, old.data["role"]) == ("team.invited", personas.a.tenant.pk, "moderator")
    assert old.actor_label == fingerprint(admin.email)
    assert old.object_label == fingerprint("nouvelle@example.org")
    assert old.data["invited_by"] == fingerprint(admin.email)
    assert "@" not in str((old.actor_label, old.object_label, old.data))
    assert AuditEvent.objects.get(pk=recent.pk).object_label == "autre@example.org"
    entry.refresh_from_db()
    assert (entry.object_repr, entry.change_message) == (
        fingerprint("nouvelle@example.org"),
        f"Invited {fingerprint('nouvelle@example.org')}",
    )
    assert retention.logs(now=NOW) == 0


def test_the_command_says_what_it_did(donors, settings):
    rejected("{}", days=settings.SOLIDAIRE_REJECTED_NOTIFICATION_DAYS + 1)
    session(-timedelta(minutes=1))
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert out.getvalue().splitlines() == [
        "gifts whose donor's identity was pseudonymised: 2",
        "rejected payment notifications emptied: 1",
        "expired sessions deleted: 1",
        "log entries whose e-mail addresses became a fingerprint: 0",
    ]
    assert identity_of(donors["anne"]) == ("", "")


def test_the_dry_run_counts_and_changes_nothing(donors):
    session(-timedelta(minutes=1))
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Dry run: nothing was changed")
    assert "gifts whose donor's identity was pseudonymised: 2" in lines
    assert "expired sessions deleted: 1" in lines
    assert identity_of(donors["anne"]) == (OLD_EMAIL, OLD_NAME)
    assert Session.objects.count() == 1
    assert not AuditEvent.objects.filter(action="privacy.retention").exists()


def test_the_command_runs_as_of_another_date(donors):
    out = io.StringIO()
    call_command("retention", "--dry-run", "--as-of", (NOW + timedelta(days=3 * 366)).strftime("%Y-%m-%d"), stdout=out)
    assert "gifts whose donor's identity was pseudonymised: 5" in out.getvalue().splitlines()
    with pytest.raises(CommandError):
        call_command("retention", "--as-of", "31/12/2029")


def test_the_daily_task_runs_every_job(donors, settings):
    assert settings.CELERY_BEAT_SCHEDULE["privacy-retention"]["task"] == "solidaire.privacy.tasks.retention"
    done = tasks.retention.delay().get()
    assert done == {"donors": 2, "rejected_notifications": 0, "sessions": 0, "logs": 0}
    assert identity_of(donors["bruno_b"]) == ("", "")
    assert check_all() == []
