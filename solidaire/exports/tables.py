"""What each export holds: its columns (documented here, one line each) and its rows, read in
chunks with iterator() so that memory stays bounded whatever the number of rows.

Cells are raw values — text, integer cents ("money"), counts, dates, datetimes — that the writers
(exports.writers) put in the file: amounts in euros with two decimals, dates in ISO 8601. Headers
are translated in the requester's language (the caller activates it)."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import ACTION_LABELS
from solidaire.audit.models import AuditEvent
from solidaire.beneficiaries.models import Registration
from solidaire.campaigns.choices import Category
from solidaire.donations.models import PAID_STATUSES, STANDING_STATUSES, Gift, GiftStatus
from solidaire.vouchers.models import Redemption, VoucherStatus

from .models import ExportKind

TEXT, MONEY, COUNT, DATE, DATETIME = "text", "money", "count", "date", "datetime"
CHUNK = 2000


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # lazy: translated when written
    type: str = TEXT


@dataclass
class Table:
    columns: list[Column]
    rows: Iterable[tuple]
    total: int  # how many rows, counted before they are read (the progress indicator's 100 %)
    personal: bool  # holds personal data: its export is written to the audit log


def _yes_no(value: bool) -> str:
    return str(_("yes") if value else _("no"))


def _status_label(value: str) -> str:
    try:
        return str(GiftStatus(value).label)
    except ValueError:
        return value


def _category_label(value: str) -> str:
    try:
        return str(Category(value).label)
    except ValueError:
        return value


# Gifts ------------------------------------------------------------------------------------------
# One row per paid gift (confirmed, then perhaps refunded or disputed), oldest first.
GIFT_COLUMNS = [
    Column("reference", _("Gift reference")),
    Column("confirmed_at", _("Paid on"), DATETIME),
    Column("campaign", _("Campaign")),
    Column("establishment", _("Beneficiary")),
    Column("identifier", _("SIRET or RNA")),
    Column("commune", _("Commune")),
    Column("status", _("Status")),
    Column("amount", _("Gift"), MONEY),
    Column("match", _("Public match"), MONEY),
    Column("reversed", _("Refunded or disputed"), MONEY),
    Column("donor_name", _("Donor’s name (unless anonymous)")),
    Column("message", _("Public message")),
    Column("contact_consent", _("May be contacted by the beneficiary")),
]
EMAIL_COLUMN = Column("email", _("Donor’s e-mail address"))


def gifts(export) -> Table:
    query = Gift.objects.filter(collectivite=export.collectivite, status__in=PAID_STATUSES)
    if export.campaign_id:
        query = query.filter(campaign_id=export.campaign_id)
    fields = [
        "id",
        "confirmed_at",
        "campaign__title",
        "registration__establishment__trade_name",
        "registration__legal_identifier",
        "registration__establishment__commune__name",
        "status",
        "amount_cents",
        "match_cents",
        "refunded_cents",
        "charged_back_cents",
        "match_reversed_cents",
        "anonymous",
        "donor_name",
        "public_message",
        "contact_consent",
        "email",
    ]
    values = query.order_by("confirmed_at", "pk").values_list(*fields)
    columns = list(GIFT_COLUMNS)
    if export.with_emails:
        columns.insert(columns.index(GIFT_COLUMNS[-3]) + 1, EMAIL_COLUMN)

    def rows():
        for (
            pk,
            confirmed_at,
            campaign,
            name,
            identifier,
            commune,
            status,
            amount,
            match,
            refunded,
            charged_back,
            match_reversed,
            anonymous,
            donor_name,
            message,
            consent,
            email,
        ) in values.iterator(chunk_size=CHUNK):
            row = [
                str(pk),
                confirmed_at,
                campaign,
                name,
                identifier,
                commune,
                _status_label(status),
                amount,
                match - match_reversed,
                refunded + charged_back,
                "" if anonymous else donor_name,
            ]
            if export.with_emails:
                row.append(email)
            row += [message, _yes_no(consent)]
            yield tuple(row)

    return Table(columns, rows(), query.count(), personal=True)


# Totals per beneficiary ----------------------------------------------------------------------------
# One row per establishment registered in a campaign (approved, or with gifts), by campaign and name.
BENEFICIARY_COLUMNS = [
    Column("campaign", _("Campaign")),
    Column("establishment", _("Beneficiary")),
    Column("legal_name", _("Legal name")),
    Column("identifier", _("SIRET or RNA")),
    Column("insee", _("INSEE code")),
    Column("commune", _("Commune")),
    Column("category", _("Category")),
    Column("status", _("Registration")),
    Column("gifts_count", _("Gifts"), COUNT),
    Column("gifts_total", _("Given by donors"), MONEY),
    Column("match_total", _("Public match"), MONEY),
    Column("total", _("Total received"), MONEY),
]


def beneficiaries(export) -> Table:
    query = Registration.objects.filter(campaign__collectivite=export.collectivite).filter(
        Q(status="approved") | Q(gifts_count__gt=0)
    )
    if export.campaign_id:
        query = query.filter(campaign_id=export.campaign_id)
    values = query.order_by("campaign__title", "establishment__trade_name", "pk").values_list(
        "campaign__title",
        "establishment__trade_name",
        "establishment__legal_name",
        "legal_identifier",
        "establishment__commune_id",
        "establishment__commune__name",
        "establishment__category",
        "status",
        "gifts_count",
        "gifts_total_cents",
        "matching_total_cents",
    )
    statuses = dict(Registration._meta.get_field("status").flatchoices)

    def rows():
        for campaign, name, legal, identifier, insee, commune, category, status, count, given, match in values.iterator(
            chunk_size=CHUNK
        ):
            yield (
                campaign,
                name,
                legal,
                identifier,
                insee,
                commune,
                _category_label(category),
                str(statuses.get(status, status)),
                count,
                given,
                match,
                given + match,
            )

    return Table(BENEFICIARY_COLUMNS, rows(), query.count(), personal=False)


# Figures per day -----------------------------------------------------------------------------------
# One row per day with paid gifts (the day of the payment, in the collectivité’s time zone).
DAY_COLUMNS = [
    Column("day", _("Day"), DATE),
    Column("gifts_count", _("Gifts"), COUNT),
    Column("amount", _("Given by donors"), MONEY),
    Column("match", _("Public match"), MONEY),
    Column("reversed", _("Refunded or disputed"), MONEY),
]


def per_day(gifts_query) -> list[tuple]:
    """(day, count, given, match, reversed) for each day with gifts, oldest first: one grouped query."""
    grouped = (
        gifts_query.annotate(day=TruncDate("confirmed_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            n=Count("pk"),
            given=Sum("amount_cents"),
            match=Sum("match_cents"),
            match_back=Sum("match_reversed_cents"),
            refunded=Sum("refunded_cents"),
            charged=Sum("charged_back_cents"),
        )
        .order_by("day")
    )
    return [
        (row["day"], row["n"], row["given"], row["match"] - row["match_back"], row["refunded"] + row["charged"])
        for row in grouped
    ]


def days(export) -> Table:
    query = Gift.objects.filter(collectivite=export.collectivite, status__in=PAID_STATUSES)
    if export.campaign_id:
        query = query.filter(campaign_id=export.campaign_id)
    found = per_day(query)
    return Table(DAY_COLUMNS, iter(found), len(found), personal=False)


# Vouchers outstanding --------------------------------------------------------------------------------
# One row per beneficiary with vouchers: what it issued, what donors used at its counter, and
# what it still owes them (vouchers valid today, their remaining value).
VOUCHER_COLUMNS = [
    Column("campaign", _("Campaign")),
    Column("establishment", _("Beneficiary")),
    Column("identifier", _("SIRET or RNA")),
    Column("commune", _("Commune")),
    Column("issued", _("Vouchers issued"), COUNT),
    Column("value_issued", _("Value issued"), MONEY),
    Column("redeemed", _("Used at the counter"), MONEY),
    Column("live", _("Vouchers still valid"), COUNT),
    Column("outstanding", _("Still owed to donors"), MONEY),
]


def _redeemed(registration_ref):
    return Subquery(
        Redemption.objects.filter(voucher__registration=registration_ref, undone_at__isnull=True)
        .values("voucher__registration")
        .annotate(total=Sum("amount_cents"))
        .values("total")[:1],
        output_field=IntegerField(),
    )


def voucher_totals(registrations):
    """The registrations annotated with their vouchers' figures (one query)."""
    today = timezone.localdate()
    live = Q(vouchers__status=VoucherStatus.ACTIVE, vouchers__valid_until__gte=today)
    return registrations.annotate(
        issued=Count("vouchers"),
        value_issued=Coalesce(Sum("vouchers__value_cents"), 0),
        live=Count("vouchers", filter=live),
        outstanding=Coalesce(Sum("vouchers__remaining_cents", filter=live), 0),
        redeemed=Coalesce(_redeemed(OuterRef("pk")), 0),
    )


