"""The forms of the payout pages: what a person types, cleaned; the rules are in the actions."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.core.forms import DateField

from .models import Channel, PainVersion, Route


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PrepareForm(forms.Form):
    """Shown again for confirmation (with what the batch will contain) before it is prepared."""

    channel = forms.ChoiceField(label=_("What is paid"), choices=Channel.choices, widget=forms.RadioSelect)
    route = forms.ChoiceField(
        label=_("How it is paid"),
        choices=Route.choices,
        widget=forms.RadioSelect,
        help_text=_("The payment provider can pay the gifts to the beneficiaries' own accounts (Stripe Connect)."),
    )
    cutoff = DateField(
        label=_("Gifts up to and including"),
        widget=DateInput(),
        help_text=_("What the beneficiaries earned up to the end of this day."),
    )
    decision_reference = forms.CharField(
        label=_("Decision reference"),
        required=False,
        max_length=100,
        help_text=_("The deliberation or decision that grants the payments, as the accountant knows it."),
    )
    execution_date = DateField(label=_("Requested execution date"), widget=DateInput(), required=False)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_cutoff(self):
        day = self.cleaned_data["cutoff"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The cut-off date cannot be in the future."))
        return day


class ConfirmForm(forms.Form):
    """A button that needs a second click: the page asks before anything changes."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class MarkPaidForm(forms.Form):
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"] = forms.TypedMultipleChoiceField(
            label=_("Lines paid"),
            required=False,
            coerce=int,
            choices=[(line.pk, f"{line.end_to_end_id} — {line.legal_name}") for line in lines],
            widget=forms.CheckboxSelectMultiple,
            help_text=_("None ticked: every line still to be paid."),
        )


class FailedForm(forms.Form):
    reason = forms.CharField(label=_("Reason the bank gave"), max_length=200)


class StatementForm(forms.Form):
    statement = forms.FileField(
        label=_("Bank statement (camt.053, XML)"),
        help_text=_("The account statement your bank gives in the ISO 20022 format; 5 MB at most."),
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_statement(self):
        upload = self.cleaned_data["statement"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        head = upload.read(512)
        upload.seek(0)
        if b"<" not in head:
            raise forms.ValidationError(_("This is not an XML file."))
        return upload


class AccountForm(forms.Form):
    debtor_name = forms.CharField(label=_("Account holder"), max_length=70)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(label=_("BIC"), max_length=11)
    pain_version = forms.ChoiceField(
        label=_("SEPA file format"),
        choices=PainVersion.choices,
        help_text=_("The current format is accepted by most banks; some still ask for the older one."),
    )
