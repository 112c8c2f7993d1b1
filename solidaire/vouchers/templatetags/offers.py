"""{{ offer|describe }}, {{ registration|offer_in_force }}, {{ registration|counterpart }},
{{ gift|gift_counterpart }}
(vouchers.describe): what donors receive, in words generated from the approved offer."""

from django import template

from solidaire.vouchers import describe as describing

register = template.Library()


@register.filter
def describe(offer):
    return describing.describe(offer)


@register.filter
def conditions(offer):
    return describing.conditions(offer)


@register.filter
def offer_in_force(registration):
    return describing.in_force(registration) if registration else None


@register.filter
def counterpart(registration):
    return describing.counterpart(registration) if registration else ""


@register.filter
def gift_counterpart(gift):
    return describing.for_gift(gift) if gift else ""
