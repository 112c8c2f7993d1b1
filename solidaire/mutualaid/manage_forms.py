"""The collectivité's forms for its network: the switch and rules, one category, one
neighbourhood."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from solidaire.core.translated import explain_translations, translated_names

from . import neighbourhoods
from .forms import territory_commune
from .models import Category, MutualAidSettings, Neighbourhood

User = get_user_model()


class SettingsForm(forms.ModelForm):
    class Meta:
        model = MutualAidSettings
        fields = ["enabled", "follow_up_hours", "pre_moderation"]
        widgets = {"pre_moderation": forms.RadioSelect}


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["label", *translated_names("label"), "sensitive", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        explain_translations(self)


class NeighbourhoodForm(forms.ModelForm):
    """A neighbourhood: its commune typed (name or postal code, among the territory's), its name
    and its centre. Nothing here is shown to the public but the name: posts are placed at points
    drawn around the centre, never at the centre itself."""

    commune_text = forms.CharField(label=_("Commune"), max_length=100)

    class Meta:
        model = Neighbourhood
        fields = ["name", "latitude", "longitude"]
        help_texts = {
            "latitude": _("In decimal degrees, for example 48.5785 (a map site gives it by a right click)."),
            "longitude": _("In decimal degrees, for example 7.7617."),
        }

    field_order = ["commune_text", "name", "latitude", "longitude"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = self.instance.collectivite.communes.all()
        if self.instance.commune_id is not None:
            self.initial.setdefault("commune_text", self.instance.commune.name)
        else:
            only = list(self.territory[:2])
            if len(only) == 1:
                self.initial.setdefault("commune_text", only[0].name)

    def clean(self):
        data = super().clean()
        text = (data.get("commune_text") or "").strip()
        if not text:
            return data
        commune, error = territory_commune(text, self.territory)
        if error:
            self.add_error("commune_text", error)
            return data
        self.instance.commune = commune
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if latitude is not None and longitude is not None and neighbourhoods.too_far(commune, latitude, longitude):
            self.add_error("latitude", neighbourhoods.too_far_message(commune))
        name = " ".join((data.get("name") or "").split())
        same = Neighbourhood.objects.filter(
            collectivite=self.instance.collectivite, commune=commune, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if name and same.exists():
            self.add_error("name", _("This commune already has a neighbourhood of that name."))
        return data


class VolunteerForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of their account"),
        help_text=_("Vet only people the collectivité has checked outside the platform."),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No account uses this address: ask the person to sign up first."))
        self.user = user
        return email
