"""The collectivité's forms for its network: the switch and rules, and one category."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from solidaire.core.translated import explain_translations, translated_names

from .models import Category, MutualAidSettings

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