def vouchers(export) -> Table:
    query = Registration.objects.filter(campaign__collectivite=export.collectivite, vouchers__isnull=False).distinct()
    if export.campaign_id:
        query = query.filter(campaign_id=export.campaign_id)
    total = query.count()
    values = (
        voucher_totals(Registration.objects.filter(pk__in=query.values("pk")))
        .order_by("campaign__title", "establishment__trade_name", "pk")
        .values_list(
            "campaign__title",
            "establishment__trade_name",
            "legal_identifier",
            "establishment__commune__name",
            "issued",
            "value_issued",
            "redeemed",
            "live",
            "outstanding",
        )
    )
    return Table(VOUCHER_COLUMNS, values.iterator(chunk_size=CHUNK), total, personal=False)


# Audit log -----------------------------------------------------------------------------------------
# One row per event of the collectivité’s audit log, oldest first.
AUDIT_COLUMNS = [
    Column("created_at", _("When"), DATETIME),
    Column("actor", _("Who")),
    Column("action", _("Action code")),
    Column("action_label", _("What")),
    Column("object_type", _("Kind of object")),
    Column("object_id", _("Object reference")),
    Column("object_label", _("On")),
    Column("data", _("Details (JSON)")),
]


def audit(export) -> Table:
    query = AuditEvent.objects.filter(collectivite=export.collectivite)
    values = query.order_by("created_at", "pk").values_list(
        "created_at", "actor_id", "actor_label", "action", "object_type", "object_id", "object_label", "data"
    )

    def rows():
        for created_at, actor_id, actor_label, action, object_type, object_id, label, data in values.iterator(
            chunk_size=CHUNK
        ):
            yield (
                created_at,
                actor_label if actor_id else str(_("System")),
                action,
                str(ACTION_LABELS.get(action, action)),
                object_type,
                object_id,
                label,
                json.dumps(data, ensure_ascii=False, sort_keys=True) if data else "",
            )

    return Table(AUDIT_COLUMNS, rows(), query.count(), personal=True)


