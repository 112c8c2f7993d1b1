from django import forms
from django.utils.translation import gettext_lazy as _

from solidaire.campaigns.models import Campaign

from .actions import WHOLE_COLLECTIVITE, kinds_for
from .models import ExportFormat, ExportKind


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"))
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All campaigns"),
    )
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.CSV)

    def __init__(self, *args, tenant, capabilities, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = kinds_for(capabilities)
        self.fields["kind"].choices = [(value, label) for value, label in ExportKind.choices if value in allowed]
        self.fields["campaign"].queryset = Campaign.objects.for_tenant(tenant).order_by("-starts_at", "pk")

    def clean(self):
        data = super().clean()
        if data.get("campaign") is not None and data.get("kind") in WHOLE_COLLECTIVITE:
            self.add_error("campaign", _("The audit log is exported for the whole collectivité."))
        return data
