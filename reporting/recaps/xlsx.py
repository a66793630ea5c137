"""A recap as an Excel workbook (openpyxl write-only: rows are streamed to disk, memory stays flat).

One sheet per section: three title lines, the column map's header (a group merged over its leaves, an ungrouped
column merged over both header rows), the rows with totals as values (or, with ``formulas``, as SUM formulas when no
figure is withheld), then the notes. Header rows and stub columns are frozen and repeat on every printed page.
Numbers are numbers (``#,##0``), wilayah codes are text cells, every text is neutralised against formula injection.
A last sheet, "Keterangan", holds the legend, the legal basis and who made the file when.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from psks_portal.tabular import cell_text
from reporting.recaps.columns import (
    CODE,
    DATE,
    NUMBER,
    PERCENT,
    SUBTOTAL,
    TOTAL,
    Masked,
    RecapDocument,
    Section,
    header_rows,
)

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_TOP = 5  # the first header row (after three title lines and a blank one)
PORTRAIT_MAX_CHARS = 110  # a sheet wider than this (in character widths) prints landscape

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A legal, unique sheet name: no ``[]:*?/\\``, at most 31 characters."""
    base = _SHEET_NAME_BAD.sub(" ", wanted).strip().strip("'") or "Bagian"
    base = base[:31]
    name, n = base, 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.casefold())
    return name


