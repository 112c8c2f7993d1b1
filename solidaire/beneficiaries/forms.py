from django import forms
from django.utils.translation import gettext_lazy as _

from solidaire.campaigns.choices import Category
from solidaire.core.translated import explain_translations
from solidaire.geo.lookup import find_communes, is_exact_match, label
from solidaire.geo.models import Commune

from .models import Establishment
from .validators import clean_iban, clean_rna, clean_siret, mask_iban

ASSOCIATION_CATEGORIES = {Category.ASSOCIATION, Category.PROJECT}


class EstablishmentForm(forms.ModelForm):
    """The establishment’s page and payout details. `territory` is the queryset of communes
    where the establishment may be (the campaign’s territory when registering)."""

    commune_text = forms.CharField(
        label=_("Commune"),
        max_length=120,
        help_text=_("Name or postal code, such as Strasbourg or 67000."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-commune-autocomplete": "1"}),
    )
    commune_code = forms.CharField(required=False, widget=forms.HiddenInput)
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=5,
        required=False,
        help_text=_("Needed only when the commune has several postal codes."),
    )
    identifier = forms.CharField(
        label=_("SIRET number (or RNA number for an association)"),
        max_length=20,
        help_text=_("14 digits for a SIRET; W and 9 characters for an RNA number."),
    )
    iban = forms.CharField(
        label=_("IBAN for payouts"),
        max_length=42,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = Establishment
        fields = [
            "trade_name",
            "legal_name",
            "category",
            "address",
            "phone",
            "website",
            "opening_hours",
            "photo",
            "photo_alt",
            "description",
            "description_en",
            "description_de",
            "account_holder",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "description_de": forms.Textarea(attrs={"rows": 4}),
            "opening_hours": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    SECTIONS = [
        (_("Your establishment"), ["trade_name", "legal_name", "category", "identifier"]),
        (_("Address"), ["address", "commune_text", "postal_code"]),
        (
            _("Public page"),
            [
                "description",
                "description_en",
                "description_de",
                "opening_hours",
                "phone",
                "website",
                "photo",
                "photo_alt",
            ],
        ),
        (_("Payouts"), ["iban", "account_holder"]),
    ]

    def __init__(self, *args, territory=None, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory if territory is not None else Commune.objects.all()
        self.commune_candidates: list[Commune] = []
        explain_translations(self)
        if categories:
            self.fields["category"].choices = [(c, label_) for c, label_ in Category.choices if c in categories]
        if self.instance.pk:
            self.initial.setdefault("commune_text", label(self.instance.commune))
            self.initial.setdefault("commune_code", self.instance.commune_id)
            self.initial.setdefault("postal_code", self.instance.postal_code)
            self.initial.setdefault("identifier", self.instance.legal_identifier)
            self.fields["iban"].required = False
            self.fields["iban"].help_text = _("Current account: %(iban)s. Leave empty to keep it.") % {
                "iban": mask_iban(self.instance.iban)
            }
        for name in ("trade_name", "legal_name", "address", "description", "account_holder"):
            self.fields[name].required = True

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean_identifier(self):
        value = self.cleaned_data["identifier"].strip()
        if value[:1].upper() == "W":
            return ("rna", clean_rna(value))
        return ("siret", clean_siret(value))

    def clean_iban(self):
        value = self.cleaned_data.get("iban", "").strip()
        if not value and self.instance.pk:
            return self.instance.iban
        return clean_iban(value)

    def _resolve_commune(self, data):
        code = (data.get("commune_code") or "").strip()
        if code:
            commune = self.territory.filter(pk=code).first()
            if commune is not None:
                return commune
        text = data.get("commune_text") or ""
        inside = find_communes(text, self.territory)
        if inside and not is_exact_match(text, inside[0]) and any(is_exact_match(text, c) for c in find_communes(text)):
            # The name typed in full is a commune outside the territory: "Metz" is not Metzeral.
            inside = []
        if len(inside) == 1:
            return inside[0]
        if len(inside) > 1:
            self.commune_candidates = inside
            self.add_error("commune_text", _("Several communes match: choose yours in the list below."))
            return None
        anywhere = find_communes(text)
        if anywhere:
            names = ", ".join(label(c) for c in anywhere[:3])
            self.add_error("commune_text", _("%(names)s: outside the campaign’s territory.") % {"names": names})
        else:
            self.add_error("commune_text", _("No commune matches. Type its name or its postal code."))
        return None

    def clean(self):
        data = super().clean()
        commune = self._resolve_commune(data)
        if commune is not None:
            data["commune"] = commune
            codes = commune.postal_codes.split()
            postal_code = (data.get("postal_code") or "").strip()
            typed = (data.get("commune_text") or "").strip()
            if not postal_code and len(codes) == 1:
                postal_code = codes[0]
            elif not postal_code and typed in codes:  # the commune was found by this postal code
                postal_code = typed
            if not postal_code:
                self.add_error(
                    "postal_code",
                    _("%(commune)s has several postal codes: %(codes)s. Give yours.")
                    % {"commune": commune.name, "codes": ", ".join(codes)},
                )
            elif codes and postal_code not in codes:
                self.add_error(
                    "postal_code",
                    _("%(code)s is not a postal code of %(commune)s (%(codes)s).")
                    % {"code": postal_code, "commune": commune.name, "codes": ", ".join(codes)},
                )
            data["postal_code"] = postal_code
        identifier = data.get("identifier")
        category = data.get("category")
        if identifier and category:
            kind, _value = identifier
            if kind == "rna" and category not in ASSOCIATION_CATEGORIES:
                self.add_error("identifier", _("Only associations register with an RNA number; give your SIRET."))
        return data

    def apply_to(self, establishment: Establishment) -> Establishment:
        """Copies the cleaned values onto an establishment without saving it."""
        data = self.cleaned_data
        for field in self.Meta.fields:
            if field == "photo":
                continue
            setattr(establishment, field, data[field])
        kind, value = data["identifier"]
        establishment.siret, establishment.rna = (value, "") if kind == "siret" else ("", value)
        establishment.commune = data["commune"]
        establishment.postal_code = data["postal_code"]
        establishment.iban = data["iban"]
        return establishment


class RegistrationForm(forms.Form):
    """What is specific to one campaign: the acceptance of its terms. The counterpart offered to
    donors is an offer, proposed once registered and moderated on its own (vouchers)."""

    accept_terms = forms.BooleanField(
        label=_("I accept the terms of the campaign and certify that the information given is accurate."),
        required=True,
        error_messages={"required": _("You must accept the terms of the campaign to register.")},
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign


class DecisionForm(forms.Form):
    """A moderator's decision; a reason is required to reject or to ask for changes."""

    DECISIONS = [
        ("approve", _("Approve")),
        ("request_changes", _("Ask for changes")),
        ("reject", _("Reject")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message to the owner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to reject or to ask for changes; sent by e-mail."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in ("reject", "request_changes") and not (data.get("message") or "").strip():
            self.add_error("message", _("Explain your decision to the owner."))
        return data


class ChangesDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Publish the changes")), ("reject", _("Refuse the changes"))],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(label=_("Message to the owner"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("message") or "").strip():
            self.add_error("message", _("Explain your decision to the owner."))
        return data


class HoldForm(forms.Form):
    reason = forms.CharField(label=_("Why the payments are held back"), max_length=300)
