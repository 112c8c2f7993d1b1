from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from solidaire.core.forms import DateField, EuroField
from solidaire.core.translated import explain_translations

from .models import Offer

MAX_VALIDITY_DAYS = 3650  # ten years: a voucher’s end, the gift's day plus these, stays a date


class OfferForm(forms.ModelForm):
    validity_days = forms.IntegerField(
        label=capfirst(Offer._meta.get_field("validity_days").verbose_name),
        required=False,
        min_value=0,
        max_value=MAX_VALIDITY_DAYS,
        help_text=_("Either an end date or a number of days after the gift."),
    )
    fixed_value_cents = EuroField(label=_("Fixed value (€)"), required=False)
    min_gift_cents = EuroField(
        label=_("Minimum gift to get it (€)"),
        required=False,
        help_text=_("Optional. Smaller gifts get no counterpart."),
    )

    class Meta:
        model = Offer
        fields = [
            "kind",
            "value_mode",
            "percent_of_gift",
            "bonus_percent",
            "fixed_value_cents",
            "item_label",
            "min_gift_cents",
            "valid_from",
            "valid_until",
            "validity_days",
            "partial_use",
            "terms",
            "stock",
            "note",
            "note_en",
            "note_de",
        ]
        field_classes = {"valid_from": DateField, "valid_until": DateField}
        widgets = {
            "kind": forms.RadioSelect,
            "value_mode": forms.RadioSelect,
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "terms": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 3}),
            "note_en": forms.Textarea(attrs={"rows": 2}),
            "note_de": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "percent_of_gift": _("100 % gives a voucher worth the gift."),
            "bonus_percent": _("Added to the share: 20 % makes a 10 € gift worth a 12 € voucher."),
            "stock": _("Optional. How many vouchers you offer at most."),
            "item_label": _("For example: un café offert."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        explain_translations(self)


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Voucher code"),
        max_length=40,
        help_text=_("As printed under the QR code, such as 7K3M-9QXT-2VHD-R8PN-C."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class RedeemForm(forms.Form):
    amount = EuroField(label=_("Amount to use (€)"), required=False)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class StaffForm(forms.Form):
    email = forms.EmailField(label=_("Their e-mail address"))


class OfferDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect, choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    message = forms.CharField(label=_("Message to the owner"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
