"""A donor’s own space: asked for by e-mail (the link proves the mailbox, no account needed) or
reached from "my account"; their gifts across collectivités, receipts and vouchers; their data
as a zip; erasure."""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from solidaire.core.emails import send_templated
from solidaire.core.errors import ActionError
from solidaire.core.ratelimits import mailbox_key
from solidaire.donations.notifications import gift_url
from solidaire.mutualaid import personal_data as mutual_aid
from solidaire.tenants.resolution import tenant_url
from solidaire.vouchers.documents import private_url
from solidaire.vouchers.models import Voucher

from . import actions, identity
from .export import archive
from .forms import EraseForm, LinkForm

# Against e-mail bombing and probing: few links per address and per mailbox.
RATE_PER_IP = "20/h"
RATE_PER_EMAIL = "3/h"


def _limited(request, email: str) -> bool:
    by_ip = is_ratelimited(request, group="privacy-link-ip", key="ip", rate=RATE_PER_IP, method="POST", increment=True)
    by_email = is_ratelimited(
        request, group="privacy-link-email", key=mailbox_key(email), rate=RATE_PER_EMAIL, method="POST", increment=True
    )
    return by_ip or by_email


def _send_link(request, email: str) -> None:
    """Only to an address that gave or has an account: the page says the same either way."""
    person = identity.Person(email=email, user=identity.account_for(email))
    if person.user is None and not person.gifts().exists():
        return
    language = translation.get_language() or "fr"
    with translation.override(language):
        path = reverse("privacy:open", args=[identity.make_token(email)])
    send_templated(
        to=email,
        template="privacy/email/link",
        language=language,
        collectivite=request.tenant,
        context={"url": tenant_url(request.tenant, path), "minutes": identity.link_minutes()},
    )


@never_cache
def ask(request):
    """The form asking for a link; the same answer whatever the address."""
    if identity.person_for(request) is not None and request.method == "GET":
        return redirect("privacy:space")
    form = LinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if _limited(request, email):
            form.add_error(None, _("Too many links were asked for in a short time. Please try again later."))
            return render(request, "privacy/ask.html", {"form": form}, status=429)
        _send_link(request, email)
        return render(request, "privacy/sent.html", {"minutes": identity.link_minutes()})
    return render(request, "privacy/ask.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
def open_link(request, token: str):
    email = identity.read_token(token)
    if email is None:
        return render(request, "privacy/link_invalid.html", status=400)
    identity.open_space(request, email)
    return redirect("privacy:space")


def _person_or_ask(request):
    person = identity.person_for(request)
    if person is None:
        messages.info(request, _("Enter your e-mail address to receive a link to your space."))
    return person


def _rows(person):
    gifts = list(
        person.gifts().select_related("collectivite", "campaign", "registration__establishment").order_by("-created_at")
    )
    vouchers = {v.gift_id: v for v in Voucher.objects.filter(gift__in=[g.pk for g in gifts]).select_related("gift")}
    return [
        {
            "gift": g,
            "url": gift_url(g),
            "voucher": vouchers.get(g.pk),
            "voucher_url": private_url(vouchers[g.pk]) if g.pk in vouchers else "",
        }
        for g in gifts
    ]


@never_cache
def space(request):
    person = _person_or_ask(request)
    if person is None:
        return redirect("privacy:ask")
    return render(
        request,
        "privacy/space.html",
        {
            "person": person,
            "rows": _rows(person),
            "today": timezone.localdate(),
            "by_link": not identity.verified_user(request.user),
        },
    )


@never_cache
def download(request):
    person = _person_or_ask(request)
    if person is None:
        return redirect("privacy:ask")
    data = archive(person)
    actions.record_export(person, collectivite=request.tenant, gifts=person.gifts().count())
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{timezone.localdate():%Y-%m-%d}.zip"'
    return response


@never_cache
def erase(request):
    person = _person_or_ask(request)
    if person is None:
        return redirect("privacy:ask")
    refusal = actions.erasure_refusal(person)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            actions.erase(person)
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            if request.user.is_authenticated:
                logout(request)
            request.session.flush()
            messages.success(request, _("Your personal data is erased."))
            return redirect("privacy:ask")
    return render(
        request,
        "privacy/erase.html",
        {
            "person": person,
            "form": form,
            "refusal": refusal,
            "gifts": person.gifts().count(),
            "mutual_aid": mutual_aid.summary(person.user),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def leave(request):
    """Closes a space opened by a link (an account's space closes with signing out)."""
    identity.close_space(request)
    return redirect("privacy:ask")
