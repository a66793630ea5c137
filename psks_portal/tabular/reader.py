"""Reading an uploaded spreadsheet: XLSX, XLS and ODS through python-calamine (behind ``guards``), CSV by hand.

``check_upload`` refuses a file by name and size before it is stored; ``read_table`` opens it by its *content*, finds
the header row and yields the data rows keyed by ``Column.key``. Every file-level problem (wrong type, too big,
damaged, macros, a zip bomb, too many cells, empty, missing required headers, too many rows) raises
``ImportFileError`` with an Indonesian message. The limits are settings (``IMPORT_MAX_*``), read at call time.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from psks_portal.formats import angka
from psks_portal.tabular import guards
from psks_portal.tabular.errors import ImportFileError
from psks_portal.tabular.guards import Formula

HEADER_SEARCH_ROWS = 10  # the header may sit below a title row or two
TEXT, DATE = "text", "date"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"MZ")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MACRO_EXTENSIONS = {".xlsm", ".xltm", ".xlam", ".xlsb"}
_WORKBOOK_EXTENSIONS = {".xlsx", ".xls", ".ods"}
ACCEPTED_EXTENSIONS = (".xlsx", ".xls", ".ods", ".csv")


@dataclass(frozen=True)
class Column:
    """A column of an import template; ``required`` columns must be present in the header row."""

    key: str
    header: str
    required: bool = False
    type: str = TEXT
    example: str = ""
    note: str = ""
    width: int = 18
    text_format: bool = False  # digits that must stay text in Excel (NIK, phone, codes)
    choices: tuple[str, ...] = ()


class SheetRow(NamedTuple):
    """One data row: its line in the sheet, its cells by column key, and which of them hold a formula."""

    line: int
    cells: dict[str, object]
    formulas: dict[str, Formula]


@dataclass
class Table:
    """The data rows of a file, read once as consumed. A file-level problem met on the way (too many rows, none at
    all, a damaged sheet) raises ``ImportFileError``."""

    rows: Iterator[SheetRow]
    ignored: list[str] = field(default_factory=list)  # headers that are not ours

    def notices(self) -> list[str]:
        if not self.ignored:
            return []
        return [f"Kolom yang tidak dikenal diabaikan: {', '.join(self.ignored)}."]


def limits() -> guards.Limits:
    return guards.Limits(unpacked=settings.IMPORT_MAX_UNPACKED_BYTES, cells=settings.IMPORT_MAX_CELLS)


def check_upload(*, name: str, size: int) -> None:
    """Refuse by name and size before anything is stored (the content is checked again when read)."""
    max_bytes = settings.IMPORT_MAX_UPLOAD_BYTES
    suffix = Path(name or "").suffix.lower()
    if suffix in _MACRO_EXTENSIONS:
        raise ImportFileError(
            f"Berkas makro ({suffix}) tidak diterima. Simpan sebagai “Buku Kerja Excel (.xlsx)” lalu unggah lagi."
        )
    if suffix not in ACCEPTED_EXTENSIONS:
        raise ImportFileError("Hanya berkas XLSX, XLS, ODS atau CSV yang dapat diimpor.")
    if size == 0:
        raise ImportFileError("Berkas kosong.")
    if size > max_bytes:
        raise ImportFileError(
            f"Berkas terlalu besar ({size / 1_048_576:.1f} MB); batasnya {max_bytes // 1_048_576} MB. "
            "Bagi menjadi beberapa berkas."
        )


def read_table(path: Path, *, filename: str, columns: Sequence[Column]) -> Table:
    """Open an XLSX, XLS, ODS or CSV file by its content, find the header row and return the data rows."""
    check_upload(name=filename, size=path.stat().st_size)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP_MAGIC):
        inspection = guards.inspect_zip(path, limits(), named=Path(filename).suffix.lower())
    elif head.startswith(_OLE_MAGIC):
        inspection = guards.inspect_ole(path, limits())
    elif Path(filename).suffix.lower() in _WORKBOOK_EXTENSIONS or head.startswith(_BINARY_MAGIC):
        raise ImportFileError("Berkas ini bukan spreadsheet XLSX atau CSV yang sah.")
    else:
        return _table(_csv_rows(path.read_bytes()), columns, {})
    formulas: dict[int, dict[int, Formula]] = {}
    for (row, col), formula in inspection.formulas.items():
        formulas.setdefault(row + 1, {})[col] = formula
    return _table(_workbook_rows(path, inspection), columns, formulas)


def _workbook_rows(path: Path, inspection: guards.Inspection) -> Iterator[tuple[int, list]]:
    """The rows of the inspected sheet as (line, values), ``values[i]`` being column i (A = 0) of the sheet."""
    try:
        with path.open("rb") as handle, CalamineWorkbook.from_filelike(handle) as workbook:
            sheet = workbook.get_sheet_by_name(inspection.sheet)
            start = sheet.start
            if start is None:
                return
            top, left = start
            padding = [None] * left
            for offset, values in enumerate(sheet.iter_rows()):
                yield top + offset + 1, padding + values if left else values
    except PasswordError:
        raise guards.password_protected() from None
    except (CalamineError, ValueError, OverflowError):
        raise guards.damaged(inspection.kind) from None


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's “Unicode text”), else Windows-1252 / Latin-1."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        sample = data[:4096]
        if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4 and not sample[0::2].count(0):
            return data.decode("utf-16-le")
        if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4 and not sample[1::2].count(0):
            return data.decode("utf-16-be")
    except UnicodeDecodeError:
        raise ImportFileError("Pengodean teks berkas CSV tidak dikenali. Simpan sebagai “CSV UTF-8”.") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _csv_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    text = _decode(data)
    if _CONTROL_CHARS.search(text[:8192]):
        raise ImportFileError("Berkas ini bukan spreadsheet XLSX atau CSV yang sah.")
    first = next((line for line in text.splitlines() if line.strip()), "")
    # Indonesian Excel writes ";" (the comma is the decimal separator); Excel's “Unicode text” writes tabs.
    delimiter = max((";", ",", "\t", "|"), key=first.count) if first else ","
    # A line of more separators than Excel has columns is refused before the csv module builds it as one list.
    for number, line in enumerate(io.StringIO(text), start=1):
        if line.count(delimiter) >= guards.MAX_ROW_CELLS:
            raise guards.too_many_cells(number)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate((tuple(row) for row in reader), start=1)
    except csv.Error as exc:
        raise ImportFileError(f"Baris {reader.line_num}: berkas CSV tidak dapat dibaca ({exc}).") from None


# --- Header and data rows -------------------------------------------------------------------------------------------


def present(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def header_key(value: object) -> str:
    """A header or name as compared: whitespace collapsed, case folded, a BOM dropped."""
    return " ".join(str(value or "").replace("\ufeff", "").split()).casefold()


def _table(raw: Iterable[tuple[int, Sequence]], columns: Sequence[Column], formulas: dict) -> Table:
    by_header = {header_key(c.header): c for c in columns}
    required = [c for c in columns if c.required]
    rows = iter(raw)
    candidates, best = 0, None
    for _line, values in rows:
        if not any(present(v) for v in values):
            continue
        headers = [header_key(v) for v in values]
        positions = {by_header[h].key: i for i, h in enumerate(headers) if h in by_header}
        missing = [c.header for c in required if c.key not in positions]
        if not missing:
            return _data_rows(rows, values, positions, by_header, formulas)
        if best is None or len(missing) < len(best):
            best = missing
        candidates += 1
        if candidates >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise ImportFileError("Berkas kosong: tidak ada judul kolom maupun data.")
    raise ImportFileError(
        f"Kolom wajib tidak ditemukan: {', '.join(best)}. Pakai judul kolom dari templat (huruf besar/kecil dan "
        "spasi di awal/akhir tidak berpengaruh)."
    )


def _data_rows(
    rows: Iterator, header_row: Sequence, positions: dict[str, int], by_header: dict, formulas: dict
) -> Table:
    seen: set[str] = set()
    ignored = []
    for value in header_row:
        header = header_key(value)
        if header in by_header:
            if header in seen:
                raise ImportFileError(f"Kolom “{by_header[header].header}” muncul lebih dari sekali.")
            seen.add(header)
        elif header:
            ignored.append(" ".join(str(value).split()))
    return Table(_records(rows, tuple(positions.items()), formulas), ignored)


def _records(rows: Iterator, items: tuple[tuple[str, int], ...], formulas: dict) -> Iterator[SheetRow]:
    """The non-empty rows after the header as {column key: value}, streamed (the raw rows are never all held)."""
    count, max_rows = 0, settings.IMPORT_MAX_ROWS
    for line, values in rows:
        if not any(present(v) for v in values):
            continue
        count += 1
        if count > max_rows:
            limit = angka(max_rows)
            raise ImportFileError(f"Berkas berisi lebih dari {limit} baris data; bagi menjadi beberapa berkas.")
        width = len(values)
        in_row = formulas.get(line, {})
        yield SheetRow(
            line,
            {key: values[i] if i < width else None for key, i in items},
            {key: in_row[i] for key, i in items if i in in_row} if in_row else {},
        )
    if not count:
        raise ImportFileError("Berkas hanya berisi judul kolom, tanpa baris data.")
