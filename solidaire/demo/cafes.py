"""Several hundred cafés and bars in real Grand Est communes for the demo, generated from a fixed
seed so that every demo shows the same directory. Bulk rows are inserted directly (sending
hundreds of moderation e-mails would help nobody); the demo owner's own establishments go
through the registration and moderation write paths like any other."""

import random
from datetime import timedelta

from django.utils import timezone
from schwifty import IBAN
from stdnum import luhn

from solidaire.accounts.actions import ensure_verified_user
from solidaire.beneficiaries.models import Establishment, Registration, RegistrationStatus
from solidaire.geo.models import Commune

KINDS = [
    ("Café", "cafe"),
    ("Bar", "bar"),
    ("Bar-Tabac", "bar_tabac"),
    ("Brasserie", "bar"),
    ("Winstub", "cafe"),
    ("Bistrot", "cafe"),
    ("Taverne", "bar"),
    ("Estaminet", "bar"),
    ("Café-Bar", "cafe"),
    ("Tabac-Presse", "bar_tabac"),
]
NAMES = [
    "de la Gare",
    "du Marché",
    "de la Place",
    "des Sports",
    "du Commerce",
    "de l'Hôtel de Ville",
    "des Amis",
    "du Centre",
    "de la Poste",
    "du Théâtre",
    "du Cygne",
    "de la Cathédrale",
    "du Port",
    "des Vignerons",
    "de l'Église",
    "du Canal",
    "des Tilleuls",
    "du Soleil",
    "de la Mairie",
    "du Pont",
    "des Arts",
    "du Lion d'Or",
    "de la Fontaine",
    "des Cigognes",
    "du Château",
    "de la Forêt",
    "du Moulin",
    "des Halles",
    "de la Rivière",
]
STREETS = [
    "rue Principale",
    "place de la Mairie",
    "rue de la Gare",
    "Grand'Rue",
    "rue du Général de Gaulle",
    "rue de l'Église",
    "place du Marché",
    "avenue de la République",
    "rue des Vosges",
    "quai du Canal",
]
# A word to donors under some offers (French, English, German).
NOTES = [
    (
        "À bientôt au comptoir : merci de votre soutien !",
        "See you soon at the counter: thank you for your support!",
        "Bis bald an der Theke: danke für Ihre Unterstützung!",
    ),
    (
        "Le café vous attend dès la réouverture.",
        "Your coffee is waiting for you as soon as we reopen.",
        "Ihr Kaffee wartet auf Sie, sobald wir wieder öffnen.",
    ),
    ("", "", ""),
]
# (French, English, German)
DESCRIPTIONS = [
    (
        "Le rendez-vous du quartier depuis 1962 : café, presse et bonne humeur.",
        "The neighbourhood's meeting place since 1962: coffee, newspapers and good cheer.",
        "Der Treffpunkt des Viertels seit 1962: Kaffee, Zeitungen und gute Laune.",
    ),
    (
        "Petit bar familial, terrasse ombragée et bière locale à la pression.",
        "A small family bar, a shaded terrace and local beer on tap.",
        "Kleine Familienbar, schattige Terrasse und lokales Bier vom Fass.",
    ),
    (
        "Winstub traditionnelle : tartes flambées, vins d'Alsace et accueil chaleureux.",
        "A traditional winstub: tartes flambées, Alsace wines and a warm welcome.",
        "Traditionelle Winstub: Flammkuchen, Elsässer Weine und ein herzlicher Empfang.",
    ),
    (
        "Bar-tabac au cœur du village, point de rencontre des habitants.",
        "A bar-tabac in the heart of the village, where the locals meet.",
        "Bar-Tabac im Herzen des Dorfes, Treffpunkt der Einwohner.",
    ),
]


def _siret(rng) -> str:
    """A valid SIRET: a SIREN with its check digit, then a NIC making the 14 digits Luhn-valid (as
    the registration form and the open data's schema check them)."""
    digits = f"{rng.randrange(10**12, 10**13):013d}"
    siren = digits[:8] + luhn.calc_check_digit(digits[:8])
    base = siren + digits[8:12]
    return base + luhn.calc_check_digit(base)


def _iban(rng) -> str:
    return IBAN.generate("FR", bank_code="30004", account_code=f"{rng.randrange(10**10):011d}").compact


def _communes(collectivite, rng, count):
    """Mostly the larger communes, some villages, all inside the collectivité’s territory."""
    communes = list(collectivite.communes.exclude(latitude=None).order_by("-population", "insee_code")[:1200])
    weights = [max(c.population, 200) ** 0.6 for c in communes]
    return rng.choices(communes, weights=weights, k=count)


