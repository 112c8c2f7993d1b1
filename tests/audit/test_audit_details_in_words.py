"""The audit log tells each event's details in words (issue 10, item 23): "label: value" lines,
no internal code (`{'message': ''}`, field names, role codes), empty details left out; every key
a write path records has a label, in one place (audit.events.DETAIL_LABELS)."""

import ast
import html
from pathlib import Path

import pytest

from solidaire.audit.events import DETAIL_LABELS, record

from ..accounts.helpers import translated

JOURNAL = "/gestion/journal/"
PACKAGE = Path(__file__).resolve().parents[2] / "solidaire"

pytestmark = pytest.mark.django_db


def page(client) -> str:
    return html.unescape(client.get(JOURNAL).content.decode()).replace("\u202f", " ").replace("\u00a0", " ")


def recorded_keys() -> set[str]:
    """The keys of every `data={...}` given to `record` in the product's code."""
    keys = set()
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record":
                for keyword in node.keywords:
                    if keyword.arg == "data" and isinstance(keyword.value, ast.Dict):
                        keys |= {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
                    elif keyword.arg == "data" and isinstance(keyword.value, ast.Name):
                        keys |= {"applied", "pending"}  # establishment.updated's details
    return keys


def test_every_detail_a_write_path_records_has_a_label():
    assert recorded_keys() - set(DETAIL_LABELS) == set()


def test_an_empty_message_is_not_shown(personas, client_for):
    record(
        collectivite=personas.a.tenant,
        actor=personas.a.admin,
        action="registration.approved",
        label="Café de la Gare",
        data={"message": ""},
    )
    shown = page(client_for(personas.a, personas.a.admin))
    assert "Café de la Gare" in shown
    assert "{'message'" not in shown and "message" not in shown.split("<tbody>")[1]


def test_details_are_label_value_lines_in_words(personas, client_for):
    record(
        collectivite=personas.a.tenant,
        actor=personas.a.admin,
        action="gift.refund_requested",
        label="abcd1234",
        data={"reason": "Erreur de montant", "amount_cents": 250, "refund": 3},
    )
    shown = page(client_for(personas.a, personas.a.admin))
    body = shown.split("<tbody>")[1]
    assert "Erreur de montant" in body and "2,50 €" in body
    assert translated("Reason") in body
    assert "amount_cents" not in body and "{" not in body


def test_role_codes_and_field_names_are_shown_by_their_labels(personas, client_for):
    membership = personas.a.admin.memberships.first()
    record(
        collectivite=personas.a.tenant,
        actor=personas.a.admin,
        action="team.role_changed",
        obj=membership,
        label="claire@example.org",
        data={"from": "viewer", "to": "finance"},
    )
    record(
        collectivite=personas.a.tenant,
        actor=personas.a.admin,
        action="tenant.branding_changed",
        obj=personas.a.tenant,
        data={"fields": ["name"]},
    )
    body = page(client_for(personas.a, personas.a.admin)).split("<tbody>")[1]
    assert translated("Finance officer") in body and translated("Viewer") in body
    assert ">viewer<" not in body and "finance<" not in body
    assert "['name']" not in body
