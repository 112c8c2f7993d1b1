"""The owner's side of payouts: on their registration, what is owed to the establishment, what is
in a batch, what was paid and when, each payment’s detail, and their own statement (PDF)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from solidaire.beneficiaries.access import get_registration_for_owner

from . import owner_documents
from .models import Channel, Line, LineStatus
from .owed import REASON_LABELS, position, reasons_apart


def _lines(registration):
    return (
        Line.objects.filter(registration=registration)
        .exclude(status=LineStatus.CANCELLED)
        .select_related("batch")
        .order_by("-batch__prepared_at", "-pk")
    )


@login_required
def payouts_page(request, pk: int):
    registration = get_registration_for_owner(request, pk)
    where = position(registration)
    channels = []
    for value, label in Channel.choices:
        waiting = (
            reasons_apart(registration, where.owed[value], registration.campaign.payout_minimum_cents)
            if where.owed[value]
            else []
        )
        channels.append(
            {
                "label": label,
                "owed": where.owed[value],
                "in_batch": where.in_batch[value],
                "paid": where.paid[value],
                "waiting": [REASON_LABELS[code] for code in waiting],
            }
        )
    return render(
        request,
        "payouts/owner.html",
        {
            "registration": registration,
            "establishment": registration.establishment,
            "channels": channels,
            "lines": _lines(registration),
        },
    )


@login_required
def statement_pdf(request, pk: int):
    registration = get_registration_for_owner(request, pk)
    content = owner_documents.statement_pdf(registration, position(registration), list(_lines(registration)))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="releve-versements-{registration.pk}.pdf"'
    return response
