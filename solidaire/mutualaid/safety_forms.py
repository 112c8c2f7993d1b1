"""The forms of safety: a report (reason from the list, and what happened), and a moderator's
decision on one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReportDecision, ReportReason


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why?"), choices=ReportReason.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("What happened (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the collectivité’s moderators read your report. The person is not told who reported them."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note to the person (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Added to the e-mail that warns or suspends them."),
    )

    def __init__(self, *args, decisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(d, ReportDecision(d).label) for d in decisions]
