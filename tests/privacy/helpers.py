import json
import re

from django.apps import apps
from django.core import mail
from django.db import connection, models

LINK = re.compile(r"https?://\S+/dons/mon-espace/lien/\S+/")
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def link_in_last_email() -> str:
    (url,) = LINK.findall(mail.outbox[-1].body)
    return url


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def spellings(field, needle: str) -> set[str]:
    """How a needle may be written in the column: SQLite keeps JSON with its non-ASCII
    characters escaped ("Doroth\\u00e9e")."""
    found = {needle}
    if isinstance(field, models.JSONField) and connection.vendor == "sqlite":
        found.add(json.dumps(needle)[1:-1])
    return found


def traces(*needles) -> list[str]:
    """Every (model, column) of every table whose text holds one of the needles."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            for needle in needles:
                for spelling in spellings(field, needle):
                    if model._base_manager.filter(**{f"{field.name}__icontains": spelling}).exists():
                        found.append(f"{model._meta.label}.{field.name} ~ {needle}")
                        break
    return found
