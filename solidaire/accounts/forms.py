from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from django import forms
from django.utils.translation import gettext_lazy as _

from solidaire.core.ratelimits import folded_email

from .roles import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language of the e-mails you receive"), choices=[])

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's, with a limit per mailbox: "Jean.Dupont+1@gmail.com" and "jeandupont@gmail.com"
    share it (settings.ACCOUNT_RATE_LIMITS["reset_password_mailbox"]), so that nobody floods one
    inbox with reset e-mails by writing its address in many ways."""

    def clean_email(self):
        email = super().clean_email()
        if not ratelimit.consume(allauth_context.request, action="reset_password_mailbox", key=folded_email(email)):
            raise forms.ValidationError(
                _("Too many password resets were asked for this address. Try again later."), code="rate_limited"
            )
        return email
