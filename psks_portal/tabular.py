"""Spreadsheet files for imports and exports, free of any app's models: shared by the registry and PMKS imports.

Reading: ``check_upload`` refuses a file by name and size before it is stored; ``read_table`` opens an XLSX (streamed
straight from the XML) or a CSV (any of the encodings and separators Indonesian offices produce) by its *content*,
finds the header row and yields the data rows keyed by ``Column.key``. Every file-level problem (wrong type, too big,
damaged zip, macros, empty, missing required headers, too many rows) raises ``ImportFileError`` with an Indonesian
message; a bad cell raises ``CellError`` from the ``parse_*`` helpers, collected per row by ``RowProblems``.

Previews: ``RowOutcome`` (one row: new / updated / unchanged / refused with reasons) and ``ImportPreview`` (all rows).
Uploads wait for the confirm step under ``MEDIA_ROOT/imports/<random token>`` (``upload_store``), never under their
own name; ``uploads_sweep`` deletes the ones never confirmed.

Writing: ``write_xlsx`` / ``write_csv`` from a column map (``ExportColumn``), with text cells for NIK and codes and
every cell that a spreadsheet would run as a formula neutralised. ``template_*`` build the empty import template.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import pyexpat
import re
import secrets
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.http import FileResponse, HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from psks_portal import date_bounds, wilayah_codes
from psks_portal import nik as nik_rules
from psks_portal import phone as phone_rules
from psks_portal import scope as scoping
from psks_portal.models import Wilayah

# --- Limits -------------------------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a 20,000-row roster is about 1.5 MB as XLSX, 3 MB as CSV
MAX_UNPACKED_BYTES = 80 * 1024 * 1024  # sum of the declared sizes inside an XLSX (a zip bomb declares far more)
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10  # the header may sit below a title row or two
UPLOAD_TTL_SECONDS = 24 * 60 * 60
BATCH_SIZE = 1000
TEMPLATE_DESA_LIMIT = 10_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TEXT, DATE = "text", "date"
NEW, UPDATED, UNCHANGED, ERROR = "baru", "diperbarui", "tidak_berubah", "ditolak"
STATUS_LABELS = {NEW: "Baru", UPDATED: "Diperbarui", UNCHANGED: "Tidak berubah", ERROR: "Ditolak"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"MZ")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
_MACRO_EXTENSIONS = {".xlsm", ".xltm", ".xlam", ".xlsb"}
_ACCEPTED_EXTENSIONS = {".xlsx", ".csv"}


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why, in Indonesian, and nothing was changed."""


class CellError(ValueError):
    """One cell cannot be read; the message names the column."""


class ImportRefused(Exception):
    """The file has refused rows and the caller did not ask to import only the valid ones; nothing was changed."""

    def __init__(self, preview: ImportPreview):
        super().__init__(preview.summary())
        self.preview = preview


# --- Columns ------------------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ExportColumn:
    """A column of an export: its header and how to read the value from one row."""

    header: str
    value: Callable[[object], object]
    type: str = TEXT
    width: int = 18


# --- Reading files --------------------------------------------------------------------------------------------------


@dataclass
class Table:
    """The data rows of a file as (spreadsheet row number, {column key: raw cell value}), read once as consumed.

    A file-level problem met on the way (too many rows, none at all, a damaged sheet) raises ``ImportFileError``.
    """

    rows: Iterator[tuple[int, dict[str, object]]]
    ignored: list[str] = field(default_factory=list)  # headers that are not ours

    def notices(self) -> list[str]:
        if not self.ignored:
            return []
        return [f"Kolom yang tidak dikenal diabaikan: {', '.join(self.ignored)}."]


