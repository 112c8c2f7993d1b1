"""The finance officer's log of provider notifications (/gestion/paiements/notifications/):
every notification, applied or rejected — with the reason, in a sentence a finance officer
understands (the technical reason kept in a detail), and what was kept of its content (size,
SHA-256, whether it was truncated) — visible to finance officers and admins of the collectivité
only."""

import ast
import hashlib
import html
from pathlib import Path

import pytest
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise

from solidaire.core.money import format_cents
from solidaire.payments import inbox, reasons
from solidaire.payments.models import Notification

from ..accounts.helpers import translated
from ..campaigns.helpers import text
from .helpers import SANDBOX_ENDPOINT, notify, post_notification, sandbox_body

pytestmark = pytest.mark.django_db

URL = "/gestion/paiements/notifications/"
SIGNATURE = (
    "Its signature does not match the collectivité’s secret, or is too old: it may be forged, or the secret may "
    "have changed at the payment provider."
)


def said(msgid: str, **values) -> str:
    """The French sentence as `text` shows it (non-breaking spaces as plain spaces)."""
    return translated(msgid, **values).replace("\u202f", " ").replace("\u00a0", " ")


def page_of(client) -> str:
    return html.unescape(text(client.get(URL)))


def test_finance_officer_sees_a_rejected_amount_and_why(personas, client_for, gift):
    notify(personas.a, sandbox_body(gift, amount_cents=1, event_id="evt_wrong_amount"))
    response = client_for(personas.a, personas.a.finance).get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "evt_wrong_amount" in page
    sentence = translated(
        "The amount it states (%(stated_cents)s) is not the gift’s (%(expected_cents)s).",
        stated_cents=format_cents(1, "fr"),
        expected_cents=format_cents(500, "fr"),
    )
    assert sentence.replace("\u202f", " ").replace("\u00a0", " ") in html.unescape(page)
    assert "amount 1 differs from 500" in page  # the technical reason, in a detail
    assert f"/gestion/dons/{gift.pk}/" in page


def test_forged_notifications_are_listed_too(personas, client_for, gift):
    post_notification(personas.a.host, sandbox_body(gift), secret="whsec_forged")
    page = html.unescape(text(client_for(personas.a, personas.a.admin).get(URL)))
    assert said(SIGNATURE) in page
    assert "bad or stale signature" in page  # the technical reason, in a detail


def test_the_list_filters_by_status(personas, client_for, gift):
    notify(personas.a, sandbox_body(gift, currency="GBP", event_id="evt_rejected"))
    notify(personas.a, sandbox_body(gift, event_id="evt_applied"))
    client = client_for(personas.a, personas.a.finance)
    rejected = text(client.get(URL, {"status": "rejected"}))
    assert "evt_rejected" in rejected and "evt_applied" not in rejected
    applied = text(client.get(URL, {"status": "applied"}))
    assert "evt_applied" in applied and "evt_rejected" not in applied


def test_the_other_collectivites_notifications_are_not_shown(personas, client_for, gift):
    notify(personas.a, sandbox_body(gift, event_id="evt_grand_est"))
    assert Notification.objects.count() == 1
    page = text(client_for(personas.b, personas.b.finance).get(URL))
    assert "evt_grand_est" not in page


@pytest.mark.parametrize("role", ["moderator", "viewer"])
def test_other_team_roles_are_refused(personas, client_for, role):
    assert client_for(personas.a, getattr(personas.a, role)).get(URL).status_code == 403


def test_finance_officer_of_another_collectivite_is_refused(personas, client_for):
    assert client_for(personas.a, personas.b.finance).get(URL).status_code == 403


# What was kept of each notification -------------------------------------------------------------


def test_each_notification_shows_its_size_and_its_hash_shortened_and_whole(personas, client_for, gift):
    body = sandbox_body(gift, event_id="evt_kept")
    notify(personas.a, body)
    digest = hashlib.sha256(body).hexdigest()
    page = page_of(client_for(personas.a, personas.a.finance))
    with translation.override("fr"):
        size = filesizeformat(len(body)).replace("\u00a0", " ")
    assert size in page
    assert f"<code>{digest[:12]}…</code>" in page  # shortened, in the summary
    assert f"<code>{digest}</code>" in page  # whole, in the detail
    assert said("kept whole") in page


