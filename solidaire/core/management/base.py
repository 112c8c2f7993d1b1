"""Helpers for commands that fill a form from command-line flags, so that scripted set-up gets
exactly the validation of the back office."""

from django.core.management.base import CommandError


def form_errors_as_text(form, flags: dict[str, str] | None = None) -> str:
    """One line per error, named by the command-line flag that carries the field."""
    lines = []
    for field, errors in form.errors.items():
        if field == "__all__":
            flag = "error"
        else:
            flag = (flags or {}).get(field) or "--" + field.replace("_", "-")
        for error in errors:
            lines.append(f"{flag}: {error}")
    return "\n".join(lines)


def require_valid(form, flags: dict[str, str] | None = None) -> None:
    if not form.is_valid():
        raise CommandError("invalid input:\n" + form_errors_as_text(form, flags))
