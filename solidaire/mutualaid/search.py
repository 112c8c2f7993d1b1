"""The network's list: filters read from the address, applied in one query (plus one count),
whatever the number of posts. Distances are measured from a commune's centre to each post's
displaced position: approximate by design (ADR 0023)."""

import math
from dataclasses import dataclass

from django.db.models import ExpressionWrapper, F, FloatField, Value

from solidaire.geo.lookup import find_communes, is_exact_match

from .models import Kind, Urgency

DISTANCES_KM = (2, 5, 10, 25)
KM_PER_DEGREE = 111.2


@dataclass
class PostQuery:
    kind: str = ""
    category: str = ""
    urgency: str = ""
    near: str = ""
    within: int = 10

    @classmethod
    def from_params(cls, params) -> "PostQuery":
        kind, urgency = params.get("kind", ""), params.get("urgency", "")
        try:
            within = int(params.get("within", 10))
        except ValueError:
            within = 10
        return cls(
            kind=kind if kind in Kind.values else "",
            category=params.get("category", "")[:40],
            urgency=urgency if urgency in Urgency.values else "",
            near=params.get("near", "")[:100].strip(),
            within=within if within in DISTANCES_KM else 10,
        )


def search(posts, territory, query: PostQuery):
    """Returns (queryset, the commune distances are measured from, or None)."""
    if query.kind:
        posts = posts.filter(kind=query.kind)
    if query.category:
        posts = posts.filter(category__slug=query.category)
    if query.urgency:
        posts = posts.filter(urgency=query.urgency)
    origin = _origin(territory, query.near) if query.near else None
    if origin is None or origin.latitude is None:
        return posts.order_by("-created_at", "-pk"), origin
    # Equirectangular distance in degrees of latitude: plain arithmetic both databases compute.
    scale = math.cos(math.radians(origin.latitude))
    dlat = F("latitude") - Value(origin.latitude)
    dlon = (F("longitude") - Value(origin.longitude)) * Value(scale)
    radius = query.within / KM_PER_DEGREE
    posts = (
        posts.filter(
            latitude__range=(origin.latitude - radius, origin.latitude + radius),
            longitude__range=(origin.longitude - radius / scale, origin.longitude + radius / scale),
        )
        .annotate(distance=ExpressionWrapper(dlat * dlat + dlon * dlon, output_field=FloatField()))
        .filter(distance__lte=radius * radius)
        .order_by("distance", "-pk")
    )
    return posts, origin


def is_within(origin, latitude: float | None, longitude: float | None, km: float) -> bool:
    """Whether a post's displaced position is within `km` of a commune's centre: the distance
    `search` measures, for one post (the alerts, mutualaid.alerts)."""
    if origin.latitude is None or origin.longitude is None or latitude is None or longitude is None:
        return False
    scale = math.cos(math.radians(origin.latitude))
    dlat = latitude - origin.latitude
    dlon = (longitude - origin.longitude) * scale
    radius = km / KM_PER_DEGREE
    return dlat * dlat + dlon * dlon <= radius * radius


def _origin(territory, text: str):
    """The commune named: exactly, else the first of the territory whose name starts so."""
    matches = find_communes(text, territory, limit=5)
    exact = [c for c in matches if is_exact_match(text, c)]
    return (exact or matches or [None])[0]
