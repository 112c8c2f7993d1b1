"""The demo: Région Grand Est running "Café Solidaire", plus the Ville de Strasbourg as a second
collectivité. Idempotent: running it again completes what is missing and changes nothing else.
Every row is written through the same write paths as the product."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.accounts.actions import ensure_verified_user
from solidaire.accounts.models import Membership
from solidaire.accounts.roles import Role
from solidaire.beneficiaries import actions as beneficiary_actions
from solidaire.beneficiaries.forms import EstablishmentForm, RegistrationForm
from solidaire.beneficiaries.models import Establishment
from solidaire.campaigns import actions as campaign_actions
from solidaire.campaigns.forms import CampaignForm
from solidaire.campaigns.models import Campaign
from solidaire.payments.models import PaymentAccount
from solidaire.tenants.actions import create_collectivite
from solidaire.tenants.forms import CollectiviteCreationForm
from solidaire.tenants.models import Collectivite
from solidaire.vouchers import actions as voucher_actions
from solidaire.vouchers.models import Offer

from .cafes import seed_cafes
from .gifts import seed_gifts
from .mutualaid import seed_mutual_aid, seed_mutual_aid_talk
from .payouts import seed_payouts

# Demo logins are public on purpose: they are printed by `make demo` and in the README.
DEMO_PASSWORD = "solidaire-demo"  # noqa: S105
# The demo's sandbox notification secrets, one per collectivité as in production, documented in
# README.md (never used outside the demo).
DEMO_SANDBOX_SECRETS = {
    "grand-est": "whsec_solidaire_demo_grand_est",  # noqa: S105
    "strasbourg": "whsec_solidaire_demo_strasbourg",  # noqa: S105
}


@dataclass
class Login:
    collectivite: str
    role: str
    email: str


TENANTS = [
    {
        "slug": "grand-est",
        "kind": "region",
        "name": "Région Grand Est",
        "article": "la",
        "siren": "200052264",
        "siret": "20005226400013",  # its seat; published as the grantor in the open data
        "insee_code": "44",
        "main_colour": "#00597a",
        "contact_email": "contact@grandest.example",
        "team": {
            Role.ADMIN: "admin@grandest.example",
            Role.MODERATOR: "moderation@grandest.example",
            Role.FINANCE: "finances@grandest.example",
            Role.VIEWER: "elus@grandest.example",
        },
        # A second finance officer: a payout batch is approved by someone else than who prepared it.
        "more": [(Role.FINANCE, "tresorerie@grandest.example")],
    },
    {
        "slug": "strasbourg",
        "kind": "commune",
        "name": "Ville de Strasbourg",
        "article": "la",
        "siren": "216704825",
        "siret": "21670482500019",  # its seat (SIREN + NIC 00019, Luhn-valid): the grantor of its campaigns
        "insee_code": "67482",
        "main_colour": "#9a1f40",
        "contact_email": "contact@strasbourg.example",
        # Its moderator handles the mutual-aid network's reports and posts waiting for review.
        "team": {Role.ADMIN: "admin@strasbourg.example", Role.MODERATOR: "moderation@strasbourg.example"},
    },
]

LEGAL = {
    "legal_notice": "Site édité par la Région Grand Est, 1 place Adrien Zeller, 67070 Strasbourg Cedex.\n"
    "Directeur de la publication : le Président du Conseil régional.\nHébergement : démonstration locale.",
    "accessibility_statement": "La Région Grand Est s'engage à rendre ce service accessible conformément à "
    "l'article 47 de la loi n° 2005-102 du 11 février 2005.\nÉtat de conformité : "
    "partiellement conforme (audit interne automatisé axe-core).",
    "privacy_policy": "Les données collectées servent uniquement à la gestion des dons et des campagnes. "
    "Les adresses électroniques des donateurs ne sont jamais publiées ni transmises aux "
    "bénéficiaires sans leur accord.",
}

CAFE_TEXT = (
    "Bars et cafés sont fermés par le confinement. Pour les soutenir, choisissez un établissement près de "
    "chez vous et faites un don de 3 à 10 € : la Région Grand Est double chaque don, dans la limite de "
    "100 000 € d'argent public.\n\nEn remerciement, chaque établissement choisit sa contrepartie, souvent "
    "un bon d'achat à utiliser après la réouverture."
)
CAFE_TEXT_EN = (
    "Bars and cafés are closed by the lockdown. To support them, choose one near you and give 3 to 10 €: "
    "the Grand Est Region doubles each gift, up to 100,000 € of public money.\n\nTo thank you, each "
    "establishment chooses its counterpart, often a voucher to use once it reopens."
)
CAFE_TEXT_DE = (
    "Bars und Cafés sind wegen des Lockdowns geschlossen. Um sie zu unterstützen, wählen Sie eines in "
    "Ihrer Nähe und spenden Sie 3 bis 10 €: die Region Grand Est verdoppelt jede Spende, bis zu "
    "100.000 € öffentlicher Mittel.\n\nAls Dankeschön wählt jedes Lokal seine Gegenleistung, oft einen "
    "Gutschein für die Zeit nach der Wiedereröffnung."
)


def _tenant(spec) -> Collectivite:
    existing = Collectivite.objects.filter(slug=spec["slug"]).first()
    if existing is not None:
        if spec.get("siret") and not existing.siret:  # a demo seeded before the SIRET was asked for
            existing.siret = spec["siret"]
            existing.save(update_fields=["siret"])
        return existing
    form = CollectiviteCreationForm(
        data={
            **{k: spec[k] for k in ("slug", "kind", "name", "siren", "insee_code", "main_colour", "contact_email")},
            "admin_email": spec["team"][Role.ADMIN],
        }
    )
    if not form.is_valid():
        raise ValueError(f"demo tenant {spec['slug']} is invalid: {form.errors.as_json()}")
    collectivite = create_collectivite(form=form, admin_password=DEMO_PASSWORD)
    collectivite.article = spec["article"]  # "la Région Grand Est", "la Ville de Strasbourg"
    collectivite.siret = spec.get("siret", "")
    PaymentAccount.objects.filter(collectivite=collectivite).update(sandbox_secret=DEMO_SANDBOX_SECRETS[spec["slug"]])
    for field, text in LEGAL.items():
        setattr(collectivite, field, text.replace("Région Grand Est", spec["name"]))
    collectivite.save()
    return collectivite


def _team(collectivite, team, more=()) -> list[Login]:
    logins = []
    for role, email in [*team.items(), *more]:
        user, _created = ensure_verified_user(email=email, password=DEMO_PASSWORD)
        Membership.objects.get_or_create(user=user, collectivite=collectivite, defaults={"role": role})
        logins.append(Login(collectivite.name, Role(role).label, email))
    return logins


def _cafe_solidaire(collectivite, actor) -> Campaign:
    existing = Campaign.objects.filter(collectivite=collectivite, slug="cafe-solidaire").first()
    if existing is not None:
        return existing
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    fmt = "%Y-%m-%dT%H:%M"
    form = CampaignForm(
        collectivite=collectivite,
        data={
            "title": "Café Solidaire",
            "slug": "cafe-solidaire",
            "kind": "businesses",
            "summary": "Soutenez les bars et cafés du Grand Est : la Région double chaque don de 3 à 10 €.",
            "description": CAFE_TEXT,
            "title_en": "Solidarity Café",
            "title_de": "Solidarisches Café",
            "summary_en": "Support the bars and cafés of the Grand Est: the Region doubles each gift of 3 to 10 €.",
            "summary_de": "Unterstützen Sie die Bars und Cafés im Grand Est: die Region verdoppelt jede Spende von 3 bis 10 €.",
            "description_en": CAFE_TEXT_EN,
            "description_de": CAFE_TEXT_DE,
            "starts_at": (now - timedelta(days=21)).strftime(fmt),  # a history for the dashboard
            "ends_at": (now + timedelta(days=60)).strftime(fmt),
            "registration_opens_at": (now - timedelta(days=28)).strftime(fmt),
            "registration_closes_at": (now + timedelta(days=45)).strftime(fmt),
            "territory_scope": "all",
            "categories": ["bar", "cafe", "bar_tabac"],
            "min_gift_cents": "3",
            "max_gift_cents": "10",
            "suggested_gifts_cents": "5 ; 10",
            "matching_ratio_percent": 100,
            "matching_budget_cents": "100000",
            "beneficiary_cap_cents": "",
            "donor_limit_cents": "",
            "counterpart_policy": "optional",
            "decision_reference": "Délibération de la Commission permanente n° 20CP-1875",
            "decision_date": (now - timedelta(days=35)).date().isoformat(),  # voted before the campaign
        },
    )
    if not form.is_valid():
        raise ValueError(f"demo campaign is invalid: {form.errors.as_json()}")
    campaign = campaign_actions.save_campaign(campaign=form.save(commit=False), territory=form.territory(), actor=actor)
    return campaign_actions.publish_campaign(campaign=campaign, actor=actor)


OWNER_EMAIL = "cafe@grandest.example"


def _owner_establishments(campaign, moderator) -> Login:
    """The demo owner runs two cafés in Strasbourg: one approved, one waiting for moderation."""
    owner, _created = ensure_verified_user(email=OWNER_EMAIL, password=DEMO_PASSWORD)
    if not Establishment.objects.filter(owner=owner).exists():
        for name, address, approve in (
            ("Café de la Petite France", "12 rue du Bain-aux-Plantes", True),
            ("Bar du Neudorf", "40 route du Polygone", False),
        ):
            form = EstablishmentForm(
                data={
                    "trade_name": name,
                    "legal_name": f"SAS {name.upper()}",
                    "category": "cafe",
                    "identifier": DEMO_SIRETS[name],
                    "address": address,
                    "commune_text": "Strasbourg",
                    "postal_code": "67000",
                    "phone": "03 88 00 00 00",
                    "website": "",
                    "opening_hours": "Tous les jours, 7 h – 19 h",
                    "description": "Un café au bord de l'Ill, tenu par la même famille depuis trois générations.",
                    "description_en": "A café on the banks of the Ill, run by the same family for three generations.",
                    "description_de": "Ein Café am Ufer der Ill, seit drei Generationen in derselben Familie.",
                    "iban": "FR7630006000011234567890189",
                    "account_holder": f"SAS {name.upper()}",
                },
                territory=campaign.territory_communes(),
                categories=campaign.categories,
            )
            registration_form = RegistrationForm(
                data={"accept_terms": "on"},
                campaign=campaign,
            )
            if not (form.is_valid() and registration_form.is_valid()):
                raise ValueError(
                    f"demo establishment is invalid: {form.errors.as_json()} {registration_form.errors.as_json()}"
                )
            registration = beneficiary_actions.register_establishment(
                owner=owner, campaign=campaign, form=form, registration_form=registration_form
            )
            if approve:
                beneficiary_actions.approve(registration=registration, moderator=moderator)
                # The example: a voucher worth the gift + 20 %, valid until 30 June.
                today = timezone.localdate()
                june = today.replace(month=6, day=30)
                offer = voucher_actions.submit_offer(
                    offer=Offer(
                        registration=registration,
                        kind="value",
                        value_mode="percent",
                        percent_of_gift=100,
                        bonus_percent=20,
                        valid_until=june if june > today else june.replace(year=today.year + 1),
                        partial_use=True,
                        terms="Valable sur toute la carte, hors tabac.",
                        note="Au plaisir de vous accueillir en terrasse, face à l'Ill !",
                        note_en="We look forward to welcoming you on our terrace by the Ill!",
                        note_de="Wir freuen uns, Sie auf unserer Terrasse an der Ill zu begrüßen!",
                    ),
                    actor=owner,
                )
                voucher_actions.decide_offer(offer=offer, moderator=moderator, approve=True)
    return Login(campaign.collectivite.name, str(_("Establishment owner")), OWNER_EMAIL)


DEMO_SIRETS = {"Café de la Petite France": "73282932000074", "Bar du Neudorf": "35600000049837"}


def seed() -> list[Login]:
    logins = _seed_people_and_places()
    # Conversations and a report, each committed on its own like the gifts below.
    seed_mutual_aid_talk(Collectivite.objects.get(slug="strasbourg"))
    # Gifts go one by one through the payment path, each committed on its own so that its
    # notification is delivered and applied as in production.
    campaign = Campaign.objects.get(collectivite__slug="grand-est", slug="cafe-solidaire")
    seed_gifts(campaign)
    team = TENANTS[0]["team"]
    seed_payouts(
        campaign,
        preparer_email=team[Role.FINANCE],
        approver_email=TENANTS[0]["more"][0][1],
        moderator_email=team[Role.MODERATOR],
    )
    return logins


@transaction.atomic
def _seed_people_and_places() -> list[Login]:
    logins: list[Login] = []
    for spec in TENANTS:
        collectivite = _tenant(spec)
        logins += _team(collectivite, spec["team"], spec.get("more", ()))
        if spec["slug"] == "grand-est":
            admin = Membership.objects.get(collectivite=collectivite, user__email=spec["team"][Role.ADMIN]).user
            moderator = Membership.objects.get(collectivite=collectivite, user__email=spec["team"][Role.MODERATOR]).user
            campaign = _cafe_solidaire(collectivite, admin)
            seed_cafes(collectivite, campaign, moderator)
            logins.append(_owner_establishments(campaign, moderator))
    logins += _mutual_aid()
    return logins


def _mutual_aid() -> list[Login]:
    strasbourg = Collectivite.objects.get(slug="strasbourg")
    grand_est = Collectivite.objects.get(slug="grand-est")
    people = seed_mutual_aid(
        strasbourg,
        grand_est,
        strasbourg_admin=Membership.objects.get(
            collectivite=strasbourg, user__email=TENANTS[1]["team"][Role.ADMIN]
        ).user,
        grand_est_moderator=Membership.objects.get(
            collectivite=grand_est, user__email=TENANTS[0]["team"][Role.MODERATOR]
        ).user,
        password=DEMO_PASSWORD,
    )
    return [Login(*person) for person in people]


def sample_voucher():
    """A valid voucher of the demo owner's café, to try the counter."""
    from solidaire.vouchers.models import Voucher, VoucherStatus

    return (
        Voucher.objects.filter(registration__establishment__owner__email=OWNER_EMAIL, status=VoucherStatus.ACTIVE)
        .order_by("issued_at")
        .first()
    )
