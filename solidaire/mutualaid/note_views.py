"""Private notes' pages: the form a post's author or helper fills once it is done
(/entraide/mes-annonces/<id>/note/), and the moderators' list of notes (/gestion/entraide/retours/)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability
from solidaire.core.errors import ActionError

from . import notes
from .access import get_network, get_post_for_note

PAGE_SIZE = 25


class PrivateNoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your note to the collectivité"),
        max_length=notes.NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "How did it go? Only the collectivité’s team reads it, never the other person. You can change it later."
        ),
    )


@login_required
def private_note(request, pk: int):
    get_network(request)
    post = get_post_for_note(request, pk)
    current = notes.note_of(post, request.user)
    form = PrivateNoteForm(request.POST or None, initial={"text": current.text} if current else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                notes.save(post=post, user=request.user, text=form.cleaned_data["text"])
            except ActionError as exc:
                form.add_error("text" if exc.field == "text" else None, exc.message)
            else:
                messages.success(request, _("Thank you: your note is sent to the collectivité."))
                return redirect("mutualaid:private_note", post.pk)
    open_for_notes = post.state in notes.NOTED_STATES
    return render(
        request,
        "mutualaid/private_note.html",
        {"post": post, "form": form, "current": current, "open_for_notes": open_for_notes},
        status=status,
    )


@team_view(Capability.MODERATE)
def private_notes(request):
    page = Paginator(notes.for_collectivite(request.tenant), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mutualaid/private_notes.html", {"page": page})
