"""Finding a commune from what a person types: a name, a postal code, or "Name (67000)"."""

import re

from .models import Commune
from .text import fold

NAME_AND_POSTCODE = re.compile(r"^(?P<name>.*?)\s*\(?(?P<postcode>\d{5})\)?\s*$")


def find_communes(text: str, queryset=None, limit: int = 20) -> list[Commune]:
    """Communes matching the text, best first: exact name, then names starting with it."""
    queryset = (queryset if queryset is not None else Commune.objects.all()).select_related("departement")
    text = (text or "").strip()
    if not text:
        return []
    if re.fullmatch(r"\d{5}", text):
        if Commune.objects.filter(pk=text).exists() and not queryset.filter(postal_codes__contains=text).exists():
            return list(queryset.filter(pk=text)[:limit])
        return list(queryset.filter(postal_codes__contains=text).order_by("name")[:limit])
    match = NAME_AND_POSTCODE.match(text)
    postcode = None
    if match and match.group("name"):
        text, postcode = match.group("name"), match.group("postcode")
    folded = fold(text)
    if not folded:
        return []
    candidates = queryset.filter(search_name=folded)
    if postcode:
        candidates = candidates.filter(postal_codes__contains=postcode)
    exact = list(candidates.order_by("-population")[:limit])
    if exact:
        return exact
    starting = queryset.filter(search_name__startswith=folded)
    if postcode:
        starting = starting.filter(postal_codes__contains=postcode)
    return list(starting.order_by("-population", "name")[:limit])


def is_exact_match(text: str, commune: Commune) -> bool:
    """Whether `text` names `commune` in full (its name, or one of its postal codes, or its INSEE
    code) rather than only the start of its name ("Metz" names Metz, not Metzeral)."""
    text = (text or "").strip()
    if re.fullmatch(r"\d{5}", text):
        return text == commune.insee_code or text in commune.postal_codes.split()
    match = NAME_AND_POSTCODE.match(text)
    if match and match.group("name"):
        text = match.group("name")
        if match.group("postcode") not in commune.postal_codes.split():
            return False
    return fold(text) == commune.search_name


def label(commune: Commune) -> str:
    return f"{commune.name} ({commune.main_postal_code or commune.departement_id})"
