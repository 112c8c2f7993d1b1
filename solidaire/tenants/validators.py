import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siren, siret

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_siren(value: str) -> None:
    if not siren.is_valid(value):
        raise ValidationError(_("This is not a valid SIREN number (9 digits with a valid check digit)."), code="siren")


def validate_siret(value: str) -> None:
    if not siret.is_valid(value):
        raise ValidationError(_("This is not a valid SIRET number (14 digits with a valid check digit)."), code="siret")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def validate_brand_colour(value: str) -> None:
    """The colour is used behind white text (header, buttons): WCAG AA needs 4.5:1."""
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("Enter a colour as # followed by six hexadecimal digits."), code="colour")
    ratio = contrast_with_white(value)
    if ratio < 4.5:
        raise ValidationError(
            _("White text on this colour has a contrast of %(ratio).1f:1; choose a darker colour (4.5:1 at least)."),
            code="contrast",
            params={"ratio": ratio},
        )


HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")


def validate_custom_host(host: str) -> None:
    """A custom domain must be a host name, outside the platform’s own sub-domains (it would
    hide another collectivité’s site), and accepted by SOLIDAIRE_ALLOWED_HOSTS."""
    from django.conf import settings
    from django.http.request import validate_host

    if not HOST_NAME.fullmatch(host):
        raise ValidationError(_("Not a host name: %(host)s.") % {"host": host}, code="host")
    base = settings.SOLIDAIRE_BASE_DOMAIN.lower()
    if base and (host == base or host.endswith("." + base)):
        raise ValidationError(
            _("%(host)s is a sub-domain of the platform; collectivités get theirs automatically.") % {"host": host},
            code="platform_subdomain",
        )
    if not validate_host(host, settings.ALLOWED_HOSTS):
        raise ValidationError(
            _("Add %(host)s to SOLIDAIRE_ALLOWED_HOSTS first, or the site will refuse its requests.") % {"host": host},
            code="not_allowed",
        )
