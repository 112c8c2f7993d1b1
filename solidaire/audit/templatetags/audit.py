from django import template

from solidaire.audit import details
from solidaire.audit.events import ACTION_LABELS

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@register.filter
def detail_lines(event) -> list[tuple[str, str]]:
    """The event's details as (label, value) lines, empty ones left out (audit.details)."""
    return details.lines(event)
