"""A chart drawn on the server as SVG (pygal) is served as a picture shown with <img>: pygal puts
its styles inside the SVG, so that response alone allows inline styles and no script at all; the
page showing it keeps the strict policy."""

from csp.decorators import csp_replace
from django.http import HttpResponse

svg_picture_policy = csp_replace({"style-src": ["'unsafe-inline'"], "script-src": ["'none'"]})


def svg_response(svg: str) -> HttpResponse:
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