BUILDERS: dict[str, Callable] = {
    ExportKind.GIFTS: gifts,
    ExportKind.BENEFICIARIES: beneficiaries,
    ExportKind.DAYS: days,
    ExportKind.VOUCHERS: vouchers,
    ExportKind.AUDIT: audit,
}


def table_for(export) -> Table:
    return BUILDERS[export.kind](export)


# The owner's gifts ----------------------------------------------------------------------------------
# One row per gift still standing to the owner's establishment in one campaign, oldest first: the
# donor’s name only when they did not give anonymously, their public message (shown on the
# public page anyway), never their e-mail address (see donations.contacts for those who agreed).
OWNER_GIFT_COLUMNS = [
    Column("confirmed_at", _("Paid on"), DATETIME),
    Column("amount", _("Gift"), MONEY),
    Column("match", _("Public match"), MONEY),
    Column("donor_name", _("Donor’s name (unless anonymous)")),
    Column("message", _("Public message")),
]


def owner_gifts_query(registration):
    return Gift.objects.filter(registration=registration, status__in=STANDING_STATUSES)


def owner_gift_row(gift) -> tuple:
    return (
        gift.confirmed_at,
        gift.amount_cents - gift.refunded_cents - gift.charged_back_cents,
        gift.match_cents - gift.match_reversed_cents,
        "" if gift.anonymous else gift.donor_name,
        gift.public_message,
    )


def owner_gifts(registration) -> Table:
    query = owner_gifts_query(registration)
    values = query.order_by("confirmed_at", "pk").only(
        "confirmed_at",
        "amount_cents",
        "refunded_cents",
        "charged_back_cents",
        "match_cents",
        "match_reversed_cents",
        "anonymous",
        "donor_name",
        "public_message",
    )
    rows = (owner_gift_row(gift) for gift in values.iterator(chunk_size=CHUNK))
    return Table(OWNER_GIFT_COLUMNS, rows, query.count(), personal=True)
