"""{% match_note gift %} — why the gift gets less public money than the ratio gives, told to the
donor; {% match_note gift "finance" %} — the same facts told to a finance officer
(donations/match_notes.py)."""

from django import template

from solidaire.donations import match_notes

register = template.Library()

WORDINGS = {"donor": match_notes.DONOR, "finance": match_notes.FINANCE}


@register.simple_tag(takes_context=True)
def match_note(context, gift, audience="donor"):
    return match_notes.sentences(gift, WORDINGS[audience], html=context.autoescape)
