import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from solidaire.core.forms import DateField, DateTimeLocalField, EuroField, EuroListField
from solidaire.core.translated import explain_translations, translated_names
from solidaire.geo.models import Commune, Departement

from .choices import Category, TerritoryScope
from .models import Campaign
from .rules import LOCKED_WHEN_GIFTS_EXIST

CODE_SPLIT = re.compile(r"[\s,;]+")


DEFAULT_PAYOUT_MINIMUM_CENTS = 100
# English and German texts, optional: pages show French where one is missing.
TRANSLATED_FIELDS = translated_names("title", "summary", "description", "picture_alt")


class CampaignForm(forms.ModelForm):
    """Journey 1 in one form. Used by the back office and by `solidaire create-campaign`."""

    slug = forms.SlugField(
        label=_("Web address"),
        required=False,
        max_length=80,
        help_text=_("Letters, digits and hyphens; made from the title when left empty."),
    )
    starts_at = DateTimeLocalField(label=_("Gifts open on"))
    ends_at = DateTimeLocalField(label=_("Gifts close on"))
    registration_opens_at = DateTimeLocalField(label=_("Registration of beneficiaries opens on"))
    registration_closes_at = DateTimeLocalField(label=_("Registration of beneficiaries closes on"))
    territory_scope = forms.ChoiceField(label=_("Territory"), choices=TerritoryScope.choices, widget=forms.RadioSelect)
    departements = forms.ModelMultipleChoiceField(
        label=_("Départements"),
        queryset=Departement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when the territory is made of some départements."),
    )
    communes = forms.CharField(
        label=_("Communes (INSEE codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only when the territory is made of some communes: official INSEE codes separated by spaces, such as 67482 57463."
        ),
    )
    categories = forms.MultipleChoiceField(
        label=_("Eligible categories"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    min_gift_cents = EuroField(label=_("Minimum gift (€)"))
    max_gift_cents = EuroField(label=_("Maximum gift (€)"))
    suggested_gifts_cents = EuroListField(
        label=_("Suggested gifts (€)"),
        required=False,
        help_text=_("Amounts offered as buttons, separated by semicolons, such as 5 ; 10."),
    )
    matching_ratio_percent = forms.IntegerField(
        label=_("Matching ratio (%)"),
        min_value=1,
        # xgettext:no-python-format
        help_text=_("Public money added for each euro given: 100 % doubles each gift, 50 % adds half."),
    )
    matching_budget_cents = EuroField(label=_("Total public budget (€)"))
    beneficiary_cap_cents = EuroField(
        label=_("Cap of public money per beneficiary (€)"),
        required=False,
        help_text=_("Optional. Leave empty for no cap."),
    )
    donor_limit_cents = EuroField(
        label=_("Limit of matched gifts per donor (€)"),
        required=False,
        help_text=_("Optional. Gifts beyond this total from one donor are not matched."),
    )
    payout_minimum_cents = EuroField(
        label=_("Smallest payment to a beneficiary (€)"),
        required=False,
        help_text=_("What a beneficiary is owed below this waits for the next payout batch. 1 € when left empty."),
    )
    decision_date = DateField(
        label=_("Date of the decision"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "The date the deliberation granting the public match was adopted. Needed, with the collectivité’s SIRET, to publish the campaign’s open-data file."
        ),
    )

    class Meta:
        model = Campaign
        fields = [
            "title",
            "slug",
            "kind",
            "summary",
            "description",
            "picture",
            "picture_alt",
            "starts_at",
            "ends_at",
            "registration_opens_at",
            "registration_closes_at",
            "territory_scope",
            "categories",
            "min_gift_cents",
            "max_gift_cents",
            "suggested_gifts_cents",
            "matching_ratio_percent",
            "matching_budget_cents",
            "beneficiary_cap_cents",
            "donor_limit_cents",
            "counterpart_policy",
            "payout_minimum_cents",
            "decision_reference",
            "decision_date",
            *TRANSLATED_FIELDS,
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "counterpart_policy": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 8}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description_en": forms.Textarea(attrs={"rows": 8}),
            "description_de": forms.Textarea(attrs={"rows": 8}),
            "summary_en": forms.Textarea(attrs={"rows": 2}),
            "summary_de": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        self.collectivite = collectivite
        explain_translations(self)
        self.instance.collectivite = collectivite
        self.fields["departements"].queryset = Departement.objects.filter(
            code__in=collectivite.communes.values("departement_id")
        ).order_by("code")
        if self.instance.pk:
            self.initial.setdefault("departements", list(self.instance.departements.all()))
            self.initial.setdefault("communes", " ".join(self.instance.communes.values_list("insee_code", flat=True)))
            if self.instance.status != "draft":
                self.fields["slug"].disabled = True
            if self.instance.has_gifts:
                for name in (*LOCKED_WHEN_GIFTS_EXIST, "departements", "communes"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Locked: gifts have been made.")
                self.fields["matching_budget_cents"].help_text = _("Gifts have been made: the budget may only grow.")

    def clean_payout_minimum_cents(self):
        value = self.cleaned_data.get("payout_minimum_cents")
        return DEFAULT_PAYOUT_MINIMUM_CENTS if value is None else value

    def clean_communes(self):
        codes = [c for c in CODE_SPLIT.split(self.cleaned_data.get("communes") or "") if c]
        if not codes:
            return []
        found = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError(_("Not an official INSEE commune code: %(codes)s.") % {"codes": ", ".join(unknown)})
        return [found[c] for c in dict.fromkeys(codes)]

    def clean(self):
        data = super().clean()
        if not data.get("slug") and data.get("title"):
            data["slug"] = slugify(data["title"])[:80]
        slug = data.get("slug")
        if slug:
            clash = Campaign.objects.filter(collectivite=self.collectivite, slug=slug).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("slug", _("Another campaign already uses this web address."))
        from .rules import validate_territory

        try:
            validate_territory(
                self.collectivite,
                data.get("territory_scope"),
                data.get("departements") or [],
                data.get("communes") or [],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return data

    def territory(self):
        """(scope, départements, communes) as chosen, for the write path."""
        data = self.cleaned_data
        scope = data["territory_scope"]
        departements = list(data.get("departements") or []) if scope == TerritoryScope.DEPARTEMENTS else []
        communes = list(data.get("communes") or []) if scope == TerritoryScope.COMMUNES else []
        return scope, departements, communes

    SECTIONS = [
        (_("Presentation"), ["title", "slug", "kind", "summary", "description", "picture", "picture_alt"]),
        (_("Dates"), ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"]),
        (_("Territory and beneficiaries"), ["territory_scope", "departements", "communes", "categories"]),
        (_("Gifts"), ["min_gift_cents", "max_gift_cents", "suggested_gifts_cents"]),
        (
            _("Public money"),
            ["matching_ratio_percent", "matching_budget_cents", "beneficiary_cap_cents", "donor_limit_cents"],
        ),
        (_("Counterparts"), ["counterpart_policy"]),
        (_("Decision and open data"), ["decision_reference", "decision_date"]),
        (_("In English (optional: French is shown when empty)"), [n for n in TRANSLATED_FIELDS if n.endswith("_en")]),
        (_("In German (optional: French is shown when empty)"), [n for n in TRANSLATED_FIELDS if n.endswith("_de")]),
    ]

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]