def write_xlsx(
    document: RecapDocument,
    target: str | BinaryIO,
    *,
    made_by: str = "",
    made_at: datetime | None = None,
    issuer_office: str = "",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``document`` to ``target`` (a path or a binary file); returns the number of data rows written."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    rows = 0
    for index, section in enumerate(document.iter_sections()):
        rows += _write_section(workbook, section, document, taken)
        if progress:
            progress(min(95, int(100 * (index + 1) / max(document.section_count, 1))))
    _write_notes_sheet(workbook, document, taken, made_by, made_at, issuer_office)
    workbook.save(target)
    return rows


def _text(sheet, value, *, font=None, fill=None, border=None, alignment=None, number_format=None):
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if border is not None:
        cell.border = border
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _write_section(workbook: Workbook, section: Section, document: RecapDocument, taken: set[str]) -> int:
    sheet = workbook.create_sheet(sheet_name(section.sheet, taken))
    columns = section.measured()
    header = header_rows(columns)
    first_data = HEADER_TOP + len(header)
    stub = sum(1 for c in columns if c.stub)

    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width + 2
    sheet.freeze_panes = f"{get_column_letter(stub + 1)}{first_data}"
    sheet.print_title_rows = f"{HEADER_TOP}:{first_data - 1}"
    sheet.print_title_cols = f"A:{get_column_letter(max(stub, 1))}"
    if sum(c.width + 2 for c in columns) > PORTRAIT_MAX_CHARS:
        sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    sheet.append([_text(sheet, cell_text(document.title), font=_TITLE)])
    sheet.append([_text(sheet, cell_text(section.title), font=_BOLD)])
    sheet.append([cell_text(f"Sumber: {document.source_line}")])
    sheet.append([])

    # The header: the same spans as the HTML table, merged.
    for level, cells in enumerate(header):
        values: list = [None] * len(columns)
        for cell in cells:
            values[cell.first] = _text(
                sheet, cell_text(cell.text), font=_BOLD, fill=_HEADER_FILL, border=_BORDER, alignment=_CENTER
            )
            top = HEADER_TOP + level
            bottom = top + cell.rowspan - 1
            left, right = cell.first + 1, cell.first + cell.colspan
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merged_cells.add(f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}")
            for j in range(cell.first, cell.first + cell.colspan):
                if values[j] is None:  # the covered cells keep the border of the merged block
                    values[j] = _text(sheet, None, border=_BORDER, fill=_HEADER_FILL)
        for j in range(len(columns)):
            if values[j] is None:
                values[j] = _text(sheet, None, border=_BORDER, fill=_HEADER_FILL)
        sheet.append(values)

    formulas = bool(document.options.get("formulas")) and not document.masked
    line = first_data
    block_start, subtotal_lines, data_rows = first_data, [], 0
    for row in section.rows:
        out = []
        for j, (column, value) in enumerate(zip(columns, row.values, strict=True)):
            letter = get_column_letter(j + 1)
            if formulas and row.is_total and column.kind == NUMBER and column.summable and value is not None:
                if row.kind == SUBTOTAL or not subtotal_lines:
                    value = f"=SUM({letter}{block_start}:{letter}{line - 1})" if line > block_start else value
                else:
                    value = "=SUM(" + ",".join(f"{letter}{n}" for n in subtotal_lines) + ")"
            out.append(_value_cell(sheet, column, value, total=row.is_total))
        sheet.append(out)
        if row.kind == SUBTOTAL:
            subtotal_lines.append(line)
            block_start = line + 1
        elif row.kind == TOTAL:
            block_start = line + 1
        else:
            data_rows += 1
        line += 1

    notes = [*section.notes, *document.notes]
    if notes:
        sheet.append([])
        sheet.append([_text(sheet, "Catatan:", font=_BOLD)])
        for n, note in enumerate(notes, start=1):
            sheet.append([cell_text(f"{n}. {note}")])
    return data_rows


def _value_cell(sheet, column, value, *, total: bool):
    font = _BOLD if total or column.emphasis else None
    fill = _TOTAL_FILL if total else None
    if isinstance(value, Masked):
        return _text(sheet, str(value), font=font, fill=fill, border=_BORDER, alignment=_RIGHT)
    if value is None:
        return _text(sheet, None, fill=fill, border=_BORDER)
    if isinstance(value, str) and value.startswith("=SUM("):  # our own formula, built from cell references only
        return _text(sheet, value, font=font, fill=fill, border=_BORDER, number_format="#,##0")
    if column.kind == NUMBER and isinstance(value, int):
        return _text(sheet, value, font=font, fill=fill, border=_BORDER, number_format="#,##0")
    if column.kind == PERCENT and isinstance(value, int | float):
        return _text(sheet, value, font=font, fill=fill, border=_BORDER, number_format="0.0")
    if column.kind == DATE and isinstance(value, date):
        return _text(sheet, value, font=font, fill=fill, border=_BORDER, number_format="DD-MM-YYYY")
    number_format = "@" if column.kind == CODE else None
    return _text(sheet, cell_text(value), font=font, fill=fill, border=_BORDER, number_format=number_format)


def _write_notes_sheet(workbook, document: RecapDocument, taken, made_by, made_at, issuer_office) -> None:
    sheet = workbook.create_sheet(sheet_name("Keterangan", taken))
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 100
    sheet.append([_text(sheet, cell_text(document.title), font=_TITLE)])
    facts = [
        ("Rekap", document.name),
        (
            "Wilayah",
            f"{document.wilayah_label} ({document.wilayah_code})" if document.wilayah else document.wilayah_label,
        ),
        ("Periode", f"{document.period.label} ({document.period.id})"),
        ("Sumber", document.source_line),
        ("Dinas", issuer_office),
        ("Dibuat oleh", made_by),
        ("Dibuat pada", made_at.strftime("%d-%m-%Y %H:%M") if made_at else ""),
    ]
    for label, value in facts:
        sheet.append([_text(sheet, label, font=_BOLD), cell_text(value)])
    sheet.append([])
    sheet.append([_text(sheet, "Dasar", font=_BOLD)])
    for basis in document.legal_basis:
        sheet.append(["", cell_text(basis)])
    if document.legend:
        sheet.append([])
        sheet.append([_text(sheet, "Singkatan", font=_BOLD), _text(sheet, "Arti", font=_BOLD)])
        for short, meaning in document.legend:
            sheet.append([cell_text(short), cell_text(meaning)])
    sheet.append([])
    sheet.append([_text(sheet, "Catatan", font=_BOLD)])
    for n, note in enumerate(document.notes, start=1):
        sheet.append([f"{n}.", cell_text(note)])
