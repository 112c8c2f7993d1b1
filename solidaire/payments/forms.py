from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .models import PaymentAccount, ProviderName, new_secret

SECRET_FIELDS = ("stripe_secret_key", "stripe_webhook_secret", "sandbox_secret")


class PaymentAccountForm(forms.ModelForm):
    """Secrets are write-only: the form never shows them back; leaving a field empty keeps the
    stored value."""

    stripe_secret_key = forms.CharField(
        label=_("Stripe secret key"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    stripe_webhook_secret = forms.CharField(
        label=_("Stripe webhook signing secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    sandbox_secret = forms.CharField(
        label=_("Sandbox notification secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    new_sandbox_secret = forms.BooleanField(label=_("Generate a new sandbox secret"), required=False)

    class Meta:
        model = PaymentAccount
        fields = [
            "provider",
            "stripe_secret_key",
            "stripe_webhook_secret",
            "stripe_connect",
            "sandbox_secret",
            "sandbox_duplicate",
            "sandbox_reorder",
            "sandbox_delay",
        ]
        widgets = {"provider": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            if getattr(self.instance, name):
                self.fields[name].help_text = _("A value is stored. Leave empty to keep it.")

    def clean(self):
        data = super().clean()
        for name in SECRET_FIELDS:
            if not data.get(name):
                data[name] = getattr(self.instance, name)
        if data.get("new_sandbox_secret"):
            data["sandbox_secret"] = new_secret()
        if data.get("provider") == ProviderName.STRIPE:
            if not (data.get("stripe_secret_key") or "").startswith(("sk_", "rk_")):
                self.add_error("stripe_secret_key", _("Give the secret key of your Stripe account (sk_… or rk_…)."))
            if not (data.get("stripe_webhook_secret") or "").startswith("whsec_"):
                self.add_error("stripe_webhook_secret", _("Give the signing secret of your Stripe webhook (whsec_…)."))
        return data

    def save(self, commit=True):
        for name in SECRET_FIELDS:
            setattr(self.instance, name, self.cleaned_data[name])
        return super().save(commit=commit)


class ConnectAccountForm(forms.Form):
    """The Stripe connected account that receives an establishment’s gifts (empty: none)."""

    stripe_account_id = forms.CharField(
        label=_("Stripe account ID"),
        required=False,
        max_length=40,
        help_text=_(
            "It starts with acct_ and is shown in the establishment’s Stripe dashboard. Leave empty to stop paying this establishment through Stripe."
        ),
        validators=[
            RegexValidator(
                r"^acct_[A-Za-z0-9]{6,35}$",
                message=_("A Stripe account ID looks like acct_1Nv0FGQ9RKHgCVdK."),
            )
        ],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_stripe_account_id(self):
        return self.cleaned_data["stripe_account_id"].strip()
