"""Everything the platform holds about a person, as a zip of JSON and CSV files: the account,
gifts, vouchers, consents, team memberships, the audit entries about them and their part of the
mutual-aid network (mutualaid.personal_data).

Only the person's own data: the audit entries say whether the person, the platform or the
collectivité's team acted, never which member of the team (their address is theirs, not the
donor's)."""

import csv
import io
import json
import zipfile

from allauth.account.models import EmailAddress
from django.utils import timezone

from solidaire.accounts.models import Membership
from solidaire.core.ratelimits import folded_email
from solidaire.mutualaid import personal_data as mutual_aid
from solidaire.vouchers.models import Voucher

from .actions import EMAIL_ADDRESS, audit_about
from .identity import Person

# The files of the zip and their columns, in order (a CSV has its header even when empty).
COLUMNS = {
    "account": [
        "email",
        "first_name",
        "last_name",
        "commune",
        "phone",
        "language",
        "date_joined",
        "last_login",
        "is_active",
        "verified_addresses",
    ],
    "gifts": [
        "id",
        "collectivite",
        "campaign",
        "beneficiary",
        "created_at",
        "confirmed_at",
        "status",
        "amount_cents",
        "match_cents",
        "refunded_cents",
        "email",
        "donor_name",
        "public_message",
        "language",
        "provider",
        "payment_id",
    ],
    "vouchers": [
        "gift",
        "collectivite",
        "beneficiary",
        "code",
        "kind",
        "value_cents",
        "remaining_cents",
        "item_label",
        "valid_from",
        "valid_until",
        "status",
        "issued_at",
    ],
    "consents": ["gift", "consent", "given", "at"],
    "memberships": ["collectivite", "role", "since"],
    "audit": ["at", "collectivite", "action", "actor", "object_type", "object_id", "object", "details"],
    **mutual_aid.COLUMNS,
}

# Who acted, in the audit entries: the person, the platform, or the collectivité's team; and
# what stands for someone else's address in them.
SELF, SYSTEM, TEAM = "you", "system", "team"
SOMEONE_ELSE = "[someone else]"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _account(user) -> list[dict]:
    if user is None:
        return []
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return [
        {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "commune": user.commune.name if user.commune_id else "",
            "phone": user.phone,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_active": user.is_active,
            "verified_addresses": sorted(verified),
        }
    ]


def _gift(g) -> dict:
    return {
        "id": str(g.pk),
        "collectivite": g.collectivite.name,
        "campaign": g.campaign.title,
        "beneficiary": g.registration.establishment.trade_name,
        "created_at": _iso(g.created_at),
        "confirmed_at": _iso(g.confirmed_at),
        "status": g.status,
        "amount_cents": g.amount_cents,
        "match_cents": g.match_cents,
        "refunded_cents": g.refunded_cents,
        "email": g.email,
        "donor_name": g.donor_name,
        "public_message": g.public_message,
        "language": g.language,
        "provider": g.provider,
        "payment_id": g.payment_id,
    }


def _voucher(v) -> dict:
    return {
        "gift": str(v.gift_id),
        "collectivite": v.gift.collectivite.name,
        "beneficiary": v.gift.registration.establishment.trade_name,
        "code": v.code,
        "kind": v.kind,
        "value_cents": v.value_cents,
        "remaining_cents": v.remaining_cents,
        "item_label": v.item_label,
        "valid_from": _iso(v.valid_from),
        "valid_until": _iso(v.valid_until),
        "status": v.status,
        "issued_at": _iso(v.issued_at),
    }


def _actor(event, user) -> str:
    if user is not None and event.actor_id == user.pk:
        return SELF
    if event.actor_id is None:
        return SYSTEM
    return TEAM


def _others_hidden(value, own: set[str]):
    """`value` (text or JSON) with every e-mail address that is not the person's replaced."""
    if isinstance(value, str):
        return EMAIL_ADDRESS.sub(lambda m: m.group(0) if folded_email(m.group(0)) in own else SOMEONE_ELSE, value)
    if isinstance(value, list):
        return [_others_hidden(v, own) for v in value]
    if isinstance(value, dict):
        return {k: _others_hidden(v, own) for k, v in value.items()}
    return value


def _audit(event, user, own: set[str]) -> dict:
    return {
        "at": _iso(event.created_at),
        "collectivite": event.collectivite.name if event.collectivite_id else "",
        "action": event.action,
        "actor": _actor(event, user),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object": _others_hidden(event.object_label, own),
        "details": _others_hidden(event.data, own),
    }


def collect(person: Person) -> dict[str, list[dict]]:
    """One list of rows per file, each row plain JSON data with the columns of COLUMNS."""
    user = person.user
    gifts = list(
        person.gifts().select_related("collectivite", "campaign", "registration__establishment").order_by("created_at")
    )
    vouchers = (
        Voucher.objects.filter(gift__in=[g.pk for g in gifts])
        .select_related("gift__collectivite", "gift__registration__establishment")
        .order_by("issued_at")
    )
    memberships = Membership.objects.filter(user=user).select_related("collectivite") if user is not None else []
    emails = {person.email, *(g.email for g in gifts if g.email)} | ({user.email} if user is not None else set())
    own = {folded_email(e) for e in emails}
    audit = audit_about(emails, user=user, gifts=[g.pk for g in gifts], subject=person.fingerprint)
    return {
        "account": _account(user),
        "gifts": [_gift(g) for g in gifts],
        "vouchers": [_voucher(v) for v in vouchers],
        "consents": [
            {"gift": str(g.pk), "consent": name, "given": getattr(g, name), "at": _iso(g.created_at)}
            for g in gifts
            for name in ("anonymous", "contact_consent", "voucher_reminder")
        ],
        "memberships": [
            {"collectivite": m.collectivite.name, "role": m.role, "since": _iso(m.created_at)} for m in memberships
        ],
        "audit": [_audit(e, user, own) for e in audit.select_related("collectivite").order_by("created_at", "pk")],
        **mutual_aid.collect(user),
    }


def _csv(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for k, v in row.items()}
        )
    return out.getvalue()


def archive(person: Person) -> bytes:
    """The zip: personal-data.json (everything), then one CSV per part (UTF-8 with a BOM, for
    spreadsheets)."""
    data = collect(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        document = {"generated_at": timezone.now().isoformat(), "email": person.email, **data}
        zipped.writestr("personal-data.json", json.dumps(document, ensure_ascii=False, indent=2))
        for name, rows in data.items():
            zipped.writestr(f"{name}.csv", "\ufeff" + _csv(COLUMNS[name], rows))
    return buffer.getvalue()
