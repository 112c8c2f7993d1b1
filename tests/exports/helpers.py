import csv
import io

from django.test import TestCase

from solidaire.accounts.roles import capabilities_of
from solidaire.exports import actions
from solidaire.exports.models import Export


def export_for(user, collectivite, kind, fmt="csv", campaign=None, role=None, language="en") -> Export:
    """Asks for an export as `user` with `role`'s capabilities; the task runs on commit (eagerly)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = actions.request_export(
            collectivite=collectivite,
            actor=user,
            capabilities=capabilities_of(role),
            kind=kind,
            fmt=fmt,
            campaign=campaign,
            language=language,
        )
    export.refresh_from_db()
    return export


def read_csv(export) -> list[list[str]]:
    with export.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with its BOM"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
