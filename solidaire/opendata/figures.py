"""What a campaign published about its money: the figures of its transparency page and the rows
of its open-data file. Bounded: five queries whatever the number of gifts and beneficiaries
(gifts and match per beneficiary, the beneficiaries, donors, reservations) — never one per row.

- Gifts are the donors' payments that went through (`PAID_STATUSES`), less what refunds and lost
  disputes took back; a gift counts while some of it stands (`STANDING_STATUSES`).
- The public match is read from the journal (docs/ledger.md): the postings of the campaign’s
  `campaign_matching` account, debited by `match.posted` and credited by `match.reversed`, summed
  per beneficiary through the gift each entry belongs to. A refund reduces it by the match share
  the reversal took back.

No donor is ever named: nothing here reads a name, an e-mail address or a message."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Q, Sum

from solidaire.beneficiaries.models import Registration
from solidaire.campaigns.choices import Category
from solidaire.donations.models import PAID_STATUSES, STANDING_STATUSES, Gift
from solidaire.ledger.models import AccountKind, Entry, Posting
from solidaire.matching.models import Pool

MATCH_ENTRIES = ("match.posted", "match.reversed")


@dataclass
class Beneficiary:
    registration_id: int
    establishment_id: int
    trade_name: str
    legal_name: str
    siret: str
    rna: str
    category: str
    commune: str
    departement_code: str
    departement_name: str
    gifts_count: int = 0
    gifts_cents: int = 0
    match_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.gifts_cents + self.match_cents

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label) if self.category in Category.values else self.category


@dataclass
class Breakdown:
    """One line of a distribution: a département or a category."""

    key: str
    label: str
    beneficiaries: int = 0
    gifts_count: int = 0
    gifts_cents: int = 0
    match_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.gifts_cents + self.match_cents


@dataclass
class Transparency:
    budget_cents: int
    match_cents: int  # used: posted less reversed, from the journal
    reserved_cents: int  # held for payments in progress
    gifts_count: int
    gifts_cents: int
    donors_count: int
    beneficiaries: list[Beneficiary] = field(default_factory=list)
    by_departement: list[Breakdown] = field(default_factory=list)
    by_category: list[Breakdown] = field(default_factory=list)

    @property
    def left_cents(self) -> int:
        return max(self.budget_cents - self.match_cents - self.reserved_cents, 0)

    @property
    def used_percent(self) -> int:
        return self.match_cents * 100 // self.budget_cents if self.budget_cents else 0

    @property
    def total_cents(self) -> int:
        return self.gifts_cents + self.match_cents


def match_by_registration(campaign) -> dict[int, int]:
    """The public match each beneficiary of the campaign received, in cents, from the journal."""
    rows = (
        Posting.objects.filter(
            account__kind=AccountKind.CAMPAIGN_MATCHING,
            account__campaign=campaign,
            entry__kind__in=MATCH_ENTRIES,
        )
        .values(registration_id=F("entry__gift__registration_id"))
        .annotate(cents=Sum("amount_cents"))
    )
    return {row["registration_id"]: row["cents"] or 0 for row in rows}


def gifts_by_registration(campaign) -> dict[int, dict]:
    """Per beneficiary: the gifts that stand (count) and what donors gave, net of refunds."""
    rows = (
        Gift.objects.filter(campaign=campaign, status__in=PAID_STATUSES)
        .values("registration_id")
        .annotate(
            count=Count("pk", filter=Q(status__in=STANDING_STATUSES)),
            cents=Sum(F("amount_cents") - F("refunded_cents") - F("charged_back_cents")),
        )
    )
    return {row["registration_id"]: row for row in rows}


def beneficiaries(campaign) -> list[Beneficiary]:
    """Every beneficiary that received money (gifts or match) in the campaign, by name."""
    gifts = gifts_by_registration(campaign)
    match = match_by_registration(campaign)
    ids = {pk for pk, row in gifts.items() if row["cents"]} | {pk for pk, cents in match.items() if cents}
    # The campaign’s registrations, kept in Python when they received money: one query whatever
    # their number, with no list of ids as parameters (SQLite caps them).
    registrations = (
        Registration.objects.filter(campaign=campaign)
        .select_related("establishment__commune__departement")
        .only(
            "pk",
            "establishment__id",
            "establishment__trade_name",
            "establishment__legal_name",
            "establishment__siret",
            "establishment__rna",
            "establishment__category",
            "establishment__commune__name",
            "establishment__commune__departement__code",
            "establishment__commune__departement__name",
        )
    )
    found = []
    for registration in registrations:
        if registration.pk not in ids:
            continue
        establishment = registration.establishment
        commune = establishment.commune
        row = gifts.get(registration.pk, {})
        found.append(
            Beneficiary(
                registration_id=registration.pk,
                establishment_id=establishment.pk,
                trade_name=establishment.trade_name,
                legal_name=establishment.legal_name,
                siret=establishment.siret,
                rna=establishment.rna,
                category=establishment.category,
                commune=commune.name,
                departement_code=commune.departement.code,
                departement_name=commune.departement.name,
                gifts_count=row.get("count") or 0,
                gifts_cents=row.get("cents") or 0,
                match_cents=match.get(registration.pk, 0),
            )
        )
    return sorted(found, key=lambda b: (b.trade_name.casefold(), b.registration_id))


def _breakdown(rows: list[Beneficiary], key, label) -> list[Breakdown]:
    lines: dict[str, Breakdown] = {}
    for row in rows:
        line = lines.setdefault(key(row), Breakdown(key=key(row), label=label(row)))
        line.beneficiaries += 1
        line.gifts_count += row.gifts_count
        line.gifts_cents += row.gifts_cents
        line.match_cents += row.match_cents
    return sorted(lines.values(), key=lambda line: (-line.total_cents, line.key))


def transparency(campaign) -> Transparency:
    rows = beneficiaries(campaign)
    donors = Gift.objects.filter(campaign=campaign, status__in=STANDING_STATUSES).aggregate(
        n=Count("donor_key", distinct=True)
    )["n"]
    reserved = Pool.objects.filter(campaign=campaign).aggregate(cents=Sum("reserved_cents"))["cents"]
    return Transparency(
        budget_cents=campaign.matching_budget_cents,
        match_cents=sum(row.match_cents for row in rows),
        reserved_cents=reserved or 0,
        gifts_count=sum(row.gifts_count for row in rows),
        gifts_cents=sum(row.gifts_cents for row in rows),
        donors_count=donors or 0,
        beneficiaries=rows,
        by_departement=_breakdown(
            rows, lambda r: r.departement_code, lambda r: f"{r.departement_name} ({r.departement_code})"
        ),
        by_category=_breakdown(rows, lambda r: r.category, lambda r: r.category_label),
    )


def last_updates(campaigns) -> dict[int, object]:
    """When each campaign’s public money last moved (or, before any, when the campaign last
    changed): the "last update" the Licence Ouverte asks re-users to cite. One query for all."""
    campaigns = list(campaigns)
    moved = {
        row["campaign_id"]: row["at"]
        for row in Entry.objects.filter(
            kind__in=MATCH_ENTRIES,
            postings__account__kind=AccountKind.CAMPAIGN_MATCHING,
            postings__account__campaign__in=[campaign.pk for campaign in campaigns],
        )
        .values(campaign_id=F("postings__account__campaign_id"))
        .annotate(at=Max("created_at"))
        .order_by()
    }
    found = {}
    for campaign in campaigns:
        at = moved.get(campaign.pk)
        found[campaign.pk] = max(at, campaign.updated_at) if at else campaign.updated_at
    return found


def last_update(campaign):
    return last_updates([campaign])[campaign.pk]
