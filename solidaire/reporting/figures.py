"""The dashboard's figures: a handful of aggregate queries (GROUP BY) over the paid gifts of a
campaign, or of every campaign of a collectivité, whatever their number — never a loop over gifts.

Where the figures come from. A gift's row carries what the journal booked for it — amount received,
refunds, lost disputes, match posted and reversed — and `ledger-check` proves every night that the
two agree (docs/ledger.md, invariant 5). So the gifts table is the journal's figures, already
joined to the beneficiary, its commune and category: what is given is `amount − refunded −
charged back`, the public match `match − match reversed`, both counted on the day the payment was
confirmed. The budget used and left, which filters do not change, are the matching pools' counters,
which equal the `campaign_matching` accounts of the journal (invariant 3).
Only paid gifts still standing count (`STANDING_STATUSES`: confirmed, partly refunded, a refund
asked, disputed); a refunded or charged-back gift has nothing left in the books.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import get_language

from solidaire.beneficiaries.models import Registration
from solidaire.campaigns.choices import Category, Status
from solidaire.campaigns.models import Campaign
from solidaire.donations.models import STANDING_STATUSES, Gift
from solidaire.matching.models import Pool

from . import forecast

CACHE_SECONDS = 60
TOP_COMMUNES = 10


@dataclass(frozen=True)
class Filters:
    """What the dashboard's form narrows the gifts to (all optional)."""

    start: date | None = None
    end: date | None = None
    departement: str = ""
    commune: str = ""
    category: str = ""

    def key(self) -> str:
        return f"{self.start}|{self.end}|{self.departement}|{self.commune}|{self.category}"

    @property
    def any(self) -> bool:
        return bool(self.start or self.end or self.departement or self.commune or self.category)


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a day, a département, a commune or a category."""

    key: str
    label: str
    given_cents: int
    match_cents: int
    gifts: int
    day: date | None = None  # the rows per day: their date

    @property
    def total_cents(self) -> int:
        return self.given_cents + self.match_cents


@dataclass(frozen=True)
class Budget:
    """The public budget, from the matching pools' counters (filters do not apply)."""

    budget_cents: int
    used_cents: int
    reserved_cents: int

    @property
    def left_cents(self) -> int:
        return max(self.budget_cents - self.used_cents - self.reserved_cents, 0)

    @property
    def used_percent(self) -> int:
        return self.used_cents * 100 // self.budget_cents if self.budget_cents else 0


@dataclass(frozen=True)
class Dashboard:
    budget: Budget
    given_cents: int
    match_cents: int
    gifts: int
    donors: int
    beneficiaries: int
    days: list[Row] = field(default_factory=list)
    departements: list[Row] = field(default_factory=list)
    communes: list[Row] = field(default_factory=list)
    categories: list[Row] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return self.given_cents + self.match_cents

    @property
    def top_communes(self) -> list[Row]:
        return self.communes[:TOP_COMMUNES]


def standing_gifts(collectivite, campaign=None, filters: Filters = Filters()):
    """The paid gifts still standing of a collectivité (one campaign of it), filtered."""
    gifts = Gift.objects.filter(collectivite=collectivite, status__in=STANDING_STATUSES)
    if campaign is not None:
        gifts = gifts.filter(campaign=campaign)
    if filters.start:
        gifts = gifts.filter(confirmed_at__date__gte=filters.start)
    if filters.end:
        gifts = gifts.filter(confirmed_at__date__lte=filters.end)
    if filters.departement:
        gifts = gifts.filter(registration__establishment__commune__departement_id=filters.departement)
    if filters.commune:
        gifts = gifts.filter(registration__establishment__commune_id=filters.commune)
    if filters.category:
        gifts = gifts.filter(registration__establishment__category=filters.category)
    return gifts


_SUMS = {
    "given": Sum(F("amount_cents") - F("refunded_cents") - F("charged_back_cents")),
    "match": Sum(F("match_cents") - F("match_reversed_cents")),
    "gifts": Count("pk"),
}


