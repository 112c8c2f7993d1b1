"""The dashboard's charts: SVG drawn on the server by pygal, served from their own address as
image/svg+xml and shown with <img> (the page itself keeps its strict CSP); each has a table with
the same figures next to it on the page. No script: pygal's tooltips are switched off."""

import re

import pygal
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pygal.style import Style

from solidaire.core.money import format_cents

from .figures import TOP_COMMUNES, Dashboard, Row

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
CHARTS = ("days", "departements", "categories", "communes")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4ed8", "#b45309"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
)


def _options(title: str) -> dict:
    language = get_language()
    return {
        "title": title,
        "style": STYLE,
        "js": [],
        "width": 800,
        "height": 360,
        "legend_at_bottom": True,
        "print_values": False,
        "value_formatter": lambda euros: format_cents(round((euros or 0) * 100), language),
        "disable_xml_declaration": True,
        "no_data_text": _("No gifts"),
        "truncate_label": 30,
    }


def _stacked(chart, rows: list[Row]) -> None:
    chart.add(_("Gifts"), [row.given_cents / 100 for row in rows])
    chart.add(_("Public match"), [row.match_cents / 100 for row in rows])


def without_scripts(svg: str) -> str:
    """pygal writes its configuration for the tooltips' script even with no script to load."""
    return _SCRIPT.sub("", svg)


def days_chart(rows: list[Row]) -> str:
    chart = pygal.StackedBar(**_options(_("Given per day")), show_minor_x_labels=False, x_label_rotation=30)
    chart.x_labels = [date_format(row.day, "SHORT_DATE_FORMAT") for row in rows]
    step = max(len(rows) // 10, 1)
    chart.x_labels_major = chart.x_labels[::step]
    _stacked(chart, rows)
    return without_scripts(chart.render(is_unicode=True))


def breakdown_chart(title: str, rows: list[Row]) -> str:
    chart = pygal.HorizontalStackedBar(**_options(title))
    rows = list(reversed(rows))  # pygal draws the first row at the bottom
    chart.x_labels = [row.label for row in rows]
    _stacked(chart, rows)
    return without_scripts(chart.render(is_unicode=True))


def render(name: str, figures: Dashboard) -> str:
    """The SVG of one of CHARTS."""
    if name == "days":
        return days_chart(figures.days)
    if name == "departements":
        return breakdown_chart(_("Given per département"), figures.departements)
    if name == "categories":
        return breakdown_chart(_("Given per category"), figures.categories)
    if name == "communes":
        return breakdown_chart(_("The %(n)s communes given the most") % {"n": TOP_COMMUNES}, figures.top_communes)
    raise KeyError(name)