def check_upload(*, name: str, size: int, max_bytes: int | None = None) -> None:
    """Refuse by name and size before anything is stored (the content is checked again when read).

    The limits here and in ``read_table`` default to the module's constants, read at call time.
    """
    max_bytes = max_bytes or MAX_UPLOAD_BYTES
    suffix = Path(name or "").suffix.lower()
    if suffix in _MACRO_EXTENSIONS:
        raise ImportFileError(
            f"Berkas makro ({suffix}) tidak diterima. Simpan sebagai “Buku Kerja Excel (.xlsx)” lalu unggah lagi."
        )
    if suffix in {".xls", ".xlt"}:
        raise ImportFileError("Format Excel lama (.xls) tidak didukung. Simpan sebagai .xlsx lalu unggah lagi.")
    if suffix not in _ACCEPTED_EXTENSIONS:
        raise ImportFileError("Hanya berkas XLSX atau CSV yang dapat diimpor.")
    if size == 0:
        raise ImportFileError("Berkas kosong.")
    if size > max_bytes:
        raise ImportFileError(
            f"Berkas terlalu besar ({size / 1_048_576:.1f} MB); batasnya {max_bytes // 1_048_576} MB. "
            "Bagi menjadi beberapa berkas."
        )


def read_table(
    path: Path,
    *,
    filename: str,
    columns: Sequence[Column],
    max_rows: int | None = None,
    max_bytes: int | None = None,
    max_unpacked: int | None = None,
) -> Table:
    """Open an XLSX or CSV file by its content, find the header row and return the data rows; or ImportFileError."""
    check_upload(name=filename, size=path.stat().st_size, max_bytes=max_bytes)
    max_rows, max_unpacked = max_rows or MAX_ROWS, max_unpacked or MAX_UNPACKED_BYTES
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP_MAGIC):
        raw = _xlsx_rows(path, max_unpacked)
    elif head.startswith(_OLE_MAGIC):
        raise ImportFileError(
            "Berkas ini berformat Excel lama (.xls) atau dilindungi kata sandi. Simpan sebagai .xlsx tanpa kata "
            "sandi lalu unggah lagi."
        )
    elif Path(filename).suffix.lower() == ".xlsx" or head.startswith(_BINARY_MAGIC):
        raise ImportFileError("Berkas ini bukan spreadsheet XLSX atau CSV yang sah.")
    else:
        raw = _csv_rows(path.read_bytes())
    return _table(raw, columns, max_rows)


def _xlsx_rows(path: Path, max_unpacked: int) -> Iterator[tuple[int, tuple]]:
    """The rows of the sheet named “Data” (else the first sheet), read straight from the XML.

    openpyxl's reader builds an object per cell (about twice as slow on the benchmark roster); this streams the
    sheet with ElementTree and keeps only values, converting numbers in date-formatted cells to dates as Excel does.
    ElementTree (like openpyxl without defusedxml) expands no external entities, and expat 2.4.1+ refuses entity
    amplification (billion laughs, quadratic blow-up): the ``noqa: S314`` below rest on that check.
    """
    if pyexpat.version_info < (2, 4, 1):
        raise ImproperlyConfigured("XLSX import needs expat 2.4.1 or newer (entity amplification protection).")
    try:
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive, max_unpacked)
            sheet = _sheet_path(archive)
            shared = _shared_strings(archive)
            date_styles, epoch = _date_styles(archive)
            with archive.open(sheet) as stream:
                yield from _sheet_rows(stream, shared, date_styles, epoch)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError, ElementTree.ParseError, OverflowError):
        raise ImportFileError("Berkas XLSX rusak atau tidak dapat dibaca.") from None


def _check_archive(archive: zipfile.ZipFile, max_unpacked: int) -> None:
    infos = archive.infolist()
    names = {info.filename.lower() for info in infos}
    if any(name.endswith("vbaproject.bin") for name in names):
        raise ImportFileError("Berkas berisi makro (VBA) dan tidak diterima. Simpan sebagai .xlsx biasa.")
    # Python's zipfile stops at the declared size of each member, so the declared total is a hard cap.
    if sum(info.file_size for info in infos) > max_unpacked:
        raise ImportFileError(
            f"Isi berkas XLSX terlalu besar setelah dibuka (lebih dari {max_unpacked // 1_048_576} MB). "
            "Bagi menjadi beberapa berkas."
        )
    if "xl/workbook.xml" not in names:
        raise ImportFileError("Berkas ZIP ini bukan buku kerja Excel (.xlsx).")
    if "[content_types].xml" in names and b"macroenabled" in archive.read("[Content_Types].xml").lower():
        raise ImportFileError("Berkas berisi makro dan tidak diterima. Simpan sebagai .xlsx biasa.")


