"""The one form to ask for or offer help: short, works without JavaScript and on a phone."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.geo.lookup import find_communes, is_exact_match, label

from .models import Category, Kind, Neighbourhood, Post, Urgency


def territory_commune(text: str, territory):
    """The commune of `territory` that `text` names, and None; or None and why not (a message)."""
    inside = find_communes(text, territory, limit=5)
    exact = [c for c in inside if is_exact_match(text, c)]
    if not exact and any(is_exact_match(text, c) for c in find_communes(text, limit=5)):
        inside = []  # the name typed in full is a commune outside the territory: Metz is not Metzeral
    if len(exact) == 1 or len(inside) == 1:
        return (exact or inside)[0], None
    if inside:
        names = ", ".join(label(c) for c in inside[:5])
        return None, _("Several communes match: %(names)s. Type the full name.") % {"names": names}
    return None, _("No commune of the territory matches. Type its name or postal code.")


class PostForm(forms.ModelForm):
    commune_text = forms.CharField(
        label=_("Commune"),
        max_length=100,
        help_text=_("Only the commune is shown, never your address; exact details are exchanged in person."),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )

    class Meta:
        model = Post
        fields = [
            "kind",
            "category",
            "title",
            "text",
            "urgency",
            "availability",
            "neighbourhood",
            "postal_code",
            "ends_on",
            "on_behalf",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "urgency": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 5}),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        }
        labels = {"kind": _("I am posting"), "on_behalf": _("I am posting for someone else (a relative, a neighbour…)")}
        help_texts = {
            "availability": _("For example: weekday evenings, Saturday morning."),
            "postal_code": _("Optional."),
            "neighbourhood": _("Optional: one of the neighbourhoods of the commune you gave."),
            "ends_on": _("Optional: after this day the post is no longer shown."),
            "on_behalf": _("Shown on the post."),
            "text": _("Do not write your address, phone number or e-mail here: the post is public."),
        }

    field_order = [
        "kind",
        "category",
        "title",
        "text",
        "urgency",
        "availability",
        "commune_text",
        "neighbourhood",
        "postal_code",
    ]

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        self.collectivite = collectivite
        self.territory = collectivite.communes.all()
        self.fields["kind"].choices = Kind.choices
        self.fields["urgency"].choices = Urgency.choices
        category = self.fields["category"]
        category.queryset = Category.objects.filter(collectivite=collectivite)
        category.label_from_instance = lambda c: c.localized.label
        category.empty_label = _("Choose a category")
        neighbourhoods = Neighbourhood.objects.filter(collectivite=collectivite).select_related("commune")
        if neighbourhoods.exists():
            field = self.fields["neighbourhood"]
            field.queryset = neighbourhoods
            field.label_from_instance = lambda n: f"{n.name} ({n.commune.name})"
            field.empty_label = _("No neighbourhood: the commune only")
        else:
            del self.fields["neighbourhood"]  # the collectivité named none: nothing to choose
        only = list(self.territory[:2])
        if len(only) == 1:
            self.initial.setdefault("commune_text", only[0].name)

    def clean_ends_on(self):
        ends_on = self.cleaned_data.get("ends_on")
        if ends_on is not None and ends_on < timezone.localdate():
            raise forms.ValidationError(_("The end date is already past."))
        return ends_on

    def _commune(self, text: str):
        commune, error = territory_commune(text, self.territory)
        if error:
            self.add_error("commune_text", error)
        return commune

    def clean(self):
        data = super().clean()
        text = (data.get("commune_text") or "").strip()
        commune = self._commune(text) if text else None
        if commune is not None:
            self.instance.commune = commune
            codes = commune.postal_codes.split()
            postal_code = (data.get("postal_code") or "").strip()
            if postal_code and postal_code not in codes:
                self.add_error(
                    "postal_code",
                    _("%(code)s is not a postal code of %(commune)s (%(codes)s).")
                    % {"code": postal_code, "commune": commune.name, "codes": ", ".join(codes)},
                )
            data["postal_code"] = postal_code
            neighbourhood = data.get("neighbourhood")
            if neighbourhood is not None and neighbourhood.commune_id != commune.pk:
                self.add_error(
                    "neighbourhood",
                    _("%(neighbourhood)s is in %(other)s, not in %(commune)s.")
                    % {
                        "neighbourhood": neighbourhood.name,
                        "other": neighbourhood.commune.name,
                        "commune": commune.name,
                    },
                )
        return data

    def to_post(self) -> Post:
        post = self.save(commit=False)
        post.collectivite = self.collectivite
        return post
