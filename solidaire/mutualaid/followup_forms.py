"""The follow-up forms of the back office: a note of what was done, a message to the author."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .followup import NOTE_LENGTH
from .models import FollowUp


class NoteForm(forms.Form):
    method = forms.ChoiceField(
        label=_("What was done"),
        choices=[(value, label) for value, label in FollowUp.Method.choices if value != FollowUp.Method.MESSAGE],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Note"), max_length=NOTE_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AuthorMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Your message to the author"),
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Sent by e-mail from the collectivité through the platform: the author answers on the platform or "
            "by e-mail, and neither of you sees the other’s address."
        ),
    )
