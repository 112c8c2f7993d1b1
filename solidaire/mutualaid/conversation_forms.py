"""The forms of conversations: a message, and sharing one's contact details."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .conversations import MAX_LENGTH


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Phone numbers and e-mail addresses stay hidden until you both agree to share your contact details."
        ),
    )


class ShareForm(forms.Form):
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("Your e-mail address is shared; your phone number only if you write it here."),
    )
