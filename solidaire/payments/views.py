from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability
from solidaire.audit.events import record
from solidaire.beneficiaries.access import get_establishment_for_team
from solidaire.beneficiaries.models import Establishment
from solidaire.core.money import MoneyParseError, parse_euros
from solidaire.core.redirects import safe_next
from solidaire.geo.text import fold

from . import inbox, reasons
from .actions import set_connect_account
from .forms import ConnectAccountForm, PaymentAccountForm
from .models import Notification, NotificationStatus, PaymentAccount, SandboxCheckout
from .providers import ProviderError, provider_for
from .providers.sandbox import OUTCOMES, SandboxProvider

# Valid notifications come in bursts (a campaign’s last day); rejected ones are anyone's posts.
NOTIFICATIONS_PER_MINUTE = "600/m"
REJECTED_NOTIFICATIONS_PER_MINUTE = "30/m"


def _too_many_rejected(request) -> bool:
    """Counts one rejected delivery from the client's address: True once there were too many."""
    return is_ratelimited(
        request,
        group="payments-notifications-rejected",
        key="ip",
        rate=REJECTED_NOTIFICATIONS_PER_MINUTE,
        increment=True,
    )


def _declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _read_body(request, limit: int) -> tuple[bytes, bool]:
    """(the body, False), or (what was read of it, True) when it is larger than `limit`: no
    more than limit + 1 bytes are read, none when its declared length is already too large."""
    if (_declared_length(request) or 0) > limit:
        return b"", True
    body = request.read(limit + 1)
    return body, len(body) > limit


def _rate_limited():
    return JsonResponse({"error": "rate limited"}, status=429)


@csrf_exempt
@require_POST
@ratelimit(key="ip", rate=NOTIFICATIONS_PER_MINUTE, block=False)
def notifications(request, provider: str):
    """Where providers send their notifications (signed; CSRF does not apply). A body larger
    than SOLIDAIRE_NOTIFICATION_MAX_BYTES is answered 413; rejected deliveries count against a
    tighter limit than valid ones, checked before anything is stored."""
    if getattr(request, "limited", False):
        return _rate_limited()
    limit = settings.SOLIDAIRE_NOTIFICATION_MAX_BYTES
    body, too_large = _read_body(request, limit)
    if too_large:
        if _too_many_rejected(request):
            return _rate_limited()
        notification = inbox.reject(
            collectivite=request.tenant,
            provider_name=provider,
            body=body,
            complete=False,
            size=max(_declared_length(request) or 0, len(body)) or None,
            headers=request.headers,
            reason=f"body larger than {limit} bytes",
        )
        return JsonResponse({"status": notification.status, "id": None}, status=413)
    status, notification = inbox.receive(
        collectivite=request.tenant,
        provider_name=provider,
        body=body,
        headers=request.headers,
        too_many_rejected=lambda: _too_many_rejected(request),
    )
    if notification is None:
        return _rate_limited()
    return JsonResponse({"status": notification.status, "id": notification.event_id}, status=status)


def _sandbox_checkout(request, checkout_id) -> tuple[SandboxCheckout, SandboxProvider]:
    checkout = SandboxCheckout.objects.filter(pk=checkout_id, collectivite=request.tenant).first()
    try:
        provider = provider_for(request.tenant, "sandbox")
    except ProviderError as exc:
        raise Http404 from exc
    if checkout is None:
        raise Http404
    return checkout, provider


def _sandbox_act(provider, checkout, data) -> str:
    """What a button of the hosted page does; returns where to send the payer ("" to stay)."""
    action = data.get("outcome", "")
    if action == "abandon":
        provider.abandon(checkout.pk)
        return checkout.cancel_url
    if action == "dispute":
        amount = data.get("amount", "").strip()
        try:
            cents = parse_euros(amount) if amount else None
        except MoneyParseError as exc:
            raise ProviderError(_("Enter an amount in euros, such as 5 or 2.50.")) from exc
        provider.open_dispute(checkout.pk, cents)
        return ""
    if action in ("dispute_won", "dispute_lost"):
        provider.close_dispute(checkout.pk, won=action == "dispute_won")
        return ""
    provider.pay(checkout.pk, action, data.get("card", ""))
    return checkout.cancel_url if action == "decline" else checkout.success_url


