"""The finance officers' payout pages: what is owed, preparing a batch, approving it (another
person, with two-factor authentication), its files, sent and paid, the bank’s statements, and the
account transfers leave from. Every change asks for a confirmation and goes through
payouts.actions (the same write paths as the command line)."""

from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from solidaire.accounts.access import has_capability, team_view
from solidaire.accounts.mfa import has_two_factor
from solidaire.accounts.roles import Capability
from solidaire.audit.events import record
from solidaire.core.errors import ActionError
from solidaire.core.money import format_cents

from . import account as bank_account
from . import actions, camt
from .access import (
    campaigns_for_finance,
    get_batch_for_finance,
    get_document_for_finance,
    get_import_for_finance,
    get_line_for_finance,
)
from .forms import AccountForm, ConfirmForm, FailedForm, MarkPaidForm, PrepareForm, StatementForm
from .models import Batch, BatchStatus, Channel, DocumentKind, LineStatus, PayoutSettings, Route, StatementImport
from .owed import REASON_LABELS, owed

CONTENT_TYPES = {
    DocumentKind.SEPA: "application/xml",
    DocumentKind.CSV: "text/csv; charset=utf-8",
    DocumentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DocumentKind.PDF: "application/pdf",
}


def two_factor_missing(request) -> bool:
    """Whether the setting asks for two-factor authentication and this person has none yet."""
    return settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA and not has_two_factor(request.user)


def end_of_day(day):
    """The cut-off for a day: its last instant (in the collectivité’s time), never after now."""
    moment = timezone.make_aware(datetime.combine(day, time.max))
    return min(moment, timezone.now())


def _summary(items) -> dict:
    payable = [item for item in items if not item.apart]
    apart = [item for item in items if item.apart]
    for item in apart:
        item.reasons = [REASON_LABELS[code] for code in item.apart]
    return {
        "payable": payable,
        "apart": apart,
        "total": sum(item.amount_cents for item in payable),
        "apart_total": sum(item.amount_cents for item in apart),
    }


@team_view(Capability.FINANCE)
def home(request):
    """Versements: per campaign, what every beneficiary is owed in each channel, the batches, and
    the form to prepare one (shown again with its content for confirmation)."""
    campaigns = list(campaigns_for_finance(request))
    campaign = next(
        (c for c in campaigns if c.slug == request.GET.get("campagne")), campaigns[0] if campaigns else None
    )
    context = {"campaigns": campaigns, "campaign": campaign, "two_factor_missing": two_factor_missing(request)}
    if campaign is None:
        return render(request, "payouts/home.html", context)
    form = PrepareForm(
        request.POST or None,
        initial={"channel": Channel.MATCHING, "route": Route.BANK, "cutoff": timezone.localdate()},
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cutoff = end_of_day(data["cutoff"])
        if not data["confirmed"]:
            try:
                provider = actions.transfer_provider(request.tenant, data["channel"], data["route"])
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                return _home(request, context, campaign, form, None)
            preview = _summary(owed(campaign, data["channel"], cutoff=cutoff, route=data["route"], provider=provider))
            preview["channel_label"] = Channel(data["channel"]).label
            preview["route_label"] = Route(data["route"]).label
            if not preview["payable"]:
                form.add_error(None, _("Nobody can be paid in this campaign up to this date."))
                preview = None
            else:
                form = PrepareForm(initial={**data, "confirmed": True})
        else:
            try:
                batch = actions.prepare_batch(
                    campaign=campaign,
                    channel=data["channel"],
                    actor=request.user,
                    cutoff=cutoff,
                    decision_reference=data["decision_reference"],
                    execution_date=data["execution_date"],
                    route=data["route"],
                )
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("Batch %(reference)s is prepared: another finance officer approves it.")
                    % {"reference": batch.reference},
                )
                return redirect("payouts:batch", pk=batch.pk)
    return _home(request, context, campaign, form, preview)


def _home(request, context, campaign, form, preview):
    now = timezone.now()
    context.update(
        {
            "form": form,
            "preview": preview,
            "channels": [
                {"value": value, "label": label, **_summary(owed(campaign, value, cutoff=now))}
                for value, label in Channel.choices
            ],
            "batches": Batch.objects.filter(collectivite=request.tenant, campaign=campaign).select_related(
                "prepared_by", "approved_by"
            )[:50],
            "account": PayoutSettings.objects.filter(collectivite=request.tenant).first(),
        }
    )
    return render(request, "payouts/home.html", context, status=400 if form.errors else 200)


