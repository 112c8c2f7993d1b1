"""Form fields shared by the back office: money typed in euros, stored in cents; dates and
moments of this century."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .money import MoneyParseError, cents_to_input, parse_euros


class EuroInput(forms.TextInput):
    input_type = "text"

    def __init__(self, attrs=None):
        base = {"inputmode": "decimal", "autocomplete": "off", "class": "input-money"}
        base.update(attrs or {})
        super().__init__(base)

    def format_value(self, value):
        if isinstance(value, int):
            return cents_to_input(value)
        return super().format_value(value)


class EuroField(forms.Field):
    """An amount typed in euros ("5", "5,50") and cleaned to integer cents."""

    widget = EuroInput
    default_error_messages = {
        "invalid": _("Enter an amount in euros, such as 5 or 5,50."),
        "negative": _("Enter a positive amount."),
    }

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, int):
            return value
        try:
            cents = parse_euros(str(value))
        except MoneyParseError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if cents < 0:
            raise ValidationError(self.error_messages["negative"], code="negative")
        return cents

    def prepare_value(self, value):
        if isinstance(value, int):
            return cents_to_input(value)
        return value


class EuroListField(forms.Field):
    """Several amounts in euros separated by semicolons or spaces ("5 ; 10")."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("Enter amounts in euros separated by semicolons, such as 5 ; 10."),
    }

    def to_python(self, value):
        if value in (None, ""):
            return []
        if isinstance(value, list):
            return value
        parts = [p for chunk in str(value).split(";") for p in chunk.split()]
        try:
            amounts = [parse_euros(p) for p in parts]
        except MoneyParseError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if any(a <= 0 for a in amounts):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted(amounts)

    def prepare_value(self, value):
        if isinstance(value, list):
            return " ; ".join(cents_to_input(v).replace(".", ",") for v in value)
        return value


FIRST_YEAR, LAST_YEAR = 2000, 2099


def validate_date_range(value) -> None:
    """A date or moment typed by a person lies in this century. Python takes years 1 to 9999, but
    not what is computed from their edges: the first of January of year 1 turned to UTC, or the
    last day of 9999 plus a period of validity, raise OverflowError (a server error)."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="out_of_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


class DateRangeMixin:
    """For every date and date-time field of the product's forms: see validate_date_range."""

    default_validators = [validate_date_range]


class DateField(DateRangeMixin, forms.DateField):
    pass


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d"]


class DateTimeLocalField(DateRangeMixin, forms.DateTimeField):
    widget = DateTimeLocalInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        super().__init__(**kwargs)
