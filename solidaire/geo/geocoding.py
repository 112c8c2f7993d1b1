"""Precise positions for addresses. The national address API (Base Adresse Nationale) is used
when configured and reachable; otherwise, and whenever it fails, the commune's centre is used.
Nothing ever waits on it: geocoding runs as a background task after a registration is saved."""

import json
import logging
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    source: str  # "geocoder", "commune" or "departement"
    # Only the département is known: maps and pages say the position is approximate.
    approximate: bool = False


def commune_centre(commune) -> Position | None:
    """The commune's position; for a commune without one (unknown or refused on import), its
    département's centre, approximate; None when neither is known."""
    if commune.latitude is not None and commune.longitude is not None:
        return Position(commune.latitude, commune.longitude, "commune")
    departement = commune.departement
    if departement.latitude is not None and departement.longitude is not None:
        return Position(departement.latitude, departement.longitude, "departement", approximate=True)
    return None


class CommuneCentreGeocoder:
    """Offline: no precise position, callers keep the commune's centre."""

    def geocode(self, address: str, commune, postal_code: str = "") -> Position | None:
        return None


class BanGeocoder:
    """Adapter for https://api-adresse.data.gouv.fr/search/ (GeoJSON FeatureCollection)."""

    def __init__(self, base_url: str, timeout: float = 3.0, min_score: float = 0.5):
        self.base_url = base_url
        self.timeout = timeout
        self.min_score = min_score

    def request_url(self, address: str, commune, postal_code: str = "") -> str:
        params = {"q": f"{address} {postal_code} {commune.name}".strip(), "citycode": commune.insee_code, "limit": "1"}
        if postal_code:
            params["postcode"] = postal_code
        return f"{self.base_url}?{urllib.parse.urlencode(params)}"

    def parse(self, payload: dict, commune) -> Position | None:
        """The first feature in the commune with a good score; anything malformed is skipped."""
        features = payload.get("features") if isinstance(payload, dict) else None
        for feature in features if isinstance(features, list) else []:
            try:
                props = feature.get("properties") or {}
                coordinates = (feature.get("geometry") or {}).get("coordinates") or []
                if props.get("citycode") != commune.insee_code or len(coordinates) != 2:
                    continue
                if float(props.get("score") or 0) < self.min_score:
                    continue
                longitude, latitude = (float(c) for c in coordinates)
            except (AttributeError, TypeError, ValueError):
                continue
            if -90 <= latitude <= 90 and -180 <= longitude <= 180:
                return Position(latitude, longitude, "geocoder")
        return None

    def geocode(self, address: str, commune, postal_code: str = "") -> Position | None:
        url = self.request_url(address, commune, postal_code)
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 - configured https URL
                payload = json.load(response)
        except (OSError, ValueError) as exc:
            logger.info("address API unavailable (%s); keeping the commune's centre", exc)
            return None
        return self.parse(payload, commune)


def get_geocoder():
    if settings.SOLIDAIRE_GEOCODER == "ban":
        return BanGeocoder(settings.SOLIDAIRE_GEOCODER_URL)
    return CommuneCentreGeocoder()