def test_a_rejected_delivery_larger_than_the_excerpt_says_it_was_truncated(personas, client_for, gift):
    body = sandbox_body(gift)
    body += b" " * (3 * inbox.REJECTED_EXCERPT_BYTES)
    post_notification(personas.a.host, body, secret="whsec_forged")
    assert Notification.objects.get().body_truncated
    page = page_of(client_for(personas.a, personas.a.finance))
    with translation.override("fr"):
        kept = filesizeformat(inbox.REJECTED_EXCERPT_BYTES).replace("\u00a0", " ")
    assert said("truncated: only its first %(kept)s are kept", kept=kept) in page
    assert said("kept whole") not in page
    assert hashlib.sha256(body).hexdigest() in page


def test_a_delivery_too_large_to_be_read_has_no_hash_and_says_so(personas, client_for, settings):
    settings.SOLIDAIRE_NOTIFICATION_MAX_BYTES = 1024
    response = Client(HTTP_HOST=personas.a.host).post(
        SANDBOX_ENDPOINT, data=b"x" * 5000, content_type="application/json"
    )
    assert response.status_code == 413
    page = page_of(client_for(personas.a, personas.a.finance))
    assert said("not read: too large") in page
    with translation.override("fr"):
        limit = filesizeformat(1024).replace("\u00a0", " ")
    assert said("It was larger than the inbox accepts (%(limit)s): it was not read.", limit=limit) in page
    assert "SHA-256" not in page


# Reasons in words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded", "sentence"),
    [
        (
            "provider not configured for this collectivité",
            "It was sent for a payment provider the collectivité does not use: it was not read.",
        ),
        ("unknown payment", "No gift of the collectivité matches this payment."),
        ("not a payment event", "An event of the payment provider’s that the platform has no use for: nothing to do."),
        ("the line is paid already", "Nothing to change: this line of the payment batch was already settled."),
        ("No signatures found matching the expected signature for payload", SIGNATURE),
        (
            "the gift is pending: payment.refunded waits",
            "It must wait for an earlier event about the same gift; the payment provider sends it again.",
        ),
    ],
)
def test_a_recorded_reason_reads_as_a_sentence(recorded, sentence):
    explained = reasons.explain(recorded)
    assert explained.sentence == translated(sentence)
    assert explained.technical == recorded


def test_amounts_in_a_reason_read_as_money():
    with translation.override("fr"):
        explained = reasons.explain("refund of 250 exceeds what stands (200)")
    assert format_cents(250, "fr") in explained.sentence and format_cents(200, "fr") in explained.sentence


def test_a_reason_no_pattern_knows_is_shown_as_recorded():
    assert reasons.explain("Ce versement est déjà payé.") == reasons.Explained("Ce versement est déjà payé.", "")
    assert reasons.explain("") == reasons.Explained("", "")


def test_every_sentence_is_translated_when_shown():
    assert all(isinstance(sentence, Promise) for _pattern, sentence in reasons.REASONS)


# Every reason the code records has its sentence: a new one without a sentence fails here.

PACKAGE = Path(__file__).resolve().parents[2] / "solidaire"
REASON_CALLS = {"Outcome", "Deferred", "InvalidNotification", "Rejection"}
RETURNING_REASONS = {"donations/actions.py", "payouts/transfers.py"}  # functions returning why
NOT_REASONS = {"payout-7"}  # an idempotency key


def _written(node) -> str | None:
    """A string literal's text; an f-string's with each value as 7."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "7" for v in node.values)
    return None


def recorded_reasons() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        where = str(path.relative_to(PACKAGE))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            values = []
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in REASON_CALLS:
                    values += node.args
                if where.startswith("payments/"):
                    values += [k.value for k in node.keywords if k.arg == "reason"]
            elif isinstance(node, ast.Return) and where in RETURNING_REASONS and node.value is not None:
                values.append(node.value)
            found |= {t for t in map(_written, values) if t}
    return found - NOT_REASONS


def test_the_code_records_the_reasons_this_test_knows_of():
    found = recorded_reasons()
    assert {"unknown payment", "bad or stale signature", "body larger than 7 bytes", "the line is 7 already"} <= found


def test_every_reason_the_code_records_has_a_sentence():
    without = sorted(r for r in recorded_reasons() if not reasons.explain(r).technical)
    assert without == [], "add a sentence to solidaire/payments/reasons.py"
