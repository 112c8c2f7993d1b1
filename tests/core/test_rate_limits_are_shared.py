"""Rate limits are counted once for all web processes: in the database's cache table by default
(Redis when SOLIDAIRE_CACHE_URL names one), never in one process's memory when several serve;
and keys made of e-mail addresses fold case, +tags and Gmail's dots through one helper."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

import solidaire.settings as configured
from solidaire.core import ratelimits
from solidaire.core.cache import TABLE
from solidaire.matching import identity

from ..donations.conftest import cafe, campaign  # noqa: F401 - shared fixtures
from ..threads import POSTGRES_ONLY, all_at_once

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def a_web_process():
    """The cache one more web process makes from the settings (their default: no cache URL)."""
    conf = configured.CACHES["default"]
    return import_string(conf["BACKEND"])(conf.get("LOCATION", ""), conf)


@pytest.mark.skipif(bool(os.environ.get("SOLIDAIRE_CACHE_URL")), reason="a cache URL is configured")
def test_without_a_cache_server_two_web_processes_count_in_the_same_table(db):
    assert configured.CACHES["default"]["BACKEND"] == "solidaire.core.cache.DatabaseCache"
    first, second = a_web_process(), a_web_process()
    assert first.add("rl:gift-start", 1, 3600)
    assert not second.add("rl:gift-start", 1, 3600)
    assert second.incr("rl:gift-start") == 2
    assert first.incr("rl:gift-start") == 3
    assert second.get("rl:gift-start") == 3


def test_the_cache_table_is_made_by_migrate(db):
    assert TABLE in connection.introspection.table_names()


def test_counting_keeps_the_windows_expiry(db):
    """An hour's count must not be forgotten after the default five minutes."""
    cache = a_web_process() if "DatabaseCache" in configured.CACHES["default"]["BACKEND"] else None
    if cache is None:
        pytest.skip("a cache URL is configured")
    cache.add("rl:hour", 1, 3600)
    cache.incr("rl:hour")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT expires FROM {TABLE} WHERE cache_key LIKE %s", ["%rl:hour"])  # noqa: S608
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):  # SQLite: naive UTC text
        expires = datetime.fromisoformat(expires)
    if timezone.is_naive(expires):
        expires = expires.replace(tzinfo=UTC)
    assert expires > timezone.now() + timedelta(minutes=50)
    assert cache.get("rl:hour") == 2


def test_a_missing_count_cannot_be_incremented(db):
    with pytest.raises(ValueError):
        a_web_process().incr("rl:nothing")


def _simultaneous_hits_are_all_counted():
    """Eight processes counting at once: eight hits (Django's own increment could lose some)."""
    a_web_process().add("rl:race", 0, 3600)
    all_at_once(8, lambda _i: a_web_process().incr("rl:race"))
    assert a_web_process().get("rl:race") == 8


test_simultaneous_hits_are_all_counted = _simultaneous_hits_are_all_counted
for _mark in POSTGRES_ONLY:
    test_simultaneous_hits_are_all_counted = _mark(test_simultaneous_hits_are_all_counted)


def test_an_in_process_cache_with_several_web_workers_is_refused(settings):
    settings.CACHES = LOCMEM
    settings.SOLIDAIRE_WEB_WORKERS = 2
    assert "solidaire.E001" in [message.id for message in run_checks()]
    settings.SOLIDAIRE_WEB_WORKERS = 1
    assert "solidaire.E001" not in [message.id for message in run_checks()]


def test_the_database_cache_passes_with_several_web_workers(settings):
    settings.CACHES = configured.CACHES
    settings.SOLIDAIRE_WEB_WORKERS = 4
    assert "solidaire.E001" not in [message.id for message in run_checks()]


def test_serve_refuses_an_in_process_cache_with_several_workers(settings, monkeypatch):
    settings.CACHES = LOCMEM
    started = []
    monkeypatch.setattr("subprocess.Popen", lambda *args, **kwargs: started.append(args))
    with pytest.raises(CommandError, match="web workers"):
        call_command("serve", "--web-workers", "3", "--no-worker")
    assert started == []


@pytest.mark.parametrize(
    ("written", "mailbox"),
    [
        ("Dora@Example.org", "dora@example.org"),
        ("dora+gifts@example.org", "dora@example.org"),
        ("d.o.r.a@gmail.com", "dora@gmail.com"),
        ("Dora.Lee+x@googlemail.com", "doralee@gmail.com"),
        ("  dora@example.org ", "dora@example.org"),
    ],
)
def test_e_mail_keys_fold_case_tags_and_gmail_dots(written, mailbox):
    assert ratelimits.folded_email(written) == mailbox


def test_every_limit_folds_addresses_through_one_helper():
    assert identity.folded_email is ratelimits.folded_email


def test_gifts_started_with_variants_of_one_mailbox_share_its_limit(personas, client_for, cafe, settings):  # noqa: F811
    settings.SOLIDAIRE_HOLDS_PER_ADDRESS = settings.SOLIDAIRE_HOLDS_PER_EMAIL = settings.SOLIDAIRE_HOLDS_PER_DEVICE = (
        100
    )
    client = client_for(personas.a)
    url = f"/campagnes/{cafe.campaign.slug}/etablissements/{cafe.establishment_id}/don/"

    def give(email, n):
        return client.post(url, {"amount_choice": "500", "email": email}, REMOTE_ADDR=f"192.0.2.{n}").status_code

    statuses = [give(f"Dora.Lee+{n}@gmail.com", n) for n in range(10)]
    assert statuses == [302] * 10
    assert give("doralee@googlemail.com", 99) == 429
