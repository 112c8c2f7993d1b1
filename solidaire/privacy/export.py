"""Everything the platform holds about a person, as a zip of JSON and CSV files: the account,
gifts, vouchers, consents, team memberships and the audit entries that name them."""

import csv
import io
import json
import zipfile

from allauth.account.models import EmailAddress
from django.utils import timezone

from solidaire.accounts.models import Membership
from solidaire.vouchers.models import Voucher

from .actions import audit_about
from .identity import Person


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def collect(person: Person) -> dict[str, list[dict]]:
    """One list of rows per file, each row plain JSON data."""
    user = person.user
    gifts = list(person.gifts().select_related("collectivite", "campaign", "registration__establishment"))
    account = []
    if user is not None:
        account.append(
            {
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "language": user.language,
                "date_joined": _iso(user.date_joined),
                "last_login": _iso(user.last_login),
                "is_active": user.is_active,
                "verified_addresses": sorted(
                    EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
                ),
            }
        )
    gift_rows = [
        {
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
        for g in gifts
    ]
    consents = [
        {"gift": str(g.pk), "consent": name, "given": getattr(g, name), "at": _iso(g.created_at)}
        for g in gifts
        for name in ("anonymous", "contact_consent", "voucher_reminder")
    ]
    vouchers = [
        {
            "gift": str(v.gift_id),
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
        for v in Voucher.objects.filter(gift__in=[g.pk for g in gifts]).order_by("issued_at")
    ]
    memberships = (
        [
            {"collectivite": m.collectivite.name, "role": m.role, "since": _iso(m.created_at)}
            for m in Membership.objects.filter(user=user).select_related("collectivite")
        ]
        if user is not None
        else []
    )
    emails = {person.email, *(g.email for g in gifts if g.email)}
    audit = audit_about(emails, user=user)
    audit_rows = [
        {
            "at": _iso(e.created_at),
            "action": e.action,
            "actor": e.actor_label,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "object": e.object_label,
            "details": e.data,
        }
        for e in audit.order_by("created_at", "pk")
    ]
    return {
        "account": account,
        "gifts": gift_rows,
        "vouchers": vouchers,
        "consents": consents,
        "memberships": memberships,
        "audit": audit_rows,
    }


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
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
            zipped.writestr(f"{name}.csv", "\ufeff" + _csv(rows))
    return buffer.getvalue()