@team_view(Capability.FINANCE)
def batch_page(request, pk: int):
    batch = get_batch_for_finance(request, pk)
    lines = list(batch.lines.order_by("legal_name", "pk"))
    return render(
        request,
        "payouts/batch.html",
        {
            "batch": batch,
            "lines": lines,
            "pending": [line for line in lines if line.status == LineStatus.PENDING],
            # Lines of a provider batch are marked paid by the provider’s notifications only.
            "can_mark_paid": batch.status == BatchStatus.SENT
            and batch.route == Route.BANK
            and any(line.status == LineStatus.PENDING for line in lines),
            "documents": batch.documents.defer("content"),
            "paid_form": MarkPaidForm(lines=[line for line in lines if line.status == LineStatus.PENDING]),
            "failed_form": FailedForm(),
            "can_approve": batch.status == BatchStatus.PREPARED and batch.prepared_by_id != request.user.pk,
            "two_factor_missing": two_factor_missing(request),
            "entries_url": reverse("audit:log") + f"?q={batch.reference}"
            if has_capability(request, Capability.VIEW_AUDIT)
            else "",
        },
    )


# Actions on a batch: each asks first (a confirmation page), then acts ------------------------------

QUESTIONS = {
    "approve": (
        lambda b: ngettext(
            "Approve batch %(reference)s: %(count)s transfer, %(total)s?",
            "Approve batch %(reference)s: %(count)s transfers, %(total)s in all?",
            b.lines_count,
        ),
        lambda: _("Its lines can no longer change, and its SEPA file and statement are made now."),
        lambda: _("Approve the batch"),
    ),
    "cancel": (
        lambda b: _("Cancel batch %(reference)s?"),
        lambda: _("What it held is owed again and waits for the next batch."),
        lambda: _("Cancel the batch"),
    ),
    "send": (
        lambda b: _("Mark batch %(reference)s as sent to the bank?"),
        lambda: _("Each beneficiary is told by e-mail that the payment is on its way."),
        lambda: _("Mark as sent"),
    ),
    "send_provider": (
        lambda b: _("Send the transfers of batch %(reference)s through the payment provider?"),
        lambda: _(
            "The provider moves each amount to the beneficiary’s account now; its notifications mark the lines paid. "
            "Each beneficiary is told by e-mail."
        ),
        lambda: _("Send the transfers"),
    ),
}

DONE = {
    "approve": lambda: _("The batch is approved: its files can be downloaded."),
    "cancel": lambda: _("The batch is cancelled; what it held is owed again."),
    "send": lambda: _("The batch is marked sent; the beneficiaries are told."),
    "send_provider": lambda: _("The transfers are asked of the payment provider; its notifications mark them paid."),
}


def _act(request, batch, what: str, do):
    form = ConfirmForm(request.POST)
    error = None
    if form.is_valid() and form.cleaned_data["confirmed"]:
        try:
            do(batch)
        except ActionError as exc:
            error = exc
        else:
            messages.success(request, DONE[what]())
            return redirect("payouts:batch", pk=batch.pk)
    question, consequence, button = QUESTIONS[what]
    return render(
        request,
        "payouts/confirm.html",
        {
            "batch": batch,
            "question": question(batch)
            % {"reference": batch.reference, "count": batch.lines_count, "total": format_cents(batch.total_cents)},
            "consequence": consequence(),
            "button": button(),
            "danger": what == "cancel",
            "error": error,
            "two_factor_error": error is not None and error.code == "two_factor",
        },
        status=400 if error else 200,
    )


@require_POST
@team_view(Capability.FINANCE)
def approve(request, pk: int):
    return _act(
        request,
        get_batch_for_finance(request, pk),
        "approve",
        lambda batch: actions.approve_batch(batch=batch, actor=request.user),
    )


@require_POST
@team_view(Capability.FINANCE)
def cancel(request, pk: int):
    return _act(
        request,
        get_batch_for_finance(request, pk),
        "cancel",
        lambda batch: actions.cancel_batch(batch=batch, actor=request.user),
    )


@require_POST
@team_view(Capability.FINANCE)
def mark_sent(request, pk: int):
    batch = get_batch_for_finance(request, pk)
    what = "send_provider" if batch.route == Route.PROVIDER else "send"
    return _act(request, batch, what, lambda batch: actions.mark_sent(batch=batch, actor=request.user))


