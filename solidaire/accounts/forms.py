from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from solidaire.core.phones import tidy, validate_phone
from solidaire.core.ratelimits import mailbox_allows
from solidaire.geo.lookup import find_communes, is_exact_match, label

from .roles import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


def phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Phone (optional)"),
        max_length=30,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("Never shown: on the mutual-aid network, you choose whom you give it to."),
    )


class ProfileForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        required=False,
        help_text=_("On the mutual-aid network, others read only your first name and commune."),
    )
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    commune_text = forms.CharField(
        label=_("Commune"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        help_text=_("Its name or postal code. Optional."),
    )
    phone = phone_field()
    language = forms.ChoiceField(label=_("Language of the e-mails you receive"), choices=settings.LANGUAGES)

    def clean_commune_text(self):
        """The commune named (None when left empty); several or none matching is an error."""
        text = self.cleaned_data["commune_text"].strip()
        self.commune = None
        if not text:
            return text
        matches = find_communes(text, limit=5)
        exact = [c for c in matches if is_exact_match(text, c)]
        if len(exact) == 1 or len(matches) == 1:
            self.commune = (exact or matches)[0]
        elif matches:
            names = ", ".join(label(c) for c in matches)
            raise forms.ValidationError(_("Several communes match: %(names)s. Type the full name.") % {"names": names})
        else:
            raise forms.ValidationError(_("No commune matches. Type its name or postal code."))
        return text

    def clean_phone(self):
        return tidy(self.cleaned_data["phone"])


class SignupForm(AllauthSignupForm):
    """allauth's, with a limit per mailbox (settings.ACCOUNT_RATE_LIMITS["signup_mailbox"]):
    "Jean.Dupont+1@gmail.com", "jeandupont+2@gmail.com"… share it, so that nobody floods one inbox
    with sign-up e-mails (or fills the base with its accounts) by writing its address in many ways.
    Counted once the rest of the form is valid, whether or not the address has an account: the
    answer is the same."""

    first_name = forms.CharField(
        label=_("First name (optional)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        help_text=_("On the mutual-aid network, others read only your first name and commune."),
    )
    phone = phone_field()

    def clean_phone(self):
        return tidy(self.cleaned_data["phone"])

    def save(self, request):
        user = super().save(request)
        if user is not None and (self.cleaned_data.get("first_name") or self.cleaned_data.get("phone")):
            user.first_name = self.cleaned_data.get("first_name", "").strip()
            user.phone = self.cleaned_data.get("phone", "")
            user.save(update_fields=["first_name", "phone"])
        return user

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