def seed_cafes(collectivite, campaign, moderator, count=420) -> int:
    """Creates `count` approved establishments plus a few pending and rejected ones; does nothing
    when the campaign already has registrations."""
    if Registration.objects.filter(campaign=campaign).exists():
        return 0
    rng = random.Random(44)  # noqa: S311 - demo data, not security
    now = timezone.now()
    owners = [ensure_verified_user(email=f"gerant{i}@cafes.example")[0] for i in range(1, 41)]
    establishments, specs = [], []
    for i, commune in enumerate(_communes(collectivite, rng, count + 30)):
        prefix, category = rng.choice(KINDS)
        description, description_en, description_de = rng.choice(DESCRIPTIONS)
        name = f"{prefix} {rng.choice(NAMES)}"
        codes = commune.postal_codes.split()
        jitter = 0.004 if commune.population > 20000 else 0.0015
        establishments.append(
            Establishment(
                collectivite=collectivite,
                owner=owners[i % len(owners)],
                trade_name=name,
                legal_name=f"SARL {name.upper()}",
                category=category,
                siret=_siret(rng),
                address=f"{rng.randint(1, 80)} {rng.choice(STREETS)}",
                commune=commune,
                postal_code=codes[0] if codes else "",
                phone=f"03 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                latitude=commune.latitude + rng.uniform(-jitter, jitter),
                longitude=commune.longitude + rng.uniform(-jitter, jitter),
                opening_hours="Du mardi au samedi, 8 h – 20 h\nDimanche 9 h – 13 h",
                description=description,
                description_en=description_en,
                description_de=description_de,
                iban=_iban(rng),
                account_holder=f"SARL {name.upper()}",
            )
        )
        if i < count:
            status = RegistrationStatus.APPROVED
        elif i < count + 20:
            status = RegistrationStatus.PENDING
        else:
            status = RegistrationStatus.REJECTED
        specs.append(status)
    for establishment in establishments:
        establishment.refresh_search_text()
    Establishment.objects.bulk_create(establishments, batch_size=500)
    registrations = []
    for i, (establishment, status) in enumerate(zip(establishments, specs, strict=True)):
        submitted = now - timedelta(days=6, minutes=i * 7)
        decided = status != RegistrationStatus.PENDING
        registrations.append(
            Registration(
                campaign=campaign,
                establishment=establishment,
                legal_identifier=establishment.siret,
                search_text=establishment.search_text,
                status=status,
                terms_accepted_at=submitted,
                submitted_at=submitted,
                decided_at=submitted + timedelta(hours=5) if decided else None,
                decided_by=moderator if decided else None,
                approved_at=submitted + timedelta(hours=5) if status == RegistrationStatus.APPROVED else None,
                decision_message="Établissement hors du champ de la campagne (restaurant)."
                if status == RegistrationStatus.REJECTED
                else "",
            )
        )
    Registration.objects.bulk_create(registrations, batch_size=500)
    _offers(rng, [r for r in registrations if r.status == RegistrationStatus.APPROVED], now)
    return len(registrations)


def _offers(rng, registrations, now) -> None:
    """Most cafés thank their donors with a voucher, some with a coffee, the rest with nothing."""
    from solidaire.vouchers.models import Offer

    until = (now + timedelta(days=210)).date()
    offers = []
    for registration in registrations:
        choice = rng.random()
        note, note_en, note_de = rng.choice(NOTES)
        if choice < 0.55:
            offers.append(
                Offer(
                    registration=registration,
                    kind="value",
                    value_mode="percent",
                    percent_of_gift=100,
                    bonus_percent=rng.choice([0, 10, 20]),
                    valid_until=until,
                    partial_use=True,
                    terms="Non remboursable, non échangeable.",
                    note=note,
                    note_en=note_en,
                    note_de=note_de,
                    status="approved",
                    submitted_at=now,
                    decided_at=now,
                )
            )
        elif choice < 0.8:
            offers.append(
                Offer(
                    registration=registration,
                    kind="item",
                    item_label="Un café offert",
                    min_gift_cents=500,
                    validity_days=180,
                    partial_use=False,
                    note=note,
                    note_en=note_en,
                    note_de=note_de,
                    status="approved",
                    submitted_at=now,
                    decided_at=now,
                )
            )
    Offer.objects.bulk_create(offers, batch_size=500)


def demo_commune(name: str) -> Commune:
    return Commune.objects.get(name=name, departement__region="44")
