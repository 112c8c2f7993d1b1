"""The forms of announcements: the team's announcement, a person's choice of what they receive.
A commune is typed (name or postal code) like on the post form: a région has thousands."""

from django import forms
from django.utils.translation import gettext_lazy as _

from solidaire.core.translated import explain_translations, translated_names
from solidaire.geo.lookup import find_communes, is_exact_match, label

from .models import Announcement, AnnouncementPreference


def commune_from_text(form, field: str, text: str, territory):
    """The one commune of the territory `text` names, else None with an error on `field`."""
    inside = find_communes(text, territory, limit=5)
    exact = [c for c in inside if is_exact_match(text, c)]
    if not exact and any(is_exact_match(text, c) for c in find_communes(text, limit=5)):
        inside = []  # the name typed in full is a commune outside the territory: Metz is not Metzeral
    if len(exact) == 1 or len(inside) == 1:
        return (exact or inside)[0]
    if inside:
        names = ", ".join(label(c) for c in inside[:5])
        form.add_error(field, _("Several communes match: %(names)s. Type the full name.") % {"names": names})
    else:
        form.add_error(field, _("No commune of the territory matches. Type its name or postal code."))
    return None


class CommuneTextMixin:
    """A `commune_text` field read into `self.commune` (None when empty)."""

    commune_required = False

    def clean(self):
        data = super().clean()
        text = (data.get("commune_text") or "").strip()
        self.commune = commune_from_text(self, "commune_text", text, self.territory) if text else None
        return data


class AnnouncementForm(CommuneTextMixin, forms.ModelForm):
    commune_text = forms.CharField(
        label=_("Only for one commune (optional)"),
        max_length=100,
        required=False,
        help_text=_("Empty: the whole network. Else only the members of this commune receive it by e-mail."),
    )

    class Meta:
        model = Announcement
        fields = ["title", *translated_names("title"), "text", *translated_names("text"), "pinned"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6}), "text_en": forms.Textarea(attrs={"rows": 4}),
                   "text_de": forms.Textarea(attrs={"rows": 4})}  # fmt: skip

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = collectivite.communes.all()
        explain_translations(self)
        if self.instance.commune_id:
            self.initial.setdefault("commune_text", self.instance.commune.name)

    def to_announcement(self) -> Announcement:
        announcement = self.save(commit=False)
        announcement.commune = self.commune
        return announcement


class PreferenceForm(CommuneTextMixin, forms.Form):
    choice = forms.ChoiceField(
        label=_("Announcements of the collectivité by e-mail"),
        choices=AnnouncementPreference.Choice.choices,
        widget=forms.RadioSelect,
    )
    commune_text = forms.CharField(
        label=_("My commune"),
        max_length=100,
        required=False,
        help_text=_("Needed for “Only those for the whole network or for my commune”."),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = collectivite.communes.all()

    def clean(self):
        data = super().clean()
        if data.get("choice") == AnnouncementPreference.Choice.COMMUNE and self.commune is None:
            if not self.has_error("commune_text"):
                self.add_error("commune_text", _("Give your commune."))
        return data
