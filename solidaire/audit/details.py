"""An event's details (`AuditEvent.data`) in words, for the audit log: one "label: value" line per
key that says something (empty values are left out), with labels from events.DETAIL_LABELS and
values made readable — yes/no, amounts in euros, lists joined, field names and codes by the
labels their model gives them (the event's object's model: its fields' verbose names and
choices), before → after for changes. Nothing of the stored data is changed."""

from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from solidaire.core.money import format_cents

from .events import DETAIL_LABELS, VALUE_LABELS

# Keys whose value is a list of field names of the event's object.
FIELD_LISTS = {"fields", "applied", "pending"}
# Actions whose before/after values are values of one field of the object (its choices name them).
CHANGED_FIELD = {"team.role_changed": "role"}


@cache
def _model(object_type: str):
    if not object_type:
        return None
    for model in apps.get_models():
        if model._meta.model_name == object_type:
            return model
    return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(model, name: str) -> str:
    field = _field(model, name)
    label = getattr(field, "verbose_name", None) if field is not None else None
    return capfirst(str(label)) if label else capfirst(name.replace("_", " "))


def _choice(model, field_name: str, value):
    field = _field(model, field_name)
    choices = dict(getattr(field, "flatchoices", None) or []) if field is not None else {}
    return choices.get(value, value)


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _plain(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value if not _empty(item))
    if isinstance(value, dict):
        return "; ".join(f"{_plain(k)}: {_plain(v)}" for k, v in value.items() if not _empty(v))
    return str(value)


def _value(event, model, key: str, value) -> str:
    if key in VALUE_LABELS and isinstance(value, str):
        return str(VALUE_LABELS[key].get(value, value))
    if key.endswith("_cents") and isinstance(value, int) and not isinstance(value, bool):
        return format_cents(value)
    if key in FIELD_LISTS and isinstance(value, list):
        return ", ".join(_field_label(model, name) for name in value)
    if key in ("from", "to") and event.action in CHANGED_FIELD:
        return _plain(_choice(model, CHANGED_FIELD[event.action], value))
    if key == "changes" and isinstance(value, dict):
        return "; ".join(
            f"{_field_label(model, name)}: {_plain(change.get('from'))} → {_plain(change.get('to'))}"
            if isinstance(change, dict)
            else f"{_field_label(model, name)}: {_plain(change)}"
            for name, change in value.items()
        )
    if isinstance(value, str) and _field(model, key) is not None:
        return _plain(_choice(model, key, value))
    return _plain(value)


def lines(event) -> list[tuple[str, str]]:
    """(label, value) for each detail of the event that says something."""
    data = event.data if isinstance(event.data, dict) else {}
    model = _model(event.object_type)
    found = []
    for key, value in data.items():
        if _empty(value):
            continue
        shown = _value(event, model, key, value)
        if shown == "":
            continue
        label = DETAIL_LABELS.get(key)
        found.append((str(label) if label else capfirst(key.replace("_", " ")), shown))
    return found
