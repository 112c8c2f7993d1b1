from django import forms
from django.utils.translation import gettext_lazy as _


class LinkForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The address you gave with your gifts. We send a link to it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my name, e-mail address and messages will be erased for good."),
        required=True,
    )
