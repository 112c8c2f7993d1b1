"""Filters for the sentences templates build with names, dates and amounts (core/typography.py).

{% filter typeset %}{% blocktranslate with name=establishment.trade_name %}…{% endblocktranslate %}{% endfilter %}
{{ campaign.collectivite|named }}            "la Région Grand Est" (fr), "Région Grand Est"
{{ campaign.collectivite|named:"of" }}       "de la Région Grand Est", "du Département du Bas-Rhin"
{{ offer.valid_until|long_date }}           "1er décembre 2026", "December 1, 2026"
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from solidaire.core import typography

register = template.Library()


@register.filter(is_safe=True, needs_autoescape=True)
def typeset(text, autoescape=True):
    """Rendered text in (escaped in HTML, plain in e-mails), the same text typeset for the active
    language out. Entities such as &amp; are left whole."""
    if not autoescape:
        return typography.typeset(str(text))
    return mark_safe(typography.typeset(conditional_escape(text)))  # noqa: S308 — escaped just before


@register.filter
def named(collectivite, preposition=""):
    """A collectivité’s name as it goes into a sentence, with its article in French."""
    if collectivite is None or collectivite == "":
        return ""
    article = getattr(collectivite, "article", "")
    if preposition:
        return typography.after(preposition, collectivite.name, article)
    return typography.with_article(collectivite.name, article)


@register.filter
def long_date(value):
    return typography.long_date(value)


@register.filter
def long_datetime(value):
    return typography.long_datetime(value)
