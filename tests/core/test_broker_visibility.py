"""SOLIDAIRE_BROKER_VISIBILITY_TIMEOUT: how soon Redis hands the tasks of a worker that died to
another (make test-cluster sets it short; deploy/README.md)."""

import json
import os
import subprocess
import sys

SHOW = "import json, solidaire.settings as s; print(json.dumps(getattr(s, 'CELERY_BROKER_TRANSPORT_OPTIONS', None)))"


def transport_options(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOLIDAIRE_BROKER")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SHOW], env={**environment, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_redis_broker_takes_the_visibility_timeout_and_looks_for_lost_tasks_often_enough():
    options = transport_options(
        SOLIDAIRE_BROKER_URL="redis://127.0.0.1:6379/12", SOLIDAIRE_BROKER_VISIBILITY_TIMEOUT="20"
    )
    assert options == {"visibility_timeout": 20, "unacked_restore_interval": 6, "unacked_restore_throttle": 1}


def test_without_it_kombu_keeps_its_default_of_an_hour():
    assert transport_options(SOLIDAIRE_BROKER_URL="redis://127.0.0.1:6379/12") is None