def sandbox_checkout(request, checkout_id: str):
    """The sandbox's hosted payment page. Buttons (or a scripted POST with `outcome`) choose
    what happens — and afterwards, as the card holder’s bank would, a dispute and its outcome —
    and the notifications go out as a real provider’s would."""
    checkout, provider = _sandbox_checkout(request, checkout_id)
    error = ""
    if request.method == "POST":
        try:
            target = _sandbox_act(provider, checkout, request.POST)
        except ProviderError as exc:
            error = str(exc)
        else:
            # Back to the site the checkout came from, never elsewhere; "" stays on this page.
            return HttpResponseRedirect(safe_next(request, request.path, url=target) if target else request.path)
    return render(
        request,
        "payments/sandbox_checkout.html",
        {
            "checkout": checkout,
            "outcomes": OUTCOMES,
            "error": error,
            "back_url": safe_next(request, "core:home", url=checkout.success_url),
        },
        status=400 if error else 200,
    )


@team_view(Capability.FINANCE)
def notifications_log(request):
    rows = Notification.objects.filter(collectivite=request.tenant)
    status = request.GET.get("status", "")
    if status in NotificationStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for notification in page:
        notification.explained = reasons.explain(notification.reason)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "payments/notifications.html",
        {
            "page": page,
            "statuses": NotificationStatus.choices,
            "status": status,
            "querystring": params.urlencode(),
            "excerpt_bytes": inbox.REJECTED_EXCERPT_BYTES,
        },
    )


@team_view(Capability.MANAGE_BRANDING)
def settings_page(request):
    account, _created = PaymentAccount.objects.get_or_create(collectivite=request.tenant)
    form = PaymentAccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(
            collectivite=request.tenant,
            actor=request.user,
            action="payments.settings_changed",
            obj=account,
            data={"fields": sorted(form.changed_data)},
        )
        messages.success(request, _("Your changes are saved."))
        return redirect("payments:settings")
    return render(
        request, "payments/settings.html", {"form": form, "account": account}, status=400 if form.errors else 200
    )


@team_view(Capability.MANAGE_BRANDING)
def connect_accounts(request):
    """The collectivité’s establishments and the Stripe account each is paid on (Connect)."""
    rows = (
        Establishment.objects.filter(collectivite=request.tenant)
        .select_related("commune")
        .order_by("search_text", "pk")
    )
    query = request.GET.get("q", "").strip()[:100]
    if query:
        folded, digits = fold(query), query.replace(" ", "")
        rows = rows.filter(Q(search_text__contains=folded) | Q(siret__startswith=digits) | Q(rna__iexact=digits))
    missing = request.GET.get("missing") == "1"
    if missing:
        rows = rows.filter(stripe_account_id="")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    account = PaymentAccount.objects.filter(collectivite=request.tenant).first()
    return render(
        request,
        "payments/connect_accounts.html",
        {
            "page": page,
            "q": query,
            "missing": missing,
            "querystring": params.urlencode(),
            "connect_on": bool(account and account.stripe_connect),
        },
    )


@team_view(Capability.MANAGE_BRANDING)
def connect_account(request, pk: int):
    establishment = get_establishment_for_team(request, pk, Capability.MANAGE_BRANDING)
    form = ConnectAccountForm(request.POST or None, initial={"stripe_account_id": establishment.stripe_account_id})
    if request.method == "POST" and form.is_valid():
        changed = set_connect_account(
            establishment=establishment, account_id=form.cleaned_data["stripe_account_id"], actor=request.user
        )
        messages.success(request, _("Your changes are saved.") if changed else _("Nothing changed."))
        return redirect("payments:connect_accounts")
    return render(
        request,
        "payments/connect_account.html",
        {"form": form, "establishment": establishment},
        status=400 if form.errors else 200,
    )
