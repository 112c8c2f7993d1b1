"""The donors who agreed that the establishment may contact them ("l'établissement peut me
contacter"), for the establishment’s owner: their name (unless they gave anonymously), e-mail
address, date and message — confirmed gifts still standing only; the others stay hidden. The
CSV export is personal data leaving the product: it is audited."""

import csv
import io

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from solidaire.audit.events import record

from .models import STANDING_STATUSES, Gift

# A spreadsheet runs a cell that starts with one of these as a formula: donors type these texts.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def consenting_donors(registration):
    """The registration's gifts whose donor agreed to be contacted, newest first."""
    return (
        Gift.objects.filter(registration=registration, contact_consent=True, status__in=STANDING_STATUSES)
        .order_by("-confirmed_at", "-pk")
        .only("donor_name", "anonymous", "email", "confirmed_at", "public_message")
    )


def row(gift) -> dict:
    return {
        "name": "" if gift.anonymous else gift.donor_name,
        "email": gift.email,
        "date": gift.confirmed_at,
        "message": gift.public_message,
    }


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


@transaction.atomic
def export_csv(registration, *, actor) -> bytes:
    """The consenting donors as CSV (UTF-8 with its BOM, ";" between cells, as the product's
    other exports), recorded in the audit log."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Name"), _("E-mail address"), _("Date"), _("Message")])
    count = 0
    for gift in consenting_donors(registration).iterator():
        line = row(gift)
        when = date_format(timezone.localtime(line["date"]), "SHORT_DATETIME_FORMAT") if line["date"] else ""
        writer.writerow([_cell(line["name"]), _cell(line["email"]), when, _cell(line["message"])])
        count += 1
    record(
        collectivite=registration.campaign.collectivite,
        actor=actor,
        action="gift.donor_contacts_exported",
        obj=registration,
        label=f"{registration.establishment.trade_name} — {registration.campaign.title}",
        data={"count": count},
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
