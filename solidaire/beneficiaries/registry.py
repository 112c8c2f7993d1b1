"""The company register (SIRENE), shown to moderators beside what a beneficiary declared.
Offline installs have no register; the adapter for the public "Recherche d'entreprises" API is
used when configured. A failed lookup never blocks moderation."""

import json
import logging
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegistryRecord:
    siret: str
    name: str
    address: str
    postal_code: str
    commune_code: str
    commune_name: str
    activity: str
    active: bool


class NoRegistry:
    name = ""

    def lookup(self, siret: str) -> RegistryRecord | None:
        return None


class RechercheEntreprisesRegistry:
    """Adapter for GET https://recherche-entreprises.api.gouv.fr/search?q=<siret>."""

    name = "Recherche d'entreprises (SIRENE)"

    def __init__(self, base_url: str, timeout: float = 3.0):
        self.base_url = base_url
        self.timeout = timeout

    def request_url(self, siret: str) -> str:
        return f"{self.base_url}?{urllib.parse.urlencode({'q': siret, 'page': 1, 'per_page': 1})}"

    def parse(self, payload: dict, siret: str) -> RegistryRecord | None:
        for unit in payload.get("results") or []:
            establishments = [unit.get("siege") or {}, *(unit.get("matching_etablissements") or [])]
            for etab in establishments:
                if etab.get("siret") == siret:
                    return RegistryRecord(
                        siret=siret,
                        name=unit.get("nom_complet") or unit.get("nom_raison_sociale") or "",
                        address=etab.get("adresse") or "",
                        postal_code=etab.get("code_postal") or "",
                        commune_code=etab.get("commune") or "",
                        commune_name=etab.get("libelle_commune") or "",
                        activity=etab.get("activite_principale") or unit.get("activite_principale") or "",
                        active=(etab.get("etat_administratif") or "A") == "A",
                    )
        return None

    def lookup(self, siret: str) -> RegistryRecord | None:
        key = f"siret-registry:{siret}"
        cached = cache.get(key)
        if cached is not None:
            return cached or None
        try:
            request = urllib.request.Request(self.request_url(siret), headers={"Accept": "application/json"})  # noqa: S310
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                record = self.parse(json.load(response), siret)
        except (OSError, ValueError) as exc:
            logger.info("company register unavailable (%s)", exc)
            return None
        cache.set(key, record or False, 24 * 3600)
        return record


def get_registry():
    if settings.SOLIDAIRE_SIRET_REGISTRY == "recherche-entreprises":
        return RechercheEntreprisesRegistry(settings.SOLIDAIRE_SIRET_REGISTRY_URL)
    return NoRegistry()
