"""The follow-up pages of the back office (/gestion/entraide/suivi/), for moderators: the queue of
requests left without an answer or in progress for too long, one request with its follow-up notes
(and the forms to add one or to write to its author); and the figures per week, for whoever
reads the dashboards."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability
from solidaire.core.errors import ActionError

from . import followup, notes
from .access import get_post_for_moderator
from .followup_forms import AuthorMessageForm, NoteForm

QUEUE_SIZE = 25


@team_view(Capability.MODERATE)
def queue(request):
    posts = followup.queue(request.tenant)
    page = Paginator(posts, QUEUE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mutualaid/followup.html",
        {"page": page, "hours": followup.hours_of(request.tenant), "days": followup.IN_PROGRESS_DAYS},
    )


@team_view(Capability.MODERATE)
def request_page(request, pk: int):
    """A request seen by the collectivité: its follow-up notes, a new note (POST "note"), a
    message to its author through the relay (POST "message")."""
    post = get_post_for_moderator(request, pk)
    note_form = NoteForm(request.POST if "note" in request.POST else None)
    message_form = AuthorMessageForm(request.POST if "message" in request.POST else None)
    status = 200
    if request.method == "POST":
        status = 400
        form = note_form if "note" in request.POST else message_form
        if form.is_valid():
            try:
                if form is note_form:
                    followup.note(post=post, staff=request.user, **form.cleaned_data)
                    done = _("The follow-up is noted.")
                else:
                    followup.write_to_author(post=post, staff=request.user, text=form.cleaned_data["text"])
                    done = _("Your message is sent to the author.")
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, done)
                return redirect("mutualaid:follow_up_request", post.pk)
    return render(
        request,
        "mutualaid/followup_request.html",
        {
            "post": post,
            "notes": post.follow_ups.select_related("staff", "conversation")[:100],
            "answers": followup.answers(post).count(),
            "private_notes": notes.about_post(post),
            "note_form": note_form,
            "message_form": message_form,
        },
        status=status,
    )


@team_view(Capability.VIEW_DASHBOARD)
def figures(request):
    return render(request, "mutualaid/followup_figures.html", {"figures": followup.figures(request.tenant)})
