"""Identifiers a beneficiary gives: SIRET (with La Poste’s exception, handled by python-stdnum),
RNA for associations, IBAN for payouts (schwifty)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.fr import siret

RNA = re.compile(r"^W[0-9][0-9AB][0-9]{7}$")


def clean_siret(value: str) -> str:
    compact = re.sub(r"[\s.\-]", "", value or "")
    if not compact.isdigit() or len(compact) != 14:
        raise ValidationError(_("A SIRET number has 14 digits."), code="siret_length")
    if not siret.is_valid(compact):
        raise ValidationError(_("This SIRET number is not valid: check the digits."), code="siret_checksum")
    return compact


def clean_rna(value: str) -> str:
    compact = re.sub(r"\s", "", value or "").upper()
    if not RNA.match(compact):
        raise ValidationError(_("An RNA number is W followed by 9 characters, such as W672001234."), code="rna")
    return compact


def clean_iban(value: str) -> str:
    try:
        iban = IBAN(value or "")
    except SchwiftyException as exc:
        raise ValidationError(_("This IBAN is not valid: check the letters and digits."), code="iban") from exc
    if not iban.in_sepa_zone:
        raise ValidationError(
            _("Payouts are made by SEPA transfer: give an IBAN from the SEPA zone."), code="iban_sepa"
        )
    return iban.compact


def mask_iban(value: str) -> str:
    """FR76 **** **** **** **** **** 189: enough to recognise an account, not to use it."""
    if not value:
        return ""
    return f"{value[:4]} •••• {value[-3:]}"