def _grouped(found, key, label) -> list[Row]:
    """Rows per `key(place)` of the per-beneficiary sums, largest total first."""
    sums: dict[str, list] = {}
    for place, given, match, gifts in found:
        row = sums.setdefault(key(place), [label(place), 0, 0, 0])
        row[1] += given
        row[2] += match
        row[3] += gifts
    rows = [
        Row(key=k, label=name, given_cents=given, match_cents=match, gifts=gifts)
        for k, (name, given, match, gifts) in sums.items()
    ]
    return sorted(rows, key=lambda row: (-row.total_cents, row.label))


def budget_of(collectivite, campaign=None) -> Budget:
    pools = Pool.objects.filter(campaign__collectivite=collectivite)
    if campaign is not None:
        pools = pools.filter(campaign=campaign)
    sums = pools.aggregate(capacity=Sum("capacity_cents"), used=Sum("used_cents"), reserved=Sum("reserved_cents"))
    if campaign is not None:
        budget = campaign.matching_budget_cents
    else:
        budget = sums["capacity"] or 0
    return Budget(budget_cents=budget, used_cents=sums["used"] or 0, reserved_cents=sums["reserved"] or 0)


def running_budgets() -> list[tuple[str, str, Budget]]:
    """(collectivité's slug, campaign's slug, its Budget as `budget_of` reads it) for every
    published campaign, in one query whatever their number (the operators' metrics)."""
    rows = (
        Campaign.objects.filter(status=Status.PUBLISHED)
        .values_list("collectivite__slug", "slug", "matching_budget_cents")
        .annotate(used=Sum("pools__used_cents"), reserved=Sum("pools__reserved_cents"))
        .order_by("collectivite__slug", "slug")
    )
    return [
        (collectivite, slug, Budget(budget_cents=budget, used_cents=used or 0, reserved_cents=reserved or 0))
        for collectivite, slug, budget, used, reserved in rows
    ]


def daily(gifts) -> list[Row]:
    """Per day of confirmation (the site’s time zone), every day from the first to the last."""
    found = {
        row["day"]: row
        for row in gifts.annotate(day=TruncDate("confirmed_at")).values("day").annotate(**_SUMS).order_by()
    }
    if not found:
        return []
    first, last = min(found), max(found)
    rows = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        row = found.get(day, {})
        rows.append(
            Row(
                key=day.isoformat(),
                label=day.isoformat(),
                given_cents=row.get("given") or 0,
                match_cents=row.get("match") or 0,
                gifts=row.get("gifts") or 0,
                day=day,
            )
        )
    return rows


def compute(collectivite, campaign=None, filters: Filters = Filters()) -> Dashboard:
    """Four queries whatever the number of gifts: sums per beneficiary (GROUP BY registration,
    no join unless a filter needs one), where those beneficiaries are (one row each), sums per
    day, and the distinct donors. Départements, communes and categories are the beneficiaries'
    sums added up by place: a loop over beneficiaries, never over gifts."""
    gifts = standing_gifts(collectivite, campaign, filters)
    per_beneficiary = {
        row["registration_id"]: (row["given"] or 0, row["match"] or 0, row["gifts"])
        for row in gifts.values("registration_id").annotate(**_SUMS).order_by()
    }
    places = {
        row["pk"]: row
        for row in Registration.objects.filter(pk__in=list(per_beneficiary)).values(
            "pk",
            commune=F("establishment__commune_id"),
            commune_name=F("establishment__commune__name"),
            departement=F("establishment__commune__departement_id"),
            departement_name=F("establishment__commune__departement__name"),
            category=F("establishment__category"),
        )
    }
    found = [(places[pk], *sums) for pk, sums in per_beneficiary.items()]
    categories = dict(Category.choices)
    # COUNT(*) over SELECT DISTINCT: PostgreSQL hashes the keys instead of sorting them (a third
    # faster at 200,000 gifts, docs/benchmarks.md).
    donors = gifts.values("donor_key").order_by().distinct().count()
    return Dashboard(
        budget=budget_of(collectivite, campaign),
        given_cents=sum(given for given, _match, _gifts in per_beneficiary.values()),
        match_cents=sum(match for _given, match, _gifts in per_beneficiary.values()),
        gifts=sum(count for _given, _match, count in per_beneficiary.values()),
        donors=donors or 0,
        beneficiaries=len(per_beneficiary),
        days=daily(gifts),
        departements=_grouped(found, lambda p: p["departement"], lambda p: p["departement_name"]),
        communes=_grouped(found, lambda p: p["commune"], lambda p: p["commune_name"]),
        categories=_grouped(
            found, lambda p: p["category"], lambda p: str(categories.get(p["category"], p["category"]))
        ),
    )


