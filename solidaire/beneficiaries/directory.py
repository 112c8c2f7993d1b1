"""The public directory of a campaign: approved registrations, searched, filtered and sorted in
one query (plus one count), whatever the number of establishments."""

import math
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import ExpressionWrapper, F, FloatField, Value

from solidaire.geo.lookup import find_communes, is_exact_match
from solidaire.geo.models import Departement
from solidaire.geo.text import fold

from .models import PositionSource, Registration

SORTS = ("name", "supported", "newest", "nearest")


@dataclass
class DirectoryQuery:
    q: str = ""
    category: str = ""
    departement: str = ""
    commune: str = ""
    sort: str = "name"
    near: str = ""

    @classmethod
    def from_params(cls, params) -> "DirectoryQuery":
        sort = params.get("sort", "name")
        return cls(
            q=params.get("q", "")[:100].strip(),
            category=params.get("category", "")[:20],
            departement=params.get("departement", "")[:3],
            commune=params.get("commune", "")[:5],
            sort=sort if sort in SORTS else "name",
            near=params.get("near", "")[:100].strip(),
        )


def approved_registrations(campaign):
    return (
        Registration.objects.approved()
        .filter(campaign=campaign)
        .select_related("establishment", "establishment__commune")
        .only(
            "id",
            "campaign_id",
            "approved_at",
            "gifts_count",
            "gifts_total_cents",
            "matching_total_cents",
            "establishment__id",
            "establishment__trade_name",
            "establishment__category",
            "establishment__photo",
            "establishment__photo_alt",
            "establishment__postal_code",
            "establishment__latitude",
            "establishment__longitude",
            "establishment__commune__name",
            "establishment__commune__insee_code",
            "establishment__commune__departement_id",
        )
    )


def search(campaign, query: DirectoryQuery):
    """Returns (queryset, the commune used for "nearest" or None)."""
    registrations = approved_registrations(campaign)
    for token in fold(query.q).split()[:6]:
        registrations = registrations.filter(search_text__contains=token)
    if query.category:
        registrations = registrations.filter(establishment__category=query.category)
    if query.departement:
        registrations = registrations.filter(establishment__commune__departement_id=query.departement)
    if query.commune:
        registrations = registrations.filter(establishment__commune_id=query.commune)
    origin = None
    if query.sort == "nearest" and query.near:
        origin = _origin(campaign, query.near)
    if origin is not None and origin.latitude is not None:
        # Equirectangular distance: exact enough to sort within a région, and plain arithmetic
        # that SQLite and PostgreSQL both compute in the query.
        scale = math.cos(math.radians(origin.latitude))
        dlat = F("establishment__latitude") - Value(origin.latitude)
        dlon = (F("establishment__longitude") - Value(origin.longitude)) * Value(scale)
        distance = ExpressionWrapper(dlat * dlat + dlon * dlon, output_field=FloatField())
        registrations = registrations.annotate(distance=distance).order_by("distance", "establishment__trade_name")
    elif query.sort == "supported":
        registrations = registrations.order_by("-gifts_total_cents", "establishment__trade_name")
    elif query.sort == "newest":
        registrations = registrations.order_by("-approved_at", "-pk")
    else:
        registrations = registrations.order_by("search_text", "pk")
    return registrations, origin


def _origin(campaign, text: str):
    """The commune named for "nearest": an exact name in the territory, else the first commune
    of the territory whose name starts with the text — unless the text names exactly a commune
    outside the territory ("Metz" is Metz, not Metzeral)."""
    matches = find_communes(text, campaign.territory_communes(), limit=5)
    exact = [c for c in matches if is_exact_match(text, c)]
    if exact:
        return exact[0]
    if any(is_exact_match(text, c) for c in find_communes(text, limit=5)):
        return None
    return matches[0] if matches else None


def territory_departements(campaign) -> list:
    """The départements of the campaign’s territory, for the directory's filter (cached: the
    territory changes rarely and the query walks thousands of communes)."""
    key = f"territory-departements:{campaign.pk}:{campaign.updated_at.timestamp()}"
    departements = cache.get(key)
    if departements is None:
        departements = list(
            Departement.objects.filter(code__in=campaign.territory_communes().values("departement_id")).order_by("code")
        )
        cache.set(key, departements, 3600)
    return departements


def markers(campaign) -> list[list]:
    """[[establishment id, latitude×10⁵, longitude×10⁵, name], …]: small enough for thousands. A
    fifth item, 1, marks an approximate position: the centre of the département, the commune's
    position being unknown."""
    rows = (
        Registration.objects.approved()
        .filter(campaign=campaign, establishment__latitude__isnull=False)
        .values_list(
            "establishment_id",
            "establishment__latitude",
            "establishment__longitude",
            "establishment__trade_name",
            "establishment__position_source",
        )
        .order_by("establishment_id")
    )
    return [
        [pk, round(lat * 100000), round(lon * 100000), name, *([1] if source == PositionSource.DEPARTEMENT else [])]
        for pk, lat, lon, name, source in rows
    ]
