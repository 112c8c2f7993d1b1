"""The books are checked on a schedule (`check_books`, every quarter of an hour): each run is
kept, and when a collectivité’s books disagree its finance officers — and only theirs — are
e-mailed once, in their language, with the list of problems and a link to their own site; not
again while the list stays the same, again when it changes."""

import logging
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.db.models import F

from solidaire.accounts.models import User
from solidaire.beneficiaries.models import Registration
from solidaire.celery import app as celery_app
from solidaire.ledger.models import CheckRun
from solidaire.ledger.tasks import check_books, run_checks
from solidaire.tenants.models import Domain

from ..gifts import approved_registration
from ..matching.helpers import campaign_for

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # 11:00 in Paris


@pytest.fixture(autouse=True)
def _plain_addresses(settings):
    """Links as production builds them: the collectivité’s host, no development port."""
    settings.SOLIDAIRE_PUBLIC_PORT = ""
    settings.SESSION_COOKIE_SECURE = False


@pytest.fixture
def cafes(personas):
    """A café in a campaign of each collectivité (and a second one in A's): nothing given yet,
    so every counter is 0 and the books hold."""
    a = campaign_for(personas.a)
    return SimpleNamespace(
        a=approved_registration(a),
        a2=approved_registration(a),
        b=approved_registration(campaign_for(personas.b), commune="57463"),
    )


def drift(registration, cents=1234) -> str:
    """Makes the registration say it received `cents` behind the product's back: one problem
    in its collectivité’s books. Returns the problem's line as the e-mail lists it."""
    Registration.objects.filter(pk=registration.pk).update(gifts_total_cents=cents)
    return f"- registration counters: registration {registration.pk}: 0 gifts for {cents}, its gifts say 0 for 0"


def speaks(user, language):
    User.objects.filter(pk=user.pk).update(language=language)


def run(capture, now=WHEN):
    """One run of the checks, its e-mails sent (they go after commit)."""
    mail.outbox.clear()
    with capture(execute=True):
        return run_checks(now=now)


def test_a_run_is_kept_and_clean_books_send_nothing(cafes, django_capture_on_commit_callbacks):
    checked = run(django_capture_on_commit_callbacks)

    assert CheckRun.objects.get() == checked
    assert (checked.problems, checked.violations, checked.started_at) == (0, [], WHEN)
    assert checked.finished_at >= checked.started_at
    assert mail.outbox == []


def test_a_run_keeps_what_it_found_and_whose_books_it_concerns(personas, cafes, django_capture_on_commit_callbacks):
    drift(cafes.a)
    drift(cafes.b, 99)

    checked = run(django_capture_on_commit_callbacks)

    assert checked.problems == 2
    assert sorted((v["collectivite_id"], v["invariant"]) for v in CheckRun.objects.get().violations) == [
        (personas.a.tenant.pk, "registration counters"),
        (personas.b.tenant.pk, "registration counters"),
    ]


def test_problems_are_logged(cafes, caplog, django_capture_on_commit_callbacks):
    drift(cafes.a)

    with caplog.at_level(logging.ERROR, logger="solidaire.ledger.tasks"):
        run(django_capture_on_commit_callbacks)

    assert "ledger check: 1 problems" in caplog.text and f"registration {cafes.a.pk}" in caplog.text


def test_the_finance_officers_of_the_collectivite_whose_books_disagree_are_told(
    personas, cafes, django_capture_on_commit_callbacks
):
    line = drift(cafes.a)

    run(django_capture_on_commit_callbacks)

    (email,) = mail.outbox  # fiona only: not fabien, nor A's admin, moderator or viewer
    assert email.to == [personas.a.finance.email]
    assert "Région Grand Est" in email.subject
    assert line in email.body.splitlines()
    assert "solidaire ledger-check" in email.body
    assert "http://grand-est.localhost/gestion/dons/" in email.body.split()


@pytest.mark.parametrize(
    ("language", "hello", "month", "path"),
    [
        ("fr", "Bonjour,", "mars", "/gestion/dons/"),
        ("en", "Hello,", "March", "/en/gestion/dons/"),
        ("de", "Guten Tag,", "März", "/de/gestion/dons/"),
    ],
)
def test_the_email_is_in_the_officers_language_with_a_link_to_their_own_site(
    personas, cafes, django_capture_on_commit_callbacks, language, hello, month, path
):
    Domain.objects.create(collectivite=personas.a.tenant, host="dons.grandest.fr")
    speaks(personas.a.finance, language)
    line = drift(cafes.a)

    run(django_capture_on_commit_callbacks)

    (email,) = mail.outbox
    lines = email.body.splitlines()
    assert lines[0] == hello
    assert month in email.body  # the run's date, written in their language
    assert line in lines
    assert f"http://dons.grandest.fr{path}" in lines


