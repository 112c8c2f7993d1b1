"""Real concurrency for the PostgreSQL-only tests: work run in threads, each with its own
database connection and transaction, released together on a barrier."""

import threading

import pytest
from django.db import connection, connections

# What a module of races starts with: transactional tests (threads see each other's commits),
# skipped — at collection, so that no database is emptied for nothing — on SQLite.
POSTGRES_ONLY = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"),
]


def all_at_once(count, work):
    """Runs work(i) for i in range(count), each in its own thread and connection, released
    together. Returns the results; re-raises the first error any thread met."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported below, with every thread's
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    assert errors == [], errors
    return results
