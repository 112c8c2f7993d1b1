"""Where a post is shown (ADR 0023): never where the person is. Posts name a commune, never an
address; the position shown is the commune's centre moved by a random bearing and distance,
drawn once when the post is created and stored, so that asking again shows the same point and
many views cannot be averaged back to anything."""

import math
import secrets

EARTH_RADIUS_M = 6_371_000
MIN_DISTANCE_M = 300
MAX_DISTANCE_M = 1000
# Around a neighbourhood's centre: a smaller ring, so that posts stay in the neighbourhood named.
NEIGHBOURHOOD_MIN_DISTANCE_M = 150
NEIGHBOURHOOD_MAX_DISTANCE_M = 500
# How far from its commune's centre a neighbourhood's centre may be (a typing mistake otherwise).
NEIGHBOURHOOD_MAX_FROM_COMMUNE_M = 10_000
_random = secrets.SystemRandom()


def displaced(
    latitude: float,
    longitude: float,
    *,
    rng=_random,
    min_m: float = MIN_DISTANCE_M,
    max_m: float = MAX_DISTANCE_M,
) -> tuple[float, float]:
    """A point between `min_m` and `max_m` (by default MIN_DISTANCE_M and MAX_DISTANCE_M) from
    (latitude, longitude), in a random direction, rounded to 5 decimals (about a metre)."""
    bearing = rng.uniform(0, 2 * math.pi)
    # Uniform over the ring's area, not its radius: the points do not crowd near the inner edge.
    distance = math.sqrt(rng.uniform(min_m**2, max_m**2))
    dlat = distance * math.cos(bearing) / EARTH_RADIUS_M
    dlon = distance * math.sin(bearing) / (EARTH_RADIUS_M * math.cos(math.radians(latitude)))
    return round(latitude + math.degrees(dlat), 5), round(longitude + math.degrees(dlon), 5)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two points (equirectangular: exact enough within a few kilometres)."""
    scale = math.cos(math.radians((a[0] + b[0]) / 2))
    dy = math.radians(b[0] - a[0])
    dx = math.radians(b[1] - a[1]) * scale
    return EARTH_RADIUS_M * math.hypot(dx, dy)


def for_commune(commune) -> tuple[float | None, float | None]:
    if commune.latitude is None or commune.longitude is None:
        return None, None
    return displaced(commune.latitude, commune.longitude)


def for_neighbourhood(neighbourhood) -> tuple[float, float]:
    """A point 150–500 m from the neighbourhood's centre (the collectivité's, always known)."""
    return displaced(
        neighbourhood.latitude,
        neighbourhood.longitude,
        min_m=NEIGHBOURHOOD_MIN_DISTANCE_M,
        max_m=NEIGHBOURHOOD_MAX_DISTANCE_M,
    )


def for_post(post) -> tuple[float | None, float | None]:
    """Where a new post is shown: near its neighbourhood's centre when it names one, else near
    its commune's."""
    if post.neighbourhood_id is not None:
        return for_neighbourhood(post.neighbourhood)
    return for_commune(post.commune)
