from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from solidaire.core.money import format_cents

register = template.Library()


@register.filter
def euros(cents):
    """Integer cents as a localised amount: 500 → "5 €" (fr), "€5" (en)."""
    if cents is None or cents == "":
        return ""
    return format_cents(int(cents), get_language())


@register.filter
def percent_of(part, whole):
    try:
        return int(part) * 100 // int(whole) if int(whole) else 0
    except (TypeError, ValueError):
        return 0


@register.filter
def match_of(campaign, gift_cents):
    """What the campaign’s ratio adds to a gift of `gift_cents`."""
    return campaign.match_for(int(gift_cents))


@register.filter
def category_label(value):
    from solidaire.campaigns.choices import Category

    try:
        return Category(value).label
    except ValueError:
        return value


@register.simple_tag(takes_context=True)
def unprefixed_path(context):
    """The current page's path in the default language, for the language switcher's `next`.
    set_language() runs on an unprefixed URL, so with the default language active: it can
    translate "/campagnes/x/" but not "/en/campagnes/x/", which it would leave unchanged."""
    request = context.get("request")
    return translate_url(request.get_full_path(), settings.LANGUAGE_CODE) if request else "/"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def split_words(value: str) -> list[str]:
    return value.split()


@register.filter
def field(form, name):
    """form|field:"email" → the bound field (templates cannot index with a variable)."""
    return form[name]


@register.filter
def negate(value):
    return -int(value)


@register.filter
def minutes_since(moment, now):
    """Whole minutes between a past moment and now."""
    return int((now - moment).total_seconds() // 60)
