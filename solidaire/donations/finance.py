"""The finance officer's view of gifts: search, detail, refunds."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solidaire.accounts.access import require_capability, team_view
from solidaire.accounts.roles import Capability
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError

from . import actions
from .models import Gift, GiftStatus


class RefundForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the refund"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )


@team_view(Capability.FINANCE)
def gift_list(request):
    gifts = Gift.objects.filter(collectivite=request.tenant).select_related("registration__establishment", "campaign")
    status = request.GET.get("status", "")
    if status in GiftStatus.values:
        gifts = gifts.filter(status=status)
    campaign = request.GET.get("campaign", "")
    if campaign:
        gifts = gifts.filter(campaign__slug=campaign)
    reference = request.GET.get("q", "").strip().lower()
    if reference:
        gifts = gifts.filter(pk__startswith=reference) if len(reference) >= 8 else gifts.none()
    page = Paginator(gifts.order_by("-created_at"), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "donations/finance_list.html",
        {
            "page": page,
            "statuses": GiftStatus.choices,
            "status": status,
            "q": reference,
            "campaigns": Campaign.objects.for_tenant(request.tenant),
            "campaign": campaign,
            "querystring": params.urlencode(),
        },
    )


@team_view(Capability.FINANCE)
def gift_detail(request, gift_id):
    require_capability(request, Capability.FINANCE)
    gift = (
        Gift.objects.select_related("registration__establishment", "campaign")
        .filter(pk=gift_id, collectivite=request.tenant)
        .first()
    )
    if gift is None:
        raise Http404
    form = RefundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_refund(gift=gift, actor=request.user, reason=form.cleaned_data["reason"])
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("The refund is asked for; it is applied when the payment provider confirms it.")
            )
            return redirect("donations:finance_gift", gift_id=gift.pk)
    return render(
        request,
        "donations/finance_detail.html",
        {
            "gift": gift,
            "form": form,
            "entries": gift.entries.prefetch_related("postings__account"),
        },
        status=400 if form.errors else 200,
    )
