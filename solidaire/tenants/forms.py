import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solidaire.geo.models import Commune, Departement, Region

from .models import Collectivite, Domain, Kind
from .validators import validate_custom_host

CODE_SPLIT = re.compile(r"[\s,;]+")


def _codes(text: str) -> list[str]:
    return [c for c in CODE_SPLIT.split(text or "") if c]


class CollectiviteCreationForm(forms.ModelForm):
    """What the platform operator fills in to create a tenant, in the back office or with
    `solidaire create-tenant`."""

    territory_departements = forms.CharField(
        label=_("Territory: départements"),
        required=False,
        help_text=_(
            "INSEE codes separated by spaces. Leave both territory fields empty to use the territory of the INSEE code above."
        ),
    )
    territory_communes = forms.CharField(
        label=_("Territory: communes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("INSEE commune codes separated by spaces (required for an intercommunalité)."),
    )
    domains = forms.CharField(
        label=_("Custom domains"),
        required=False,
        help_text=_("Host names separated by spaces, such as solidaire.grandest.fr."),
    )
    admin_email = forms.EmailField(label=_("E-mail of the first administrator"))

    class Meta:
        model = Collectivite
        fields = ["slug", "kind", "name", "siren", "insee_code", "main_colour", "contact_email"]

    def clean_domains(self):
        # dict.fromkeys drops repeats ("a.fr A.fr"), which would otherwise break the unique host.
        hosts = list(dict.fromkeys(h.lower().rstrip(".") for h in _codes(self.cleaned_data.get("domains"))))
        for host in hosts:
            validate_custom_host(host)
        taken = list(Domain.objects.filter(host__in=hosts).values_list("host", flat=True))
        if taken:
            raise ValidationError(_("Already used by another collectivité: %(hosts)s.") % {"hosts": ", ".join(taken)})
        return hosts

    def clean(self):
        data = super().clean()
        kind, code = data.get("kind"), (data.get("insee_code") or "").strip()
        if kind and code:
            model = {Kind.REGION: Region, Kind.DEPARTEMENT: Departement, Kind.COMMUNE: Commune}.get(kind)
            if model is not None and not model.objects.filter(pk=code).exists():
                self.add_error(
                    "insee_code",
                    _("No %(kind)s has the INSEE code %(code)s.") % {"kind": Kind(kind).label, "code": code},
                )
        elif kind in (Kind.REGION, Kind.DEPARTEMENT, Kind.COMMUNE) and not code:
            self.add_error("insee_code", _("Give the official INSEE code of the collectivité."))
        dep_codes = _codes(data.get("territory_departements"))
        commune_codes = _codes(data.get("territory_communes"))
        unknown_deps = sorted(
            set(dep_codes) - set(Departement.objects.filter(pk__in=dep_codes).values_list("pk", flat=True))
        )
        if unknown_deps:
            self.add_error(
                "territory_departements",
                _("Unknown département codes: %(codes)s.") % {"codes": ", ".join(unknown_deps)},
            )
        unknown_communes = sorted(
            set(commune_codes) - set(Commune.objects.filter(pk__in=commune_codes).values_list("pk", flat=True))
        )
        if unknown_communes:
            self.add_error(
                "territory_communes", _("Unknown commune codes: %(codes)s.") % {"codes": ", ".join(unknown_communes)}
            )
        if kind == Kind.INTERCOMMUNALITE and not (dep_codes or commune_codes):
            self.add_error("territory_communes", _("List the communes of the intercommunalité."))
        data["territory_departement_codes"] = dep_codes
        data["territory_commune_codes"] = commune_codes
        return data

    def territory(self):
        """The communes of the new collectivité, as a queryset."""
        data = self.cleaned_data
        deps, communes = data["territory_departement_codes"], data["territory_commune_codes"]
        if deps or communes:
            return Commune.objects.filter(departement__in=deps) | Commune.objects.filter(pk__in=communes)
        code = data["insee_code"]
        return {
            Kind.REGION: Commune.objects.filter(departement__region=code),
            Kind.DEPARTEMENT: Commune.objects.filter(departement=code),
            Kind.COMMUNE: Commune.objects.filter(pk=code),
        }[data["kind"]]


class BrandingForm(forms.ModelForm):
    """What a collectivité’s administrator may change about its public space."""

    class Meta:
        model = Collectivite
        fields = [
            "article",
            "siret",
            "logo",
            "main_colour",
            "contact_email",
            "email_from",
            "contact_phone",
            "website",
            "postal_address",
            "legal_notice",
            "accessibility_statement",
            "privacy_policy",
            "donor_retention_years",
            "publish_edits_without_review",
        ]
        widgets = {
            "main_colour": forms.TextInput(attrs={"type": "color"}),
            "postal_address": forms.Textarea(attrs={"rows": 3}),
            "legal_notice": forms.Textarea(attrs={"rows": 8}),
            "accessibility_statement": forms.Textarea(attrs={"rows": 8}),
            "privacy_policy": forms.Textarea(attrs={"rows": 8}),
        }

    def clean_siret(self):
        value = self.cleaned_data["siret"]
        if value and not value.startswith(self.instance.siren):
            raise forms.ValidationError(
                _("A SIRET starts with the collectivité’s SIREN (%(siren)s)."), params={"siren": self.instance.siren}
            )
        return value
