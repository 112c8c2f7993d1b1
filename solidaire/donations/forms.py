from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solidaire.core.forms import EuroField
from solidaire.core.money import format_cents

OTHER = "other"


class GiftForm(forms.Form):
    """The gift form on an establishment’s page; works without JavaScript."""

    amount_choice = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect, required=False)
    amount_other = EuroField(label=_("Other amount (€)"), required=False)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("For your receipt. Never shown to anyone."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    donor_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    public_message = forms.CharField(
        label=_("Public message (optional)"), max_length=280, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    anonymous = forms.BooleanField(label=_("Give anonymously: do not show my name"), required=False)
    contact_consent = forms.BooleanField(
        label=_("The establishment may contact me by e-mail"),
        required=False,
        help_text=_("Otherwise it never sees your e-mail address."),
    )
    voucher_reminder = forms.BooleanField(label=_("Remind me by e-mail before my voucher expires"), required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        choices = [(str(c), format_cents(c)) for c in campaign.suggested_gifts_cents]
        self.fields["amount_choice"].choices = [*choices, (OTHER, _("Other amount"))]
        self.fields["amount_other"].help_text = _("Between %(low)s and %(high)s.") % {
            "low": format_cents(campaign.min_gift_cents),
            "high": format_cents(campaign.max_gift_cents),
        }
        if not self.is_bound and choices:
            self.initial.setdefault("amount_choice", choices[0][0])
        self.fields["amount_other"].widget.attrs.update({"aria-describedby": "id_amount_other_helptext"})

    def clean(self):
        data = super().clean()
        choice = data.get("amount_choice") or OTHER
        amount = data.get("amount_other") if choice == OTHER else int(choice)
        if amount is None:
            self.add_error("amount_other", _("Choose an amount or type one."))
            return data
        if not self.campaign.min_gift_cents <= amount <= self.campaign.max_gift_cents:
            self.add_error(
                "amount_other" if choice == OTHER else "amount_choice",
                ValidationError(
                    _("Give between %(low)s and %(high)s.")
                    % {
                        "low": format_cents(self.campaign.min_gift_cents),
                        "high": format_cents(self.campaign.max_gift_cents),
                    },
                    code="amount",
                ),
            )
        data["amount_cents"] = amount
        return data
