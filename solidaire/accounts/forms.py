from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context as allauth_context
from django import forms
from django.utils.translation import gettext_lazy as _

from solidaire.core.ratelimits import mailbox_allows

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


class SignupForm(AllauthSignupForm):
    """allauth's, with a limit per mailbox (settings.ACCOUNT_RATE_LIMITS["signup_mailbox"]):
    "Jean.Dupont+1@gmail.com", "jeandupont+2@gmail.com"… share it, so that nobody floods one inbox
    with sign-up e-mails (or fills the base with its accounts) by writing its address in many ways.
    Counted once the rest of the form is valid, whether or not the address has an account: the
    answer is the same."""

    def clean(self):
        cleaned_data = super().clean()
        email = cleaned_data.get("email")
        if email and not self.errors and not mailbox_allows(allauth_context.request, "signup_mailbox", email):
            raise forms.ValidationError(_("Too many sign-ups with this address. Try again later."), code="rate_limited")
        return cleaned_data


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's, with a limit per mailbox: "Jean.Dupont+1@gmail.com" and "jeandupont@gmail.com"
    share it (settings.ACCOUNT_RATE_LIMITS["reset_password_mailbox"]), so that nobody floods one
    inbox with reset e-mails by writing its address in many ways."""

    def clean_email(self):
        email = super().clean_email()
        if not mailbox_allows(allauth_context.request, "reset_password_mailbox", email):
            raise forms.ValidationError(
                _("Too many password resets were asked for this address. Try again later."), code="rate_limited"
            )
        return email
