"""The finance officer's view of gifts: search, detail, refunds."""

import re

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from solidaire.core.forms import EuroField
from solidaire.core.money import cents_to_input, format_cents
from solidaire.matching.identity import donor_key
from solidaire.payments.models import ProviderName

from .books import entry_label, match_share
from .models import Gift, GiftStatus
from .refunds import new_request_key, request_refund


class RefundForm(forms.Form):
    amount = EuroField(
        label=gettext_lazy("Amount to refund (€)"),
        help_text=gettext_lazy("All that is left of the gift, or part of it: the match is reversed in proportion."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the refund"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The form is shown again for confirmation before anything is asked of the provider; the
    # confirmation carries a key, so that submitting it twice makes one refund.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    key = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False, widget=forms.HiddenInput)


REFERENCE = re.compile(r"^[0-9a-f-]{8,36}$")


def search(query: str) -> Q:
    """One search box: a donor’s e-mail address (however it is written: the donor key folds case,
    +tags and dots, and is indexed), an establishment’s name, or a gift's reference (its first 8
    characters at least, as the pages show it). The caller scopes it to its collectivité, and
    the list is paginated."""
    found = Q(registration__establishment__trade_name__icontains=query) | Q(
        registration__establishment__legal_name__icontains=query
    )
    if "@" in query:
        found |= Q(donor_key=donor_key(query)) | Q(email=query.lower())
    if REFERENCE.match(query.lower()):
        found |= Q(pk__startswith=query.lower())
    return found


@team_view(Capability.FINANCE)
def gift_list(request):
    gifts = Gift.objects.filter(collectivite=request.tenant).select_related("registration__establishment", "campaign")
    status = request.GET.get("status", "")
    if status in GiftStatus.values:
        gifts = gifts.filter(status=status)
    campaign = request.GET.get("campaign", "")
    if campaign:
        gifts = gifts.filter(campaign__slug=campaign)
    query = request.GET.get("q", "").strip()[:120]
    if query:
        gifts = gifts.filter(search(query))
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
            "q": query,
            "campaigns": Campaign.objects.for_tenant(request.tenant),
            "campaign": campaign,
            "querystring": params.urlencode(),
        },
    )


@team_view(Capability.FINANCE)
def gift_detail(request, gift_id):
    """A gift's money, journal, refunds and disputes; a refund is asked in two steps: the form,
    then a confirmation of what will happen."""
    gift = (
        Gift.objects.select_related("registration__establishment", "campaign")
        .filter(pk=gift_id, collectivite=request.tenant)
        .first()
    )
    if gift is None:
        raise Http404
    initial = {"amount": cents_to_input(gift.refundable_cents)}
    form = RefundForm(request.POST or None, initial=initial)
    confirming = False
    if request.method == "POST" and form.is_valid():
        amount = form.cleaned_data["amount"]
        if not form.cleaned_data["confirmed"]:
            if not 0 < amount <= gift.refundable_cents:
                form.add_error(
                    "amount",
                    _("Refund between %(low)s and %(high)s.")
                    % {"low": format_cents(1), "high": format_cents(gift.refundable_cents)},
                )
            else:
                confirming = True
                form = RefundForm(initial={**form.cleaned_data, "confirmed": True, "key": new_request_key()})
        else:
            try:
                request_refund(
                    gift=gift,
                    amount_cents=amount,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    request_key=form.cleaned_data["key"],
                )
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
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
            "confirming": confirming,
            "match_back": _match_back(gift, form) if confirming else 0,
            "entries": _journal(gift),
            "provider_label": ProviderName(gift.provider).label if gift.provider in ProviderName.values else "",
            "refunds": gift.refunds.select_related("requested_by"),
            "disputes": gift.disputes.all(),
        },
        status=400 if form.errors else 200,
    )


def _journal(gift) -> list[dict]:
    """The gift's journal in words: each entry's kind and each account's kind by their labels
    (never an internal code), with whose account it is."""
    rows = []
    for entry in gift.entries.prefetch_related("postings__account"):
        for posting in entry.postings.all():
            account = posting.account
            if account.registration_id:
                whose = gift.registration.establishment.trade_name
            elif account.provider:
                whose = ProviderName(account.provider).label if account.provider in ProviderName.values else ""
            else:
                whose = ""
            rows.append(
                {
                    "entry": entry_label(entry.kind),
                    "account": account.get_kind_display(),
                    "whose": whose,
                    "amount_cents": posting.amount_cents,
                }
            )
    return rows


def _match_back(gift, form) -> int:
    """What the refund being confirmed takes back of the match."""
    amount = form.initial["amount"]
    return min(match_share(gift, amount), gift.match_standing_cents)