def _local(tag: str) -> str:
    """``{namespace}row`` → ``row`` (transitional and strict OOXML use different namespaces)."""
    return tag.rsplit("}", 1)[-1]


def _member(archive: zipfile.ZipFile, name: str) -> str | None:
    """An archive member by name, ignoring case (some writers vary it)."""
    wanted = name.lower()
    return next((info.filename for info in archive.infolist() if info.filename.lower() == wanted), None)


def _sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = ElementTree.fromstring(archive.read(_member(archive, "xl/workbook.xml")))  # noqa: S314
    rels_name = _member(archive, "xl/_rels/workbook.xml.rels")
    targets = {}
    if rels_name:
        for rel in ElementTree.fromstring(archive.read(rels_name)):  # noqa: S314
            if rel.get("Type", "").endswith("/worksheet"):
                target = rel.get("Target", "")
                targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    sheets = []
    for element in workbook.iter():
        if _local(element.tag) == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rel_id in targets:
                sheets.append((element.get("name", ""), targets[rel_id]))
    if not sheets:
        raise ImportFileError("Berkas XLSX tidak berisi lembar kerja.")
    chosen = next((t for name, t in sheets if name.strip().casefold() == "data"), sheets[0][1])
    member = _member(archive, chosen)
    if member is None:
        raise ImportFileError("Berkas XLSX rusak atau tidak dapat dibaca.")
    return member


def _text_of(element) -> str:
    """The text of a shared or inline string, rich-text runs joined, phonetic hints left out."""
    parts = []
    for child in element.iter():
        tag = _local(child.tag)
        if tag == "rPh":
            break
        if tag == "t" and child.text:
            parts.append(child.text)
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    name = _member(archive, "xl/sharedStrings.xml")
    if name is None:
        return []
    strings = []
    with archive.open(name) as stream:
        for _, element in ElementTree.iterparse(stream):  # noqa: S314
            if _local(element.tag) == "si":
                strings.append(_text_of(element))
                element.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile) -> tuple[frozenset[int], datetime]:
    """Indexes of cell styles with a date format, and the workbook's date epoch (1900 or 1904)."""
    workbook = archive.read(_member(archive, "xl/workbook.xml"))
    epoch = CALENDAR_MAC_1904 if re.search(rb"date1904=\"(1|true)\"", workbook) else CALENDAR_WINDOWS_1900
    name = _member(archive, "xl/styles.xml")
    if name is None:
        return frozenset(), epoch
    root = ElementTree.fromstring(archive.read(name))  # noqa: S314
    custom = {int(e.get("numFmtId")): e.get("formatCode", "") for e in root.iter() if _local(e.tag) == "numFmt"}
    dates = set()
    for section in root:
        if _local(section.tag) == "cellXfs":
            for index, xf in enumerate(section):
                fmt_id = int(xf.get("numFmtId", 0))
                code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, ""))
                if code and is_date_format(code):
                    dates.add(index)
    return frozenset(dates), epoch


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if not char.isalpha():
            break
        index = index * 26 + ord(char.upper()) - 64
    return index - 1


def _sheet_rows(stream, shared: list[str], date_styles: frozenset[int], epoch: datetime) -> Iterator[tuple]:
    line, cells = 0, {}
    for _, element in ElementTree.iterparse(stream):  # noqa: S314
        tag = element.tag  # compared by suffix: ``_local`` per element costs a third of the parse
        if tag[-2:] == "}c" or tag == "c":
            reference = element.get("r")
            column = _column_index(reference) if reference else len(cells)
            cells[column] = _cell_value(element, shared, date_styles, epoch)
        elif tag[-4:] == "}row" or tag == "row":
            line = int(element.get("r") or line + 1)
            if cells:
                values = [None] * (max(cells) + 1)
                for column, value in cells.items():
                    values[column] = value
                yield line, tuple(values)
            cells = {}
            element.clear()


