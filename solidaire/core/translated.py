"""Content written by people in several languages (ADR 0015): the French text in the field
itself (required where the field is), English and German in optional columns beside it
(`title_en`, `title_de`). Pages show the visitor's language, falling back to French.

    class Campaign(Translated, models.Model):
        title = models.CharField(_("title"), max_length=150)
        title_en, title_de = translations(title)
        TRANSLATED = ("title",)

    campaign.localized.title                      in Python and in templates
"""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

OTHER_LANGUAGES = (("en", _("English")), ("de", _("German")))


def translations(field: models.Field) -> tuple[models.Field, ...]:
    """Optional copies of `field` for English and German, in the order of OTHER_LANGUAGES."""
    _name, path, args, kwargs = field.deconstruct()
    copies = []
    for _code, language in OTHER_LANGUAGES:
        options = {**kwargs, "blank": True, "help_text": ""}
        options.pop("default", None)
        options["default"] = ""
        options["verbose_name"] = format_lazy("{} ({})", kwargs.get("verbose_name", ""), language)
        copies.append(type(field)(*args, **options))
    return tuple(copies)


def translated_names(*names: str) -> list[str]:
    """["title_en", "title_de", …]: the optional columns of these fields, for forms."""
    return [f"{name}_{code}" for name in names for code, _language in OTHER_LANGUAGES]


def explain_translations(form) -> None:
    """Tells, under each English or German field of a form, that it may stay empty."""
    suffixes = tuple(f"_{code}" for code, _language in OTHER_LANGUAGES)
    for name, field in form.fields.items():
        if name.endswith(suffixes) and name[:-3] in getattr(form._meta.model, "TRANSLATED", ()):
            field.help_text = _("Optional: visitors reading this language see the French text when it is empty.")


def localized(obj, name: str, language: str | None = None) -> str:
    """The text in the active language, else the French one."""
    language = (language or get_language() or "fr")[:2]
    if language != "fr":
        text = getattr(obj, f"{name}_{language}", "")
        if text and text.strip():
            return text
    return getattr(obj, name)


class _Localized:
    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in type(self._obj).TRANSLATED:
            raise AttributeError(name)
        return localized(self._obj, name)


class Translated:
    """A model whose TRANSLATED fields have `_en` and `_de` columns (see translations())."""

    TRANSLATED: tuple[str, ...] = ()

    @property
    def localized(self) -> _Localized:
        return _Localized(self)
