"""URL converters of the product, registered when this module is imported (by CoreConfig.ready,
before any URLconf is read)."""

from django.urls import register_converter

MAX_ID = 2**63 - 1  # the largest id a BigAutoField (PostgreSQL's bigint) can hold


class IdConverter:
    """`<id:pk>`: a database id, used instead of Django's `<int:pk>`. A number beyond 64 bits is
    no object of ours: the resolver answers 404 before any view, where the database would have
    failed to compare it (a server error on SQLite, for one)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(f"{value} is beyond the largest id")
        return number

    def to_url(self, value) -> str:
        return str(value)


def parse_id(value) -> int | None:
    """An id sent in a form or a query ("remove=12"), or None when it cannot be one."""
    try:
        return IdConverter().to_python(value) if isinstance(value, str) and value.isdigit() else None
    except ValueError:
        return None


register_converter(IdConverter, "id")
