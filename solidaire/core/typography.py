"""Typography of the sentences the site builds by putting names, dates and amounts into
translated text. French first (contractions, elisions, non-breaking spaces, "1er"), German and
English checked likewise (their dates come from Babel, their spacing needs nothing).

Translations keep their prepositions ("Votre don à %(name)s"); the name is put in as it is, and
`typeset` corrects what the French grammar changes around it: "à Le Petit Grain" → "au Petit
Grain", "de le Département" → "du Département", "de Atelier" → "d’Atelier". Only before a
capital letter, so that the pronoun of "de le faire" is left alone.

The templates' filters are in core/templatetags/typography.py."""

import re
from datetime import date, datetime

from babel.dates import format_date, format_time
from django.utils import timezone
from django.utils.translation import get_language

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow, before ; ! ? and inside « »
APOSTROPHE = "\u2019"

UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
VOWELS_UPPER = "AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
LOWER = "a-zàâäçéèêëîïôöùûüÿæœ"

# à/de + le/les before a name (its next word starts with a capital).
# Any space between the words: catalogues may hold a non-breaking one ("Caisse de\u00a0%(name)s").
_CONTRACTIONS = re.compile(rf"(?<![{UPPER}{LOWER}\w])([àÀ]|[dD]e)\s([lL]es?)(\s)(?=[{UPPER}])")
_CONTRACTED = {("à", "le"): "au", ("à", "les"): "aux", ("de", "le"): "du", ("de", "les"): "des"}
# de + a name that starts with a vowel ("de Atelier Vélo" → "d’Atelier Vélo"); not "de A à Z".
_ELISION = re.compile(rf"(?<![{UPPER}{LOWER}\w])([dD])e\s(?=[{VOWELS_UPPER}][{LOWER}])")
# A space (or none) before ; ! ? → narrow non-breaking; before : » and after « → non-breaking.
# An HTML entity ("&amp;", "&#x27;") is matched first and kept whole.
_BEFORE_TIGHT = re.compile(r"(&#?\w+;)|(?<=\S) ?([;!?])(?=\s|$|<)")
_BEFORE_COLON = re.compile(r"(?<=\S) :(?=\s|$|<)")
_AFTER_GUILLEMET = re.compile("«[ \u00a0\u202f]?")
_BEFORE_GUILLEMET = re.compile("[ \u00a0\u202f]?»")
# A space between a digit and € or % (what a translator typed: "5 €", "20 %").
_UNIT = re.compile(r"(?<=\d) (€|%)")
_LEADING_ARTICLE = re.compile(rf"^(\s*(?:<[^>]+>\s*)*)(l[ae]s?|l['’])(\s?)(?=[{UPPER}])")


def language_of(language: str | None = None) -> str:
    return (language or get_language() or "fr")[:2]


def _contract(match: re.Match) -> str:
    preposition, article = match.group(1), match.group(2)  # group 3: the space after the article
    short = _CONTRACTED[(preposition.lower(), article.lower())]
    return (short.capitalize() if preposition[0].isupper() else short) + match.group(3)


def contract(text: str, language: str | None = None) -> str:
    """French contractions and elisions around names: à/de + le/les, de + vowel."""
    if language_of(language) != "fr" or not text:
        return text
    text = _CONTRACTIONS.sub(_contract, text)
    return _ELISION.sub(lambda m: m.group(1) + APOSTROPHE, text)


def spaces(text: str, language: str | None = None) -> str:
    """Non-breaking spaces where French typography wants them: before ; : ! ?, inside « », between
    an amount and € or % (amounts themselves come from core.money, spaced by Babel)."""
    if language_of(language) != "fr" or not text:
        return text
    text = _BEFORE_TIGHT.sub(lambda m: m.group(1) or NNBSP + m.group(2), text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _AFTER_GUILLEMET.sub("«" + NNBSP, text)
    text = _BEFORE_GUILLEMET.sub(NNBSP + "»", text)
    return _UNIT.sub(lambda m: NBSP + m.group(1), text)


def typeset(text: str, language: str | None = None) -> str:
    """A sentence as it should be read: contractions, non-breaking spaces, and a capital when it
    begins with a collectivité’s article ("la Région Grand Est ajoute…" → "La Région…")."""
    if language_of(language) != "fr" or not text:
        return text
    text = _LEADING_ARTICLE.sub(lambda m: m.group(1) + m.group(2).capitalize() + m.group(3), contract(text, "fr"), 1)
    return spaces(text, "fr")


# Names with their article ----------------------------------------------------------------------

ARTICLES = ("la", "le", "les", "l’", "")
_PREPOSITIONS = {
    # key: (French, English, German)
    "of": ("de", "of", "von"),
    "by": ("par", "by", "von"),
    "to": ("à", "to", "an"),
    "for": ("pour", "for", "für"),
}


def with_article(name: str, article: str, language: str | None = None) -> str:
    """ "la Région Grand Est", "l’Eurométropole de Strasbourg"; the name alone in English and German."""
    if language_of(language) != "fr" or not article:
        return name
    article = article.replace("'", APOSTROPHE)
    return f"{article}{name}" if article.endswith(APOSTROPHE) else f"{article} {name}"


def after(preposition: str, name: str, article: str = "", language: str | None = None) -> str:
    """The name after a preposition, contracted: ("of", "Département du Bas-Rhin", "le") →
    "du Département du Bas-Rhin"; "de la Région Grand Est"; "de l’Eurométropole"; "à Metz"."""
    language = language_of(language)
    french, english, german = _PREPOSITIONS[preposition]
    if language == "fr":
        return contract(f"{french} {with_article(name, article, 'fr')}", "fr")
    return f"{german if language == 'de' else english} {name}"


# Dates --------------------------------------------------------------------------------------------


def long_date(value: date | datetime | None, language: str | None = None) -> str:
    """ "1er décembre 2026", "1. Dezember 2026", "December 1, 2026"."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    language = language_of(language)
    text = format_date(value, format="long", locale=language)
    if language == "fr":
        day, _, rest = text.partition(" ")
        text = f"{'1er' if day == '1' else day}{NBSP}{rest}"
    return text


_AT = {"fr": " à ", "en": " at ", "de": " um "}


def long_datetime(value: datetime | None, language: str | None = None) -> str:
    """ "1er décembre 2026 à 14:30", "1. Dezember 2026 um 14:30", "December 1, 2026 at 2:30 PM"."""
    if value is None or value == "":
        return ""
    language = language_of(language)
    moment = timezone.localtime(value) if timezone.is_aware(value) else value
    time = format_time(moment, format="short", locale=language).replace("\u202f", NBSP)
    return f"{long_date(moment, language)}{_AT.get(language, ', ')}{time}"
