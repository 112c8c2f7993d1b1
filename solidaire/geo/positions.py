"""Where a position in France may be. A commune's published position is checked against the
bounding box of its territory — metropolitan France with Corsica, or its overseas département or
collectivité — before it is used: a latitude copied into the longitude (Grand Est communes shown
in Asia, 2026) or a lost minus sign lands outside, and the commune is treated as having none."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    south: float
    west: float
    north: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


# Metropolitan France, Corsica included (Ouessant to Corsica's east coast, Bonifacio to Bray-Dunes).
METROPOLITAN = Box(41.3, -5.3, 51.2, 9.7)
# Overseas départements (971–976) and collectivités (975, 977, 978, 984–989), islands included.
OVERSEAS = {
    "971": Box(15.8, -61.9, 16.6, -60.9),  # Guadeloupe
    "972": Box(14.35, -61.3, 14.9, -60.75),  # Martinique
    "973": Box(2.0, -54.7, 5.9, -51.5),  # Guyane
    "974": Box(-21.45, 55.2, -20.85, 55.9),  # La Réunion
    "975": Box(46.7, -56.45, 47.15, -56.1),  # Saint-Pierre-et-Miquelon
    "976": Box(-13.05, 44.95, -12.6, 45.35),  # Mayotte
    "977": Box(17.85, -62.95, 17.98, -62.78),  # Saint-Barthélemy
    "978": Box(18.0, -63.2, 18.13, -62.95),  # Saint-Martin
    "984": Box(-67.0, 39.0, -11.0, 141.0),  # Terres australes et antarctiques françaises
    "986": Box(-14.4, -178.3, -13.15, -176.1),  # Wallis-et-Futuna
    "987": Box(-27.9, -154.8, -7.8, -134.3),  # Polynésie française
    "988": Box(-23.0, 158.0, -17.9, 168.2),  # Nouvelle-Calédonie
    "989": Box(10.25, -109.27, 10.35, -109.17),  # Clipperton
}
# Where to place what has no better position in a territory whose communes have none: its
# chef-lieu (Port-aux-Français for the TAAF).
CHEFS_LIEUX = {
    "975": (46.7811, -56.1764),
    "977": (17.8962, -62.8498),
    "978": (18.0679, -63.0825),
    "984": (-49.3497, 70.2195),
    "986": (-13.2825, -176.1745),
    "987": (-17.5350, -149.5696),
    "988": (-22.2758, 166.4580),
    "989": (10.3000, -109.2167),
}
# No metropolitan département spans more: a commune further than this from the middle of its
# département's communes has a wrong position (typically a longitude that lost its minus sign).
MAX_KM_FROM_DEPARTEMENT = 120


def territory_box(departement_code: str) -> Box:
    return OVERSEAS.get(departement_code, METROPOLITAN)


def is_in_territory(departement_code: str, latitude, longitude) -> bool:
    """Whether (latitude, longitude) is a number pair inside the territory of the département."""
    if latitude is None or longitude is None:
        return False
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return False
    return territory_box(departement_code).contains(latitude, longitude)


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance: exact enough within a département."""
    scale = math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(a[0] - b[0], (a[1] - b[1]) * scale) * 111.2
