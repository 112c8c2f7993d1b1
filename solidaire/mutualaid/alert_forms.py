"""The form of a new alert: type, categories, a commune typed like on the post form, a distance,
how often. Works without JavaScript: radio buttons and checkboxes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .announcement_forms import CommuneTextMixin
from .models import AlertFrequency, Category, Kind
from .search import DISTANCES_KM


class AlertForm(CommuneTextMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Tell me about"),
        choices=[("", _("Requests and offers")), *Kind.choices],
        required=False,
        initial="",
        widget=forms.RadioSelect,
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every category."),
    )
    commune_text = forms.CharField(
        label=_("Near the commune"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        help_text=_("Its name or postal code. Distances are measured from its centre."),
    )
    distance_km = forms.TypedChoiceField(
        label=_("Within"),
        choices=[(km, f"{km} km") for km in DISTANCES_KM],
        coerce=int,
        initial=5,
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=AlertFrequency.choices,
        initial=AlertFrequency.DAILY,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, collectivite, sees_sensitive: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = collectivite.communes.all()
        categories = Category.objects.filter(collectivite=collectivite)
        if not sees_sensitive:
            categories = categories.filter(sensitive=False)
        field = self.fields["categories"]
        field.queryset = categories
        field.label_from_instance = lambda c: c.localized.label
