"""The exports page of the back office (ask, follow, download) and the owner's dashboard."""

import io

import pygal
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from solidaire.accounts.access import capabilities_for, team_view
from solidaire.accounts.roles import Capability
from solidaire.audit.events import record
from solidaire.beneficiaries.access import get_registration_for_owner
from solidaire.beneficiaries.models import Registration
from solidaire.core.money import format_cents
from solidaire.core.svg import svg_picture_policy, svg_response
from solidaire.reporting import charts

from . import actions, tables, writers
from .access import get_export_for_requester, my_exports
from .forms import ExportForm
from .models import WORKING, ExportFormat

# How many exports one person may ask for (django-ratelimit, in the shared cache).
EXPORTS_PER_HOUR = "20/h"


def _status(export) -> dict:
    return {
        "id": export.pk,
        "status": export.status,
        "label": str(export.get_status_display()),
        "done": export.rows_done,
        "total": export.rows_total,
        "percent": export.percent,
        "rows": export.row_count,
        "download": reverse("exports:download", args=[export.pk]) if export.ready else None,
    }


@never_cache
@team_view(Capability.VIEW_DASHBOARD)
def home(request):
    capabilities = capabilities_for(request)
    initial = {"kind": request.GET.get("type", ""), "campaign": request.GET.get("campagne", "")}
    form = ExportForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        tenant=request.tenant,
        capabilities=capabilities,
    )
    status = 200
    if request.method == "POST":
        if is_ratelimited(
            request, group="export-request", key="user", rate=EXPORTS_PER_HOUR, method="POST", increment=True
        ):
            form.is_valid()
            form.add_error(None, _("Too many exports asked for: wait an hour."))
            status = 429
        elif form.is_valid():
            actions.request_export(
                collectivite=request.tenant,
                actor=request.user,
                capabilities=capabilities,
                kind=form.cleaned_data["kind"],
                fmt=form.cleaned_data["format"],
                campaign=form.cleaned_data["campaign"],
                language=get_language() or "fr",
            )
            messages.success(request, _("Your export is being built: it will be offered below when ready."))
            return redirect("exports:home")
        else:
            status = 400
    exports = list(my_exports(request)[:50])
    return render(
        request,
        "exports/home.html",
        {
            "form": form,
            "exports": exports,
            "working": any(export.status in WORKING for export in exports),
            "finance": Capability.FINANCE in capabilities,
            "keep_days": actions.KEEP_FOR.days,
        },
        status=status,
    )


@never_cache
@require_GET
@team_view(Capability.VIEW_DASHBOARD)
def status(request, pk: int):
    export = get_export_for_requester(request, pk)
    response = JsonResponse(_status(export))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@team_view(Capability.VIEW_DASHBOARD)
def download(request, pk: int):
    export = get_export_for_requester(request, pk)
    if not export.ready or export.expires_at <= timezone.now():
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = export.file.name.rsplit("/", 1)[-1]
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=writers.CONTENT_TYPES[export.format]
    )
    response["Cache-Control"] = "no-store"
    return response


# The owner's dashboard -------------------------------------------------------------------------------


def _owner_figures(registration):
    days = tables.per_day(tables.owner_gifts_query(registration))
    vouchers = tables.voucher_totals(Registration.objects.filter(pk=registration.pk)).values(
        "issued", "value_issued", "redeemed", "live", "outstanding"
    )[0]
    return days, vouchers


@never_cache
@login_required
def owner_dashboard(request, pk: int):
    registration = get_registration_for_owner(request, pk)
    days, vouchers = _owner_figures(registration)
    gifts = tables.owner_gifts_query(registration).order_by("-confirmed_at", "-pk")
    page = Paginator(gifts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "exports/owner_dashboard.html",
        {
            "registration": registration,
            "establishment": registration.establishment,
            "days": [
                {"day": day, "count": count, "given": given, "match": match, "reversed": back}
                for day, count, given, match, back in days
            ],
            "vouchers": vouchers,
            "page": page,
            "gifts": [
                dict(zip(("date", "amount", "match", "name", "message"), tables.owner_gift_row(g), strict=True))
                for g in page
            ],
        },
    )


def chart_svg(days) -> str:
    """Given per day (gifts and public match, stacked), drawn by pygal without any script."""
    language = get_language()
    chart = pygal.StackedBar(
        title=_("Given per day"),
        style=charts.STYLE,
        js=[],
        width=800,
        height=320,
        legend_at_bottom=True,
        disable_xml_declaration=True,
        no_data_text=_("No gifts"),
        show_minor_x_labels=False,
        x_label_rotation=30,
        value_formatter=lambda euros: format_cents(round((euros or 0) * 100), language),
    )
    labels = [day.isoformat() for day, *_rest in days]
    chart.x_labels = labels
    chart.x_labels_major = labels[:: max(len(labels) // 10, 1)]
    chart.add(_("Gifts"), [given / 100 for _day, _count, given, _match, _back in days])
    chart.add(_("Public match"), [match / 100 for _day, _count, _given, match, _back in days])
    return charts.without_scripts(chart.render(is_unicode=True))


@never_cache
@login_required
@require_GET
@svg_picture_policy
def owner_chart(request, pk: int):
    registration = get_registration_for_owner(request, pk)
    days, _vouchers = _owner_figures(registration)
    return svg_response(chart_svg(days))


@never_cache
@login_required
@require_GET
def owner_export(request, pk: int, fmt: str):
    """The owner's gifts as CSV or XLSX, made at once (one establishment’s gifts are few) and
    written to the audit log (donors' names and messages)."""
    registration = get_registration_for_owner(request, pk)
    if fmt not in ExportFormat.values:
        raise Http404
    out = io.BytesIO()
    with transaction.atomic():
        count = writers.write(tables.owner_gifts(registration), fmt, out, title=_("Gifts"))
        record(
            collectivite=registration.campaign.collectivite,
            actor=request.user,
            action="export.owner_gifts",
            obj=registration,
            label=f"{registration.establishment.trade_name} — {registration.campaign.title}",
            data={"format": fmt, "rows": count},
        )
    name = slugify(f"dons-{registration.establishment.trade_name}-{registration.campaign.slug}") or "dons"
    response = HttpResponse(out.getvalue(), content_type=writers.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
