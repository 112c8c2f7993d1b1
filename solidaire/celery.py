"""The Celery application. The same task code runs on Redis in production and on a
server-less filesystem broker in the embedded mode (see docs/adr/0003-task-engine.md)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidaire.settings")

app = Celery("solidaire")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