def _cell_value(element, shared: list[str], date_styles: frozenset[int], epoch: datetime) -> object:
    kind = element.get("t", "n")
    if kind == "inlineStr":
        return _text_of(element)
    raw = next((child.text for child in element if child.tag[-2:] == "}v" or child.tag == "v"), None)
    if raw is None:
        return None
    if kind == "s":
        return shared[int(raw)]
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw == "1"
    if kind == "d":
        return datetime.fromisoformat(raw)
    number = float(raw) if any(c in raw for c in ".eE") else int(raw)
    if int(element.get("s", 0)) in date_styles:
        return from_excel(number, epoch)
    return number


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's “Unicode text”), else Windows-1252 / Latin-1."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate((tuple(row) for row in reader), start=1)
    except csv.Error as exc:
        raise ImportFileError(f"Baris {reader.line_num}: berkas CSV tidak dapat dibaca ({exc}).") from None


def _present(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def header_key(value: object) -> str:
    """A header or name as compared: whitespace collapsed, case folded, a BOM dropped."""
    return " ".join(str(value or "").replace("\ufeff", "").split()).casefold()


def _table(raw: Iterable[tuple[int, tuple]], columns: Sequence[Column], max_rows: int) -> Table:
    by_header = {header_key(c.header): c for c in columns}
    required = [c for c in columns if c.required]
    rows = iter(raw)
    candidates, best = 0, None
    for _line, values in rows:
        if not any(_present(v) for v in values):
            continue
        headers = [header_key(v) for v in values]
        positions = {by_header[h].key: i for i, h in enumerate(headers) if h in by_header}
        missing = [c.header for c in required if c.key not in positions]
        if not missing:
            return _data_rows(rows, values, positions, by_header, max_rows)
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


def _data_rows(rows: Iterator, header_row: tuple, positions: dict[str, int], by_header: dict, max_rows: int) -> Table:
    seen: set[str] = set()
    ignored = []
    for value in header_row:
        header = header_key(value)
        if header in by_header:
            if header in seen:
                raise ImportFileError(f"Kolom “{by_header[header].header}” muncul lebih dari sekali.")
            seen.add(header)
        elif header:
            ignored.append(text(value))
    return Table(_records(rows, tuple(positions.items()), max_rows), ignored)


def _records(rows: Iterator, items: tuple[tuple[str, int], ...], max_rows: int) -> Iterator[tuple[int, dict]]:
    """The non-empty rows after the header as {column key: value}, streamed (the raw rows are never all held)."""
    count = 0
    for line, values in rows:
        if not any(_present(v) for v in values):
            continue
        count += 1
        if count > max_rows:
            limit = f"{max_rows:,}".replace(",", ".")
            raise ImportFileError(f"Berkas berisi lebih dari {limit} baris data; bagi menjadi beberapa berkas.")
        width = len(values)
        yield line, {key: values[i] if i < width else None for key, i in items}
    if not count:
        raise ImportFileError("Berkas hanya berisi judul kolom, tanpa baris data.")


# --- Reading cells --------------------------------------------------------------------------------------------------


def text(value: object) -> str:
    """A cell as clean text: whitespace collapsed, integral numbers without ``.0``, our export's ``'`` guard undone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).strip()
    if len(result) > 1 and result[0] == "'" and result[1] in "=+-@":
        result = result[1:]
    return " ".join(result.split())


def limited(value: object, label: str, limit: int) -> str:
    result = text(value)
    if len(result) > limit:
        raise CellError(f"{label} terlalu panjang ({len(result)} karakter, paling banyak {limit}).")
    return result


def required(value: object, label: str, limit: int) -> str:
    result = limited(value, label, limit)
    if not result:
        raise CellError(f"{label} wajib diisi.")
    return result


def parse_date(value: object, label: str) -> date | None:
    """A date cell, or text DD-MM-YYYY / YYYY-MM-DD (also with ``/``); empty is ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        raise CellError(f"{label} berupa angka ({text(value)}), bukan tanggal. Format sel sebagai tanggal.")
    cell = text(value)
    candidate = cell[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", cell) else cell
    for pattern in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(candidate, pattern).date()
        except ValueError:
            continue
    raise CellError(f"{label} harus berupa tanggal DD-MM-YYYY atau YYYY-MM-DD, bukan “{cell}”.")


def parse_past_date(value: object, label: str, today: date, earliest: date = date_bounds.EARLIEST) -> date | None:
    """Like ``parse_date``, but a date after ``today`` or before ``earliest`` is refused; empty is ``None``."""
    parsed = parse_date(value, label)
    problem = date_bounds.past_date_problem(parsed, label=label, today=today, earliest=earliest)
    if problem:
        raise CellError(problem)
    return parsed


def parse_required_date(value: object, label: str, today: date, earliest: date = date_bounds.EARLIEST) -> date:
    parsed = parse_past_date(value, label, today, earliest)
    if parsed is None:
        raise CellError(f"{label} wajib diisi.")
    return parsed


def parse_nik(value: object) -> nik_rules.NIK:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: a NIK typed as a number may already have lost its last digit.
        raise CellError("NIK tersimpan sebagai angka sehingga digit terakhirnya bisa berubah. Format kolom NIK "
                        "sebagai Teks lalu ketik ulang NIK.")
    try:
        return nik_rules.parse(text(value))
    except nik_rules.InvalidNIK as exc:
        raise CellError(str(exc)) from None


def parse_optional_nik(value: object) -> nik_rules.NIK | None:
    """An empty cell is ``None`` (the record has no NIK); anything else must be a valid NIK."""
    if not _present(value):
        return None
    return parse_nik(value)


_SEX = {"l": nik_rules.MALE, "lk": nik_rules.MALE, "laki-laki": nik_rules.MALE, "laki laki": nik_rules.MALE,
        "pria": nik_rules.MALE, "p": nik_rules.FEMALE, "pr": nik_rules.FEMALE, "perempuan": nik_rules.FEMALE,
        "wanita": nik_rules.FEMALE}


def parse_sex(value: object) -> str:
    cell = text(value)
    if not cell:
        raise CellError("Jenis Kelamin wajib diisi (L atau P).")
    try:
        return _SEX[cell.casefold()]
    except KeyError:
        raise CellError(f"Jenis Kelamin harus L atau P, bukan “{cell}”.") from None


def parse_phone(value: object) -> str:
    """A telephone cell by the core's one phone rule (``psks_portal.phone``); empty is ``""``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = text(value)
        # A number cell drops the leading zero of a mobile number (0812… → 812…).
        value = "0" + digits if digits.startswith("8") else digits
    try:
        return phone_rules.parse(text(value))
    except phone_rules.InvalidPhone as exc:
        raise CellError(f"No. HP: {exc}") from None


def parse_desa_code(value: object) -> str:
    cell = text(value)
    if not cell:
        raise CellError("Kode Desa wajib diisi (contoh 32.74.01.1001).")
    code = wilayah_codes.normalise_digits(cell)
    try:
        parsed = wilayah_codes.parse(code)
    except wilayah_codes.InvalidWilayahCode:
        raise CellError(f"Kode Desa “{cell}” tidak sah (contoh 32.74.01.1001).") from None
    if parsed.level != wilayah_codes.DESA:
        raise CellError(f"Kode Desa “{cell}” bukan kode desa/kelurahan (contoh 32.74.01.1001).")
    return code


class RowProblems:
    """Collects the problems of one row while its cells are read."""

    __slots__ = ("line", "errors", "warnings")

    def __init__(self, line: int):
        self.line, self.errors, self.warnings = line, [], []

    def take(self, parse: Callable, *args):
        try:
            return parse(*args)
        except CellError as exc:
            self.errors.append(str(exc))
            return None


def _param_chunk() -> int:
    limit = connection.features.max_query_params
    return limit - 50 if limit else 50_000


def in_chunks(queryset, lookup: str, values: Iterable) -> list:
    """``queryset.filter(<lookup>__in=values)`` in as few queries as the database's parameter limit allows."""
    values, size, found = sorted(set(values)), _param_chunk(), []
    for start in range(0, len(values), size):
        found.extend(queryset.filter(**{f"{lookup}__in": values[start:start + size]}))
    return found


class DesaIndex:
    """The desa named in a file, with whether the user may change records there (one query per chunk)."""

    FIELDS = ("code", "name", "level", "kecamatan_id", "valid_until")

    def __init__(self, user, codes: Iterable[str]):
        found = in_chunks(Wilayah.objects.filter(level=Wilayah.DESA).only(*self.FIELDS), "code", codes)
        self.by_code = {w.code: w for w in found}
        self.writable = {w.code for w in found if scoping.can_change(user, w)}

    def resolve(self, row: RowProblems, code: str | None) -> Wilayah | None:
        if code is None:
            return None
        desa = self.by_code.get(code)
        if desa is None:
            row.errors.append(f"Kode Desa {code} tidak terdaftar.")
            return None
        if desa.valid_until is not None:
            row.errors.append(f"Kode Desa {code} sudah tidak berlaku sejak {desa.valid_until:%d-%m-%Y}.")
            return None
        if code not in self.writable:
            row.errors.append(f"Desa {code} ({desa.name}) berada di luar wilayah Anda.")
            return None
        return desa


# --- Previews -------------------------------------------------------------------------------------------------------


@dataclass
class RowOutcome:
    """What happens to one row. ``ident`` is what identifies the row to the user (a masked NIK, a number)."""

    line: int
    status: str
    ident: str = ""
    name: str = ""
    kind: str = ""
    desa: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def messages(self) -> list[str]:
        return [f"Baris {self.line}: {message}" for message in self.errors]

    @property
    def warning_messages(self) -> list[str]:
        return [f"Baris {self.line}: {message}" for message in self.warnings]


@dataclass
class ImportPreview:
    """The outcome of every row; after a confirmed import ``applied`` is true and the counts are what was written."""

    roster: str
    rows: list[RowOutcome]
    notices: list[str] = field(default_factory=list)
    applied: bool = False

    @cached_property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUS_LABELS, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return self.counts[ERROR] > 0

    @property
    def error_rows(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.status == ERROR]

    @property
    def valid_count(self) -> int:
        return len(self.rows) - self.counts[ERROR]

    def sample(self, *, errors: int = 500, others: int = 200) -> list[RowOutcome]:
        """The rows worth showing, in file order: refused rows first to a limit, then new/updated/warned ones."""
        refused = self.error_rows[:errors]
        rest = [r for r in self.rows if r.status in (NEW, UPDATED) or (r.status == UNCHANGED and r.warnings)]
        return sorted([*refused, *rest[:others]], key=lambda r: r.line)

    def summary(self) -> str:
        c = self.counts
        result = f"{c[NEW]} baru, {c[UPDATED]} diperbarui, {c[UNCHANGED]} tidak berubah"
        if c[ERROR]:
            result += f", {c[ERROR]} baris {'dilewati' if self.applied else 'ditolak'}"
        return result + "."


# --- Uploads kept for the confirm step ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingImport:
    """An uploaded file waiting for confirmation: a random token (the file's name on disk) and the original name."""

    token: str
    filename: str

    @property
    def path(self) -> Path:
        if not _TOKEN.match(self.token):
            raise ImportFileError("Berkas impor tidak ditemukan.")
        return upload_dir() / self.token


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_store(upload: UploadedFile) -> PendingImport:
    """Keep an upload under ``MEDIA_ROOT/imports/<random token>`` (never under its own name) for the confirm step."""
    uploads_sweep()
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    pending = PendingImport(secrets.token_urlsafe(24), Path(upload.name or "").name)
    with pending.path.open("xb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    pending.path.chmod(0o600)
    return pending


def upload_discard(pending: PendingImport | None) -> None:
    if pending is not None:
        with contextlib.suppress(ImportFileError):
            pending.path.unlink(missing_ok=True)


def uploads_sweep(*, max_age: float = UPLOAD_TTL_SECONDS) -> int:
    """Delete stored uploads older than a day (never confirmed); returns how many were deleted."""
    directory, deleted = upload_dir(), 0
    if not directory.is_dir():
        return 0
    limit = time.time() - max_age
    for path in directory.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


# --- Writing files --------------------------------------------------------------------------------------------------


def neutralise(value: str) -> str:
    """Make a text cell inert in a spreadsheet: a leading ``= + - @`` tab or CR gets a ``'`` in front (OWASP)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def cell_text(value: object) -> str:
    """Any value as the text of an exported cell: characters XML cannot hold dropped, formulas neutralised."""
    if value is None:
        return ""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


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
                values.append(cell_text(value) or None)
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


def template_attachment(content: bytes, stem: str) -> HttpResponse:
    """An import template (an XLSX made in memory) as ``templat-<stem>.xlsx``, never cached."""
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="templat-{stem}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def attachment(export: ExportFile) -> FileResponse:
    """The download of an export, streamed from its temporary file (closed, and so deleted, once sent)."""
    response = FileResponse(
        export.file, as_attachment=True, filename=export.filename, content_type=export.content_type
    )
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


# --- Templates ------------------------------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def template_data_sheet(workbook: Workbook, columns: Sequence[Column], *, lists: dict[str, str] | None = None):
    """The workbook's first sheet as the “Data” sheet: headers (required ones orange), text/date formats, and
    drop-downs from ``Column.choices`` or from ``lists`` (column key → a range such as ``Jenis!$A$2:$A$20``)."""
    data = workbook.active
    data.title = "Data"
    data.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        dimension = data.column_dimensions[letter]
        dimension.width = column.width
        if column.text_format:
            dimension.number_format = "@"
        elif column.type == DATE:
            dimension.number_format = "DD-MM-YYYY"
        formula = f'"{",".join(column.choices)}"' if column.choices else None
        formula = (lists or {}).get(column.key, formula)
        if formula:
            # A drop-down that still accepts other spellings (aliases, lower case): no error on other values.
            validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            data.add_data_validation(validation)
    return data


def template_help_sheet(sheet, *, title: str, lines: Sequence[str], columns: Sequence[Column]) -> None:
    """A “Petunjuk” sheet: the title, the rules, then one line per column (required, example, note)."""
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in lines:
        sheet.append([line])
    sheet.append([])
    sheet.append(["Kolom", "Wajib", "Contoh", "Keterangan"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in columns:
        sheet.append([column.header, "ya" if column.required else "tidak", column.example, column.note])
    for letter, width in zip("ABCD", (22, 8, 28, 80), strict=True):
        sheet.column_dimensions[letter].width = width


def template_list_sheet(sheet, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int]) -> None:
    """A reference sheet (kinds, categories …): a bold header row, then the rows."""
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def template_desa_sheet(sheet, user) -> None:
    """The “Kode Desa” sheet: every active desa in the user's wilayah, or a note when there are too many."""
    sheet.append(["Kode Desa", "Desa/Kelurahan", "Kecamatan", "Kabupaten/Kota"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    desa = Wilayah.objects.for_user(user).at_level(Wilayah.DESA).active()
    if desa.count() > TEMPLATE_DESA_LIMIT:
        sheet.append(["Daftar kode desa di wilayah Anda terlalu panjang untuk templat; lihat menu Wilayah."])
        return
    for w in desa.select_related("kecamatan", "kabupaten").order_by("code"):
        sheet.append([w.code, w.label, w.kecamatan.name if w.kecamatan else "", w.kabupaten.name if w.kabupaten
                      else ""])
    for letter, width in zip("ABCD", (16, 30, 24, 24), strict=True):
        sheet.column_dimensions[letter].width = width


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
