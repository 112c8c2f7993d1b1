"""The files: CSV (UTF-8 with its BOM so that spreadsheets read it as such, ";" between cells as
the product's other exports, amounts in euros with two decimals and the requester's decimal
separator) and XLSX (xlsxwriter in constant-memory mode: rows are flushed as they are written;
amounts are numbers with a euro format, dates are dates). Both write row by row to a file
object and report their progress every few hundred rows."""

import csv
import io
from collections.abc import Callable
from datetime import date, datetime

import xlsxwriter
from django.utils import timezone
from django.utils.translation import get_language

from solidaire.donations.contacts import FORMULA_START

from .tables import COUNT, DATE, DATETIME, MONEY, Table

PROGRESS_EVERY = 500


def euros(cents: int | None, separator: str = ".") -> str:
    """Integer cents as euros with two decimals, without a float: 123456 → "1234.56"."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{whole}{separator}{rest:02d}"


def iso(value) -> str:
    """ISO 8601: a date as 2026-12-01, a moment in the local time zone with its offset."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def decimal_separator(language: str | None = None) -> str:
    return "." if (language or get_language() or "fr").startswith("en") else ","


def _text(value) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting with "=", "+"… as a formula: donors type these texts.
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(value, kind: str, separator: str) -> str:
    if kind == MONEY:
        return euros(value, separator)
    if kind in (DATE, DATETIME):
        return iso(value)
    if kind == COUNT:
        return "" if value is None else str(int(value))
    return _text(value)


def write_csv(table: Table, out, progress: Callable[[int], None] | None = None) -> int:
    """Writes the table to the binary file `out`; returns the number of rows."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(column.header) for column in table.columns])
    kinds = [column.type for column in table.columns]
    separator = decimal_separator()
    count = 0
    for row in table.rows:
        writer.writerow([_csv_cell(value, kind, separator) for value, kind in zip(row, kinds, strict=True)])
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            text.flush()
            progress(count)
    text.flush()
    text.detach()
    return count


def write_xlsx(table: Table, out, progress: Callable[[int], None] | None = None, title: str = "Export") -> int:
    """Writes the table to the binary file `out` as one sheet; returns the number of rows."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    formats = {
        MONEY: book.add_format({"num_format": "#,##0.00 €"}),
        DATE: book.add_format({"num_format": "yyyy-mm-dd"}),
        DATETIME: book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    }
    for index, column in enumerate(table.columns):
        sheet.write_string(0, index, str(column.header), bold)
        sheet.set_column(index, index, 28 if column.type not in (MONEY, COUNT) else 16)
    kinds = [column.type for column in table.columns]
    count = 0
    for count, row in enumerate(table.rows, start=1):
        for index, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            if value is None or value == "":
                continue
            if kind == MONEY:
                sheet.write_number(count, index, int(value) / 100, formats[MONEY])  # shown in euros only
            elif kind == COUNT:
                sheet.write_number(count, index, int(value))
            elif kind == DATETIME:
                sheet.write_datetime(count, index, timezone.localtime(value).replace(tzinfo=None), formats[DATETIME])
            elif kind == DATE:
                sheet.write_datetime(count, index, value, formats[DATE])
            else:
                sheet.write_string(count, index, str(value))
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    sheet.freeze_panes(1, 0)
    book.close()
    return count


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write(table: Table, fmt: str, out, progress=None, title: str = "Export") -> int:
    if fmt == "xlsx":
        return write_xlsx(table, out, progress, title)
    return write_csv(table, out, progress)