@require_POST
@team_view(Capability.FINANCE)
def mark_paid(request, pk: int):
    """Ticked lines (or all still to be paid) marked paid, after a confirmation naming them."""
    batch = get_batch_for_finance(request, pk)
    pending = list(batch.lines.filter(status=LineStatus.PENDING).order_by("legal_name", "pk"))
    form = MarkPaidForm(request.POST or None, lines=pending)
    if not form.is_valid():
        messages.error(request, _("Tick lines of this batch that are still to be paid."))
        return redirect("payouts:batch", pk=batch.pk)
    chosen = form.cleaned_data["lines"]
    lines = [line for line in pending if line.pk in chosen] if chosen else pending
    if form.cleaned_data["confirmed"]:
        try:
            paid = actions.mark_paid(batch=batch, actor=request.user, lines=lines if chosen else None)
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                ngettext("%(count)s line marked paid.", "%(count)s lines marked paid.", len(paid))
                % {"count": len(paid)},
            )
        return redirect("payouts:batch", pk=batch.pk)
    return render(
        request,
        "payouts/confirm_paid.html",
        {"batch": batch, "lines": lines, "total": sum(line.amount_cents for line in lines), "chosen": chosen},
    )


@require_POST
@team_view(Capability.FINANCE)
def mark_failed(request, pk: int, line_pk: int):
    batch = get_batch_for_finance(request, pk)
    line = get_line_for_finance(request, batch, line_pk)
    form = FailedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason the bank gave."))
        return redirect("payouts:batch", pk=batch.pk)
    try:
        actions.mark_failed(line=line, actor=request.user, reason=form.cleaned_data["reason"])
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The transfer to %(name)s is marked failed: the amount is owed again.") % {"name": line.legal_name},
        )
    return redirect("payouts:batch", pk=batch.pk)


@team_view(Capability.FINANCE)
def document(request, pk: int, kind: str):
    """A file of an approved batch, exactly as it was made at approval (its SHA-256 on the
    batch's page); downloading it needs two-factor authentication and is audited."""
    batch = get_batch_for_finance(request, pk)
    doc = get_document_for_finance(request, batch, kind)
    if two_factor_missing(request):
        messages.error(request, _("Switch on two-factor authentication before downloading payment files."))
        return redirect("payouts:batch", pk=batch.pk)
    record(
        collectivite=request.tenant,
        actor=request.user,
        action="payout.batch_exported",
        obj=batch,
        label=f"{batch.reference} — {doc.name}",
        data={"kind": doc.kind, "sha256": doc.sha256, "via": "web"},
    )
    response = HttpResponse(bytes(doc.content), content_type=CONTENT_TYPES[doc.kind])
    response["Content-Disposition"] = f'attachment; filename="{doc.name}"'
    response["X-Content-SHA256"] = doc.sha256
    return response


@team_view(Capability.FINANCE)
def statements(request):
    """The bank’s account statements (camt.053): each imported once; credits matched by their
    end-to-end reference mark lines paid, returns mark them failed, the rest is listed."""
    form = StatementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["statement"]
        try:
            imported = camt.import_statement(
                collectivite=request.tenant, file_name=upload.name[:200], content=upload.read(), actor=request.user
            )
        except ActionError as exc:
            form.add_error("statement", exc.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Statement imported: %(matched)s line paid, %(unmatched)s entries not matched.",
                    "Statement imported: %(matched)s lines paid, %(unmatched)s entries not matched.",
                    len(imported.matched),
                )
                % {"matched": len(imported.matched), "unmatched": len(imported.unmatched)},
            )
            return redirect("payouts:statement", pk=imported.pk)
    return render(
        request,
        "payouts/statements.html",
        {
            "form": form,
            "imports": StatementImport.objects.filter(collectivite=request.tenant).select_related("imported_by")[:50],
        },
        status=400 if form.errors else 200,
    )


@team_view(Capability.FINANCE)
def statement(request, pk: int):
    return render(request, "payouts/statement.html", {"imported": get_import_for_finance(request, pk)})


@team_view(Capability.FINANCE)
def account_page(request):
    """The account transfers leave from: finance officers see it, administrators change it (with
    two-factor authentication, like approving)."""
    current = PayoutSettings.objects.filter(collectivite=request.tenant).first()
    can_change = has_capability(request, Capability.MANAGE_BRANDING)
    initial = (
        {
            "debtor_name": current.debtor_name,
            "iban": current.iban,
            "bic": current.bic,
            "pain_version": current.pain_version,
        }
        if current
        else {"debtor_name": request.tenant.name.upper()[:70]}
    )
    form = AccountForm(request.POST or None, initial=initial) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if two_factor_missing(request):
            form.add_error(
                None, _("Switch on two-factor authentication before changing the account payments leave from.")
            )
        elif form.is_valid():
            try:
                bank_account.save_account(collectivite=request.tenant, actor=request.user, **form.cleaned_data)
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("payouts:account")
    return render(
        request,
        "payouts/account.html",
        {"form": form, "account": current, "two_factor_missing": two_factor_missing(request)},
        status=400 if form is not None and form.errors else 200,
    )