def dashboard(collectivite, campaign=None, filters: Filters = Filters()) -> Dashboard:
    """`compute`, kept a minute: the page and its charts (each its own request) read it once."""
    scope = campaign.pk if campaign else "-"
    key = f"reporting:{collectivite.pk}:{scope}:{filters.key()}:{get_language()}"  # labels are translated
    found = cache.get(key)
    if found is None:
        found = compute(collectivite, campaign, filters)
        cache.set(key, found, CACHE_SECONDS)
    return found


def daily_match(campaign) -> dict[date, int]:
    """The public match used per day of confirmation, for the forecast (no filters), fresh."""
    return match_per_day(daily(standing_gifts(campaign.collectivite, campaign)))


def match_per_day(days: list[Row]) -> dict[date, int]:
    return {row.day: row.match_cents for row in days if row.match_cents}


# Beyond this many communes, the commune filter lists those of the chosen département only (a
# list of 1,500 communes is neither usable nor cheap to draw).
COMMUNES_LISTED = 150


def choices(collectivite, campaign=None, *, departement: str = "", commune: str = "") -> dict:
    """The filters' options: the départements and communes of beneficiaries who received gifts, the
    categories (read from the registrations: a few thousand rows at most, not the gifts). The
    communes are all of them when they are few, else those of `departement` (and `commune`, so
    that a link naming it keeps working); `communes_narrowed` says so."""
    registrations = Registration.objects.filter(campaign__collectivite=collectivite, gifts_count__gt=0)
    if campaign is not None:
        registrations = registrations.filter(campaign=campaign)
    places = (
        registrations.values(
            dep=F("establishment__commune__departement_id"),
            dep_name=F("establishment__commune__departement__name"),
            com=F("establishment__commune_id"),
            com_name=F("establishment__commune__name"),
        )
        .distinct()
        .order_by()
    )
    places = list(places)
    departements = sorted({(p["dep"], f"{p['dep_name']} ({p['dep']})") for p in places}, key=lambda d: d[0])
    communes = {(p["com"], f"{p['com_name']} ({p['com']})", p["dep"]) for p in places}
    narrowed = len(communes) > COMMUNES_LISTED
    if narrowed:
        communes = {c for c in communes if c[2] == departement or c[0] == commune}
    return {
        "departements": departements,
        "communes": sorted(((code, name) for code, name, _dep in communes), key=lambda c: c[1]),
        "communes_narrowed": narrowed,
        "categories": list(Category.choices),
    }


def campaign_forecast(
    campaign, budget: Budget | None = None, today: date | None = None, daily: dict[date, int] | None = None
):
    """The forecast of a campaign’s budget today (forecast.forecast on its figures); `daily`, the
    match per day when the caller has it already (the dashboard's, unfiltered)."""
    budget = budget or budget_of(campaign.collectivite, campaign)
    today = today or timezone.localdate()
    ends_on = timezone.localdate(campaign.ends_at - timedelta(microseconds=1))
    if campaign.status == "closed":
        return forecast.Forecast(forecast.ENDED)
    # Used up, no budget or ended: the days do not matter (no query).
    needed = budget.budget_cents > 0 and budget.left_cents > 0 and today <= ends_on
    return forecast.forecast(
        daily if daily is not None else (daily_match(campaign) if needed else {}),
        today=today,
        budget_cents=budget.budget_cents,
        left_cents=budget.left_cents,
        starts_on=timezone.localdate(campaign.starts_at),
        ends_on=ends_on,
    )
