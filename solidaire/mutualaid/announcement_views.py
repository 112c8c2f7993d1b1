"""Announcements' pages: the team writes and edits them (/gestion/entraide/annonces/, moderators);
a member chooses what they receive (/entraide/preferences-annonces/) or, from the link of an
e-mail, stops receiving them without signing in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability
from solidaire.core.errors import ActionError

from . import announcements
from .access import get_network
from .announcement_forms import AnnouncementForm, PreferenceForm
from .models import Announcement

PAGE_SIZE = 20


def _error(form, exc: ActionError) -> None:
    field = {"commune": "commune_text"}.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


@team_view(Capability.MODERATE)
def manage(request):
    """The network's announcements, newest first, and the form of a new one."""
    form = AnnouncementForm(
        request.POST or None, instance=Announcement(collectivite=request.tenant), collectivite=request.tenant
    )
    if request.method == "POST" and form.is_valid():
        try:
            announcements.publish(announcement=form.to_announcement(), actor=request.user)
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The announcement is published and will be sent to the members who asked."))
            return redirect("mutualaid:announcements")
    rows = Announcement.objects.filter(collectivite=request.tenant).select_related("commune").order_by("-created_at")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mutualaid/announcement_manage.html",
        {"form": form, "page": page},
        status=400 if request.method == "POST" else 200,
    )


@team_view(Capability.MODERATE)
def edit(request, pk: int):
    try:
        announcement = Announcement.objects.get(pk=pk, collectivite=request.tenant)
    except Announcement.DoesNotExist as exc:
        raise Http404 from exc
    form = AnnouncementForm(request.POST or None, instance=announcement, collectivite=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            announcements.change(announcement=form.to_announcement(), actor=request.user)
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The announcement is saved."))
            return redirect("mutualaid:announcements")
    return render(
        request,
        "mutualaid/announcement_edit.html",
        {"form": form, "announcement": announcement},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def preferences(request):
    get_network(request)
    current = announcements.preference_of(request.tenant, request.user)
    initial = (
        {"choice": current.choice, "commune_text": current.commune.name if current.commune else ""} if current else {}
    )
    form = PreferenceForm(request.POST or None, initial=initial, collectivite=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            announcements.set_preference(
                collectivite=request.tenant,
                user=request.user,
                choice=form.cleaned_data["choice"],
                commune=form.commune,
            )
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Your choice is saved."))
            return redirect("mutualaid:announcement_preferences")
    return render(
        request,
        "mutualaid/announcement_preferences.html",
        {"form": form, "current": current},
        status=400 if request.method == "POST" else 200,
    )


# RFC 8058: mail programs unsubscribe with a POST of their own, without the page's CSRF token; the
# signed token in the address is what proves the link came from the e-mail.
@csrf_exempt
def unsubscribe(request, token: str):
    """The link of every announcement e-mail: one button (a GET changes nothing, so that mail
    scanners opening links unsubscribe nobody), and the one-click POST of List-Unsubscribe."""
    get_network(request)
    preference = announcements.preference_for_token(request.tenant, token)
    if preference is None:
        raise Http404
    done = False
    if request.method == "POST":
        announcements.unsubscribe(preference=preference)
        done = True
    return render(request, "mutualaid/announcement_unsubscribe.html", {"done": done})