def test_each_collectivites_officers_read_only_their_own_problems(personas, cafes, django_capture_on_commit_callbacks):
    speaks(personas.b.finance, "de")
    a_line, b_line = drift(cafes.a, 1234), drift(cafes.b, 5678)

    run(django_capture_on_commit_callbacks)

    emails = {email.to[0]: email for email in mail.outbox}
    assert sorted(emails) == sorted([personas.a.finance.email, personas.b.finance.email])
    fiona, fabien = emails[personas.a.finance.email], emails[personas.b.finance.email]
    assert a_line in fiona.body and b_line not in fiona.body and "5678" not in fiona.body
    assert b_line in fabien.body and a_line not in fabien.body and "1234" not in fabien.body
    assert "Ville de Metz" in fabien.subject and "Région Grand Est" not in fabien.subject
    assert fabien.body.startswith("Guten Tag,") and "http://metz.localhost/de/gestion/dons/" in fabien.body
    assert "metz" not in fiona.body


def test_every_finance_officer_of_the_collectivite_is_told(personas, cafes, django_capture_on_commit_callbacks):
    from ..factories import MembershipFactory, UserFactory

    felix = UserFactory(email="felix@grand-est.example")
    MembershipFactory(user=felix, collectivite=personas.a.tenant, role="finance")
    drift(cafes.a)

    run(django_capture_on_commit_callbacks)

    assert sorted(email.to[0] for email in mail.outbox) == sorted([personas.a.finance.email, felix.email])


def test_a_deactivated_finance_officer_is_not_told(personas, cafes, django_capture_on_commit_callbacks):
    User.objects.filter(pk=personas.a.finance.pk).update(is_active=False)
    drift(cafes.a)

    run(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_the_same_problems_are_not_sent_twice(personas, cafes, django_capture_on_commit_callbacks):
    drift(cafes.a)
    run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

    again = run(django_capture_on_commit_callbacks, now=WHEN.replace(minute=15))

    assert again.problems == 1 and CheckRun.objects.count() == 2
    assert mail.outbox == []


def test_the_same_problems_found_in_another_order_are_not_sent_again(
    personas, cafes, django_capture_on_commit_callbacks
):
    drift(cafes.a)
    drift(cafes.a2)
    first = run(django_capture_on_commit_callbacks)
    CheckRun.objects.filter(pk=first.pk).update(violations=first.violations[::-1])

    run(django_capture_on_commit_callbacks, now=WHEN.replace(minute=15))

    assert mail.outbox == []


def test_a_changed_list_of_problems_is_sent_again(personas, cafes, django_capture_on_commit_callbacks):
    first = drift(cafes.a)
    run(django_capture_on_commit_callbacks)

    second = drift(cafes.a2)
    run(django_capture_on_commit_callbacks, now=WHEN.replace(minute=15))

    (email,) = mail.outbox
    assert email.to == [personas.a.finance.email]
    assert first in email.body and second in email.body
    assert "2" in email.subject


def test_a_problem_that_comes_back_after_a_clean_run_is_sent_again(personas, cafes, django_capture_on_commit_callbacks):
    drift(cafes.a)
    run(django_capture_on_commit_callbacks)
    Registration.objects.filter(pk=cafes.a.pk).update(gifts_total_cents=0)
    run(django_capture_on_commit_callbacks, now=WHEN.replace(minute=15))
    assert mail.outbox == []  # back in order: nothing to do

    drift(cafes.a)
    run(django_capture_on_commit_callbacks, now=WHEN.replace(minute=30))

    assert [email.to for email in mail.outbox] == [[personas.a.finance.email]]


def test_the_other_collectivites_problems_do_not_tell_anyone_again(personas, cafes, django_capture_on_commit_callbacks):
    drift(cafes.a)
    run(django_capture_on_commit_callbacks)

    drift(cafes.b)  # B's books disagree too; A's list is unchanged
    run(django_capture_on_commit_callbacks, now=WHEN.replace(minute=15))

    assert [email.to for email in mail.outbox] == [[personas.b.finance.email]]


def test_check_books_is_scheduled_and_returns_the_number_of_problems(cafes, django_capture_on_commit_callbacks):
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == check_books.name]
    assert entry["task"] == "solidaire.ledger.tasks.check_books" in celery_app.tasks
    assert 0 < entry["schedule"] <= 3600  # at least hourly
    drift(cafes.a)
    Registration.objects.filter(pk=cafes.b.pk).update(gifts_count=F("gifts_count") + 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert check_books.delay().get() == 2

    assert CheckRun.objects.get().problems == 2
    assert len(mail.outbox) == 2
