import secrets

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from solidaire.beneficiaries.access import get_public_registration
from solidaire.campaigns.access import get_public_campaign
from solidaire.core.errors import ActionError
from solidaire.core.ratelimits import client_address, mailbox_key

from . import actions
from .books import beneficiary_share
from .forms import GiftForm
from .models import PAID_STATUSES, Gift, GiftStatus

# Against card testing and budget farming: starting a checkout is limited per address and
# per e-mail address (the provider limits card attempts on its own page).
RATE_PER_IP = "20/h"
RATE_PER_EMAIL = "10/h"
# The provider sends the donor back to the gift's page with this mark: they paid (or tried to) on
# its page, and the page says the payment is being confirmed, not "Pay", until the provider’s
# first notification moves the gift on.
RETURNED = "returned"
# A random id kept by the donor’s browser (signed cookie): how many unpaid reservations one
# browser holds at once is limited (donations.actions.check_open_holds).
DEVICE_COOKIE = "solidaire_device"
DEVICE_COOKIE_DAYS = 30


def device_id(request) -> tuple[str, bool]:
    """The browser's id, and whether it is new (to be set on the response)."""
    known = request.get_signed_cookie(DEVICE_COOKIE, default="", salt="solidaire.device")
    return (known, False) if known else (secrets.token_urlsafe(16), True)


def remember_device(response, device: str):
    response.set_signed_cookie(
        DEVICE_COOKIE,
        device,
        salt="solidaire.device",
        max_age=DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def gift_urls(request, gift) -> dict:
    """Where the provider sends the donor back, and where it sends its notifications."""
    page = request.build_absolute_uri(reverse("donations:gift", args=[gift.pk])) + f"?t={gift.token}"
    with translation.override(settings.LANGUAGE_CODE):
        notify = request.build_absolute_uri(reverse("payments:notifications", args=[gift.provider]))
    return {"success_url": f"{page}&{RETURNED}=1", "cancel_url": page + "&cancelled=1", "notify_url": notify}


def is_limited(request, email: str) -> bool:
    by_ip = is_ratelimited(request, group="gift-start-ip", key="ip", rate=RATE_PER_IP, method="POST", increment=True)
    by_email = is_ratelimited(
        request,
        group="gift-start-email",
        key=mailbox_key(email),
        rate=RATE_PER_EMAIL,
        method="POST",
        increment=True,
    )
    return by_ip or by_email


@require_POST
def start(request, slug: str, pk: int):
    campaign = get_public_campaign(request, slug)
    registration = get_public_registration(campaign, pk)
    form = GiftForm(request.POST, campaign=campaign)
    limited = False
    device, new_device = device_id(request)
    if form.is_valid():
        limited = is_limited(request, form.cleaned_data["email"])
        if limited:
            form.add_error(None, _("Too many gifts were started from here in a short time. Please try again later."))
        else:
            try:
                gift, _token = actions.create_gift(
                    registration=registration,
                    amount_cents=form.cleaned_data["amount_cents"],
                    email=form.cleaned_data["email"],
                    donor_name=form.cleaned_data["donor_name"],
                    public_message=form.cleaned_data["public_message"],
                    anonymous=form.cleaned_data["anonymous"],
                    contact_consent=form.cleaned_data["contact_consent"],
                    voucher_reminder=form.cleaned_data["voucher_reminder"],
                    language=translation.get_language() or "fr",
                    user=request.user,
                    client_address=client_address(request),
                    device_id=device,
                )
                actions.open_checkout(gift, **gift_urls(request, gift))
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                limited = exc.code == "too_many_open_gifts"
            else:
                response = redirect(f"{reverse('donations:gift', args=[gift.pk])}?t={gift.token}")
                return remember_device(response, device) if new_device else response
    response = render(
        request,
        "donations/gift_form_page.html",
        {"campaign": campaign, "registration": registration, "establishment": registration.establishment, "form": form},
        status=429 if limited else 400,
    )
    return remember_device(response, device) if new_device else response


def _gift_for_donor(request, gift_id, token: str) -> Gift:
    """A gift of the request's collectivité, for whoever holds its secret token (404 otherwise)."""
    gift = (
        Gift.objects.select_related("registration__establishment", "campaign__collectivite")
        .filter(pk=gift_id, collectivite=request.tenant)
        .first()
    )
    if gift is None or not gift.check_token(token):
        raise Http404
    return gift


@never_cache
def gift_page(request, gift_id):
    """The donor’s private page for one gift: before paying (the match promised and until when),
    then the truth about the payment. Reached with the secret token only. With
    `fragment=status`, only the part that changes with the payment (the page asks for it while
    it waits).

    Back from the provider’s page (`returned=1`) before its first notification, the gift is
    still pending: the page says the payment is being confirmed instead of asking for it again.
    Once the provider has spoken, the mark means nothing and the page is at its own address."""
    gift = _gift_for_donor(request, gift_id, request.GET.get("t", ""))
    returned = request.GET.get(RETURNED) == "1"
    fragment = request.GET.get("fragment") == "status"
    if returned and not fragment and gift.status != GiftStatus.PENDING:
        return redirect(f"{reverse('donations:gift', args=[gift.pk])}?t={gift.token}")
    context = {
        "gift": gift,
        "campaign": gift.campaign,
        "establishment": gift.registration.establishment,
        "registration": gift.registration,
        "confirming": returned and gift.status == GiftStatus.PENDING,
        "share": beneficiary_share(gift),
    }
    if fragment:
        response = render(request, "donations/includes/gift_status.html", context)
        response["X-Gift-Status"] = gift.status
        return response
    if request.GET.get("cancelled") and gift.status not in PAID_STATUSES:
        # The provider’s cancel address, but it may be reached after paying (another tab, the
        # back button): a paid gift must not be said unpaid.
        messages.info(request, _("The payment was not completed."))
    return render(request, "donations/gift.html", context)


@require_POST
def cancel(request, gift_id):
    """The donor gives up before paying: the provider closes its page, and its notification
    releases the public money reserved at once."""
    gift = _gift_for_donor(request, gift_id, request.POST.get("t", ""))
    actions.abandon_checkout(gift)
    messages.info(request, _("Your gift is cancelled; no money was taken."))
    return redirect(f"{reverse('donations:gift', args=[gift.pk])}?t={gift.token}")
