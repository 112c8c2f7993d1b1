"""An export's build, as its task runs it: the table's rows are written to a temporary file in
chunks (bounded memory), the progress is written as it goes, and the file is stored only once
whole; any error leaves the export failed with no file."""

import logging
import tempfile

from django.core.files import File
from django.utils import timezone, translation
from django.utils.text import slugify

from . import actions, tables, writers
from .models import ExportKind

logger = logging.getLogger(__name__)


def file_name(export) -> str:
    what = slugify(str(ExportKind(export.kind).label)) or export.kind
    where = f"-{export.campaign.slug}" if export.campaign_id else ""
    return f"{what}{where}-{timezone.localdate():%Y-%m-%d}.{export.format}"


def run(pk: int) -> None:
    export = actions.start(pk)
    if export is None:
        return
    try:
        with translation.override(export.language):
            table = tables.table_for(export)
            actions.progress(pk, 0, table.total)
            with tempfile.TemporaryFile() as out:
                count = writers.write(
                    table,
                    export.format,
                    out,
                    progress=lambda done: actions.progress(pk, done),
                    title=str(ExportKind(export.kind).label),
                )
                out.seek(0)
                actions.finish(pk, content=File(out), name=file_name(export), row_count=count, personal=table.personal)
    except Exception as exc:
        logger.exception("export %s failed", pk)
        actions.fail(pk, f"{type(exc).__name__}")
