"""Writing exports: ``export_file`` streams rows through a column map (``ExportColumn``) into XLSX or CSV.

XLSX: text is written as text cells (inline strings): a spreadsheet never evaluates them, so text that looks like a
formula (``=HYPERLINK(…)``) needs no visible guard, and NIK and phone numbers stay digits; dates are date cells.
CSV has no cell types: a cell that a spreadsheet would run as a formula gets a ``'`` in front (OWASP), and a
spreadsheet opening the CSV reads NIK and phone numbers as numbers, so every CSV export says to take the XLSX for
spreadsheets (``templates/imports/csv_notice.html``). For a read-only viewer the columns follow the pages
(``for_viewer``): NIK masked with ``psks_portal.nik.mask``, columns the pages never show them (birth date, phone)
left out.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from psks_portal import nik as nik_rules
from psks_portal.tabular.reader import DATE, TEXT

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
NIK, HIDDEN = "nik", "hidden"  # ExportColumn.personal: masked, or left out, for a read-only viewer


@dataclass(frozen=True)
class ExportColumn:
    """A column of an export: its header and how to read the value from one row. ``personal`` says what a read-only
    viewer gets: ``NIK`` the masked value, ``HIDDEN`` no column at all."""

    header: str
    value: Callable[[object], object]
    type: str = TEXT
    width: int = 18
    personal: str = ""


def for_viewer(columns: Sequence[ExportColumn], *, read_only: bool) -> tuple[ExportColumn, ...]:
    """The columns as the viewer's pages show them: all of them, or for a read-only viewer NIK masked and the
    columns marked ``HIDDEN`` left out."""
    if not read_only:
        return tuple(columns)
    shown = []
    for column in columns:
        if column.personal == HIDDEN:
            continue
        if column.personal == NIK:
            column = dataclasses.replace(column, value=_masked(column.value))
        shown.append(column)
    return tuple(shown)


def _masked(value: Callable[[object], object]) -> Callable[[object], object]:
    def masked(row: object) -> str:
        raw = value(row)
        return nik_rules.mask(raw) if raw else ""

    return masked


def neutralise(value: str) -> str:
    """Make a CSV cell inert in a spreadsheet: a leading ``= + - @`` tab or CR gets a ``'`` in front (OWASP)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def clean_text(value: object) -> str:
    """Any value as text an XLSX can hold (characters XML cannot hold dropped)."""
    return "" if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value))


def cell_text(value: object) -> str:
    """Any value as the text of an exported CSV cell: characters XML cannot hold dropped, formulas neutralised."""
    return neutralise(clean_text(value))


def _xlsx_text(sheet, value: object):
    text = clean_text(value)
    if not text.startswith("="):
        return text or None  # openpyxl writes other text as a string cell by itself
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # an inline string, never a formula
    return cell


def write_xlsx(
    rows: Iterable, columns: Sequence[ExportColumn], *, sheet_title: str = "Data", target: BinaryIO | None = None
) -> bytes | int:
    """One sheet, bold header, frozen first row; text as text cells (NIK and phone stay digits), dates as dates.

    Rows stream through openpyxl's write-only mode. Without ``target`` the workbook is returned as bytes; with it, it is
    written there and the number of data rows is returned (memory stays flat whatever the number of rows).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        values = []
        for column in columns:
            value = column.value(row)
            if column.type == DATE and value:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD-MM-YYYY"
                values.append(cell)
            else:
                values.append(_xlsx_text(sheet, value))
        sheet.append(values)
        count += 1
    if target is not None:
        workbook.save(target)
        return count
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(rows: Iterable, columns: Sequence[ExportColumn], *, target: BinaryIO | None = None) -> bytes | int:
    """UTF-8 with BOM (so Excel shows names correctly), comma-separated, dates DD-MM-YYYY.

    Without ``target`` the file is returned as bytes; with it, rows are written there as they come and the number of
    data rows is returned.
    """
    buffer = io.BytesIO() if target is None else target
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True)
    try:
        text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([c.header for c in columns])
        count = 0
        for row in rows:
            out = []
            for column in columns:
                value = column.value(row)
                out.append(value.strftime("%d-%m-%Y") if column.type == DATE and value else cell_text(value))
            writer.writerow(out)
            count += 1
        text.flush()
        return buffer.getvalue() if target is None else count
    finally:
        text.detach()  # leave ``buffer`` open for the caller


@dataclass
class ExportFile:
    """A written export: an anonymous temporary file (positioned at its start, gone once closed), its content type,
    the name to offer and the number of data rows."""

    file: BinaryIO
    content_type: str
    filename: str
    rows: int
    size: int

    @property
    def content(self) -> bytes:
        """The whole file (for small files and tests; a download streams ``file`` instead)."""
        position = self.file.tell()
        self.file.seek(0)
        try:
            return self.file.read()
        finally:
            self.file.seek(position)


def attachment(export: ExportFile) -> FileResponse:
    """The download of an export, streamed from its temporary file (closed, and so deleted, once sent)."""
    response = FileResponse(export.file, as_attachment=True, filename=export.filename, content_type=export.content_type)
    response["Cache-Control"] = "no-store"
    return response


def export_file(rows: Iterable, columns: Sequence[ExportColumn], *, fmt: str, stem: str, on: date) -> ExportFile:
    """``rows`` as ``daftar-<stem>-<date>.xlsx`` (any other ``fmt`` than ``csv`` is XLSX) or ``.csv``.

    ``rows`` may be a generator: they are written one by one into a temporary file, never held as a whole.
    """
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it (a FileResponse does)
    try:
        if fmt == "csv":
            count, content_type = write_csv(rows, columns, target=handle), CSV_TYPE
        else:
            fmt, content_type = "xlsx", XLSX_TYPE
            count = write_xlsx(rows, columns, target=handle)
        size = handle.tell()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return ExportFile(handle, content_type, f"daftar-{stem}-{on.isoformat()}.{fmt}", count, size)
