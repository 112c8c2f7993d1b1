"""The Celery application. The same task code runs on Redis in production and on a
server-less filesystem broker in the embedded mode (see docs/adr/0003-task-engine.md)."""

import os
import warnings

from celery import Celery
from celery.exceptions import SecurityWarning

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidaire.settings")

if os.environ.get("SOLIDAIRE_ROOT_NOTICE_SHOWN"):
    # `serve` already said in one line that the worker runs as root; Celery's own warning would
    # fill the demo's terminal with a dozen lines before the logins.
    warnings.filterwarnings("ignore", message="You're running the worker with superuser", category=SecurityWarning)

app = Celery("solidaire")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
