"""The shape every recap takes: a document of sections, each a table described by ONE column map.

The HTML preview, the PDF, the XLSX and the CSV all read the same ``Column`` tuple: its two-level headers (a group such
as "01 ABT" over leaves "L", "P", "Jml"), how each value is shown, which columns identify a row (the *stub*, repeated
when a wide table is split into parts), which add up and which carry the small-cell rule. Writers never invent
headers of their own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from psks_portal import periods
from psks_portal.formats import angka
from psks_portal.models import Wilayah

NUMBER, PERCENT, TEXT, CODE, DATE = "number", "percent", "text", "code", "date"
DATA, SUBTOTAL, TOTAL = "data", "subtotal", "total"
ROW_KIND_LABELS = {DATA: "rincian", SUBTOTAL: "subjumlah", TOTAL: "jumlah"}
NO_DATA = "–"
NATIONAL = "ID"  # the ident of the whole country's row (a wilayah code never looks like this)

MAX_WIDTH = {NUMBER: 12, PERCENT: 6, TEXT: 34, CODE: 14, DATE: 10}
HEADER_CHAR_RATIO = 1.15
# Millimetres per character of ``Column.width`` in the PDF tables (DejaVu Sans Condensed at 7 pt) and the padding.
PDF_MM_PER_CHAR = 1.3
PDF_MM_PADDING = 1.5


class Masked(str):
    """A figure withheld by the small-cell rule; ``primary`` when the figure itself is small (shown as "1–4"),
    otherwise hidden only so that a total cannot give a small one away (shown as "×")."""

    primary: bool

    def __new__(cls, text: str, *, primary: bool) -> Masked:
        value = super().__new__(cls, text)
        value.primary = primary
        return value


@dataclass(frozen=True)
class Column:
    """One column of a recap table.

    ``sum_of`` names the columns of the same row this one adds up (Jml = L + P, a row total = every category);
    ``summable`` columns of child rows add up to their parent row; ``protected`` columns carry the small-cell rule.
    ``width`` is in characters (XLSX column width; the PDF derives millimetres from it).
    """

    key: str
    header: str
    group: str = ""
    kind: str = NUMBER
    width: int = 7
    stub: bool = False
    summable: bool = True
    protected: bool = False
    sum_of: tuple[str, ...] = ()
    title: str = ""
    emphasis: bool = False
    machine_header: str = ""  # the CSV header when the printed one depends on the section ("Kecamatan" → "Wilayah")

    @property
    def numeric(self) -> bool:
        return self.kind in (NUMBER, PERCENT)

    @property
    def flat_header(self) -> str:
        """The header on one line (CSV): "01 ABT L"."""
        if self.machine_header:
            return self.machine_header
        return f"{self.group} {self.header}" if self.group else self.header

    @property
    def pdf_mm(self) -> float:
        return self.width * PDF_MM_PER_CHAR + PDF_MM_PADDING


def code_column(width: int = 14) -> Column:
    return Column("kode", "Kode", kind=CODE, width=width, stub=True, summable=False)


def name_column(header: str, width: int = 26) -> Column:
    return Column("wilayah", header, kind=TEXT, width=width, stub=True, summable=False, machine_header="Wilayah")


@dataclass(frozen=True)
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    first: int = 0  # index of the first column it covers
    title: str = ""
    numeric: bool = False


def header_rows(columns: Sequence[Column]) -> list[list[HeaderCell]]:
    """The header as rows of cells with spans: one row when no column has a group, else two (group over leaves;
    an ungrouped column spans both rows). The XLSX merges exactly these spans."""
    if not any(c.group for c in columns):
        return [[HeaderCell(c.header, first=i, title=c.title, numeric=c.numeric) for i, c in enumerate(columns)]]
    top: list[HeaderCell] = []
    bottom: list[HeaderCell] = []
    index = 0
    while index < len(columns):
        column = columns[index]
        if not column.group:
            top.append(HeaderCell(column.header, rowspan=2, first=index, title=column.title, numeric=column.numeric))
            index += 1
            continue
        end = index
        while end < len(columns) and columns[end].group == column.group:
            bottom.append(
                HeaderCell(columns[end].header, first=end, title=columns[end].title, numeric=columns[end].numeric)
            )
            end += 1
        top.append(HeaderCell(column.group, colspan=end - index, first=index, title=column.title, numeric=True))
        index = end
    return [top, bottom]


def split_columns(columns: Sequence[Column], budget_mm: float) -> list[list[int]]:
    """Column indexes of the parts a table too wide for ``budget_mm`` is split into (for the PDF).

    Every part repeats the stub columns; a group (a category's L/P/Jml) stays in one part unless it alone is wider
    than the room beside the stub. The parts are as few as the room allows and of about equal width.
    """
    stub = [i for i, c in enumerate(columns) if c.stub]
    room = budget_mm - sum(columns[i].pdf_mm for i in stub)
    runs: list[list[int]] = []
    for i, column in enumerate(columns):
        if column.stub:
            continue
        if runs and column.group and columns[runs[-1][-1]].group == column.group:
            runs[-1].append(i)
        else:
            runs.append([i])
    pieces: list[list[int]] = []
    for run in runs:  # a group wider than the room is split by leaf
        if sum(columns[i].pdf_mm for i in run) > room:
            pieces.extend([i] for i in run)
        else:
            pieces.append(run)
    fewest = _fill(columns, pieces, room)
    total = sum(columns[i].pdf_mm for piece in pieces for i in piece)
    width = total / max(len(fewest), 1)
    while width < room:  # the narrowest even room that still needs no more parts
        balanced = _fill(columns, pieces, width)
        if len(balanced) <= len(fewest):
            fewest = balanced
            break
        width += 1.0
    return [stub + part for part in fewest if part] or [stub]


def _fill(columns: Sequence[Column], pieces: list[list[int]], room: float) -> list[list[int]]:
    parts: list[list[int]] = [[]]
    used = 0.0
    for piece in pieces:
        width = sum(columns[i].pdf_mm for i in piece)
        if parts[-1] and used + width > room:
            parts.append([])
            used = 0.0
        parts[-1].extend(piece)
        used += width
    return parts


def table_width_mm(columns: Sequence[Column]) -> float:
    return sum(c.pdf_mm for c in columns)


def display(value: object, column: Column) -> str:
    """A value as the HTML page and the PDF show it: 1.234 (Indonesian thousands), 87,5 (decimal comma), – for no
    data, the mask text for a withheld figure."""
    if value is None or value == "":
        return NO_DATA if column.numeric else ""
    if isinstance(value, Masked):
        return str(value)
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if column.kind == PERCENT and isinstance(value, int | float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, int) and not isinstance(value, bool):
        return angka(value)
    return str(value)


def _header_chars(word: str) -> int:
    """Headers are bold capitals, wider than the digits a width counts in: room for ``word`` in digit widths."""
    return math.ceil(len(word) * HEADER_CHAR_RATIO)


def css_classes(column: Column, value: object) -> str:
    classes = []
    if column.stub:
        classes.append("stub")
    if column.numeric or isinstance(value, Masked):
        classes.append("num")
    if column.emphasis:
        classes.append("em")
    if isinstance(value, Masked):
        classes.append("masked")
    return " ".join(classes)


@dataclass(frozen=True)
class DisplayCell:
    text: str
    css: str


@dataclass(frozen=True)
class DisplayRow:
    kind: str
    cells: list[DisplayCell]


@dataclass
class Row:
    """One row of a section. ``ident`` names what the row counts (a wilayah code; ``NATIONAL`` for the country) and
    ``parent`` the row it adds up into: the same ident in two sections is the same figure (the small-cell rule
    hides it in both)."""

    ident: str
    values: list
    kind: str = DATA
    parent: str | None = None

    @property
    def is_total(self) -> bool:
        return self.kind != DATA


@dataclass
class Section:
    """One table of a recap: a sheet in the XLSX, a titled table in the PDF (split into parts when too wide)."""

    title: str
    sheet: str
    columns: tuple[Column, ...]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    child_level: int | None = None

    @property
    def data_rows(self) -> int:
        return sum(1 for row in self.rows if row.kind == DATA)

    def header(self) -> list[list[HeaderCell]]:
        return header_rows(self.columns)

    def display_rows(self, indexes: Sequence[int] | None = None, limit: int | None = None) -> list[DisplayRow]:
        """The rows as the HTML page and the PDF print them: each cell's text and CSS classes."""
        indexes = range(len(self.columns)) if indexes is None else indexes
        rows = self.rows if limit is None else self.rows[:limit]
        return [
            DisplayRow(
                row.kind,
                [
                    DisplayCell(display(row.values[i], self.columns[i]), css_classes(self.columns[i], row.values[i]))
                    for i in indexes
                ],
            )
            for row in rows
        ]

    def measured(self) -> tuple[Column, ...]:
        """The columns widened to their content (the longest value shown, the longest word of a header): what the
        PDF lays out and the XLSX sets as column widths. A group header too wide for its leaves widens the last."""
        widths = []
        for i, column in enumerate(self.columns):
            longest = max([column.width, *(_header_chars(word) for word in column.header.split())])
            for row in self.rows:
                longest = max(longest, len(display(row.values[i], column)))
            widths.append(min(longest, MAX_WIDTH[column.kind]))
        header = header_rows(self.columns)
        for cell in header[0] if len(header) > 1 else []:
            if cell.rowspan == 1:  # a group over its leaves
                span = range(cell.first, cell.first + cell.colspan)
                need = max((_header_chars(word) for word in cell.text.split()), default=0)
                have = sum(widths[j] for j in span) + cell.colspan - 1
                if need > have:
                    widths[span[-1]] += need - have
        return tuple(replace(c, width=w) for c, w in zip(self.columns, widths, strict=True))

    def parts(self, budget_mm: float) -> list[list[int]]:
        return split_columns(self.measured(), budget_mm)

    def width_mm(self) -> float:
        return table_width_mm(self.measured())


@dataclass
class RecapDocument:
    """A whole recap: what it is, for which wilayah and period, its sections and the notes every format prints."""

    code: str
    name: str
    wilayah: Wilayah | None
    period: periods.Period
    accepted_only: bool
    sections: Iterable[Section]
    section_count: int
    notes: list[str] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    legal_basis: tuple[str, ...] = ()
    masked: bool = False
    options: dict = field(default_factory=dict)
    source: str = ""

    @property
    def wilayah_label(self) -> str:
        return self.wilayah.label if self.wilayah else "Nasional (seluruh Indonesia)"

    @property
    def wilayah_code(self) -> str:
        return self.wilayah.code if self.wilayah else ""

    @property
    def title(self) -> str:
        return f"{self.name} {self.wilayah_label} — {self.period.label}"

    @property
    def source_line(self) -> str:
        """Where the figures come from (without a "Sumber:" label)."""
        if self.source:
            return self.source
        which = "yang diterima provinsi" if self.accepted_only else "yang dikirim (termasuk yang belum diterima)"
        return f"Laporan bulanan TKSK {which}."

    def materialise(self) -> RecapDocument:
        """Compute every section now (the small-cell rule and the PDF need all of them at once)."""
        if not isinstance(self.sections, list):
            self.sections = list(self.sections)
        return self

    def iter_sections(self) -> Iterator[Section]:
        yield from self.sections
