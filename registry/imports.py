"""Import and export of the registry rosters: persons with their roles, and organisations.

Import is two steps. ``import_preview`` stores the uploaded file server-side and says, row by row, what would happen
(new, updated, unchanged, or refused with the reason) without writing anything. ``person_import`` /
``organisation_import`` read the stored file again inside one transaction, re-validate every row against the database
as it is *now* (the preview is never trusted) and write in bulk. A file with refused rows changes nothing unless the
caller asks for the valid rows only. Matching makes a second import of the same file a no-op: persons match on NIK,
their roles on person + kind; organisations on registration number, else name + desa.

Everything is scoped: a read-only user cannot import, and rows whose desa (or whose existing record) lies outside the
user's wilayah are refused with a reason. Exports are built from the same selectors as the list pages, write NIK and
phone numbers as text cells, neutralise cells that a spreadsheet would run as a formula, and leave an audit record.

Audit: every record an import creates or changes gets a ``simple_history`` row (user + reason), and each import and
each export leaves one ``LogEntry`` (who, when, what, how many rows, which filters; NIKs masked).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import pyexpat
import re
import secrets
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from psks_portal import nik as nik_rules
from psks_portal import scope as scoping
from psks_portal import wilayah_codes
from psks_portal.logging import mask_digits
from psks_portal.models import User, Wilayah
from registry import selectors
from registry.models import (
    GOLONGAN,
    TKSK_CODE,
    AsnStatus,
    Assignment,
    AssignmentStatus,
    BoardMember,
    Education,
    Kind,
    LegalStatus,
    Organisation,
    Person,
    Subject,
)

# --- Limits -------------------------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a 20,000-row roster is about 1.5 MB as XLSX, 3 MB as CSV
MAX_UNPACKED_BYTES = 80 * 1024 * 1024  # sum of the declared sizes inside an XLSX (a zip bomb declares far more)
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10  # the header may sit below a title row or two
UPLOAD_TTL_SECONDS = 24 * 60 * 60
BATCH_SIZE = 1000
TEMPLATE_DESA_LIMIT = 10_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_ACTION_FLAG = 4  # LogEntry flag for "exported" (Django uses 1–3 for added/changed/deleted)

TEXT, DATE = "text", "date"
NEW, UPDATED, UNCHANGED, ERROR = "baru", "diperbarui", "tidak_berubah", "ditolak"
STATUS_LABELS = {NEW: "Baru", UPDATED: "Diperbarui", UNCHANGED: "Tidak berubah", ERROR: "Ditolak"}

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


PERSON_COLUMNS: tuple[Column, ...] = (
    Column("nik", "NIK", True, example="3274014101900001", width=20, text_format=True,
           note="16 digit, diketik sebagai teks (bukan angka)."),
    Column("name", "Nama", True, example="Siti Aminah", width=28),
    Column("sex", "Jenis Kelamin", True, example="P", width=14, choices=("L", "P"), note="L atau P."),
    Column("birth_place", "Tempat Lahir", True, example="Cirebon"),
    Column("birth_date", "Tanggal Lahir", True, DATE, "01-01-1990", width=14,
           note="Sel tanggal, atau teks DD-MM-YYYY / YYYY-MM-DD."),
    Column("education", "Pendidikan", True, example="SLTA", width=14,
           choices=("Tidak sekolah", "SD", "SLTP", "SLTA", "D1", "D2", "D3", "D4", "S1", "S2", "S3"),
           note="SD, SLTP/SMP, SLTA/SMA/SMK, D1–D4, S1–S3."),
    Column("desa", "Kode Desa", True, example="32.74.01.1001", width=16, text_format=True,
           note="Kode Kemendagri desa/kelurahan domisili (lihat lembar Kode Desa)."),
    Column("address", "Alamat", True, example="Jl. Kartini No. 5 RT 01 RW 02", width=32),
    Column("kind", "Jenis", True, example="PSM", width=18,
           note="Singkatan atau nama jenis SDM Kesos/PSKS (lihat lembar Jenis): PSM, Tagana, TKSK, …"),
    Column("asn_status", "Status ASN", True, example="Non-ASN", width=12, choices=("Non-ASN", "PNS", "PPPK"),
           note="Non-ASN, PNS atau PPPK."),
    Column("golongan", "Golongan", example="", width=10, note="Wajib bila PNS, mis. III/a."),
    Column("phone", "No. HP", example="081234567890", width=16, text_format=True),
    Column("sk_number", "Nomor SK", example="460/Kep.12-Dinsos/2025", width=24, text_format=True),
    Column("sk_date", "Tanggal SK", type=DATE, example="02-01-2025", width=14),
)

ORGANISATION_COLUMNS: tuple[Column, ...] = (
    Column("name", "Nama Lembaga", True, example="LKS Harapan Bunda", width=32),
    Column("kind", "Jenis", True, example="LKS", width=18,
           note="Singkatan atau nama jenis lembaga/keluarga (lihat lembar Jenis): LKS, Karang Taruna, LK3, …"),
    Column("desa", "Kode Desa", True, example="32.74.01.1001", width=16, text_format=True,
           note="Kode Kemendagri desa/kelurahan kedudukan lembaga (lihat lembar Kode Desa)."),
    Column("address", "Alamat", True, example="Jl. Siliwangi No. 10", width=32),
    Column("legal_status", "Status Badan Hukum", True, example="Berbadan hukum", width=22,
           choices=("Berbadan hukum", "Tidak berbadan hukum"), note="Berbadan hukum atau Tidak berbadan hukum."),
    Column("registration_number", "Nomor Tanda Daftar", True, example="460/123/Dinsos/2024", width=24,
           text_format=True, note="Dipakai untuk mencocokkan lembaga yang sudah terdaftar."),
    Column("chair", "Ketua", example="Ahmad Fauzi", width=24),
    Column("phone", "No. HP", example="081234567890", width=16, text_format=True),
)


@dataclass(frozen=True)
class ExportColumn:
    """A column of an export: its header and how to read the value from one roster row."""

    header: str
    value: Callable[[object], object]
    type: str = TEXT
    width: int = 18


EDUCATION_CODES = {
    Education.TIDAK_SEKOLAH: "Tidak sekolah", Education.SD: "SD", Education.SLTP: "SLTP", Education.SLTA: "SLTA",
    Education.D1: "D1", Education.D2: "D2", Education.D3: "D3", Education.D4: "D4",
    Education.S1: "S1", Education.S2: "S2", Education.S3: "S3",
}


def _chair_name(org: Organisation) -> str:
    return next((m.name for m in org.board.all() if m.position.strip().casefold() == "ketua"), "")


# The export repeats the import headers first (so an exported file can be imported back unchanged), then adds the
# columns of the list page. Values come from ``selectors.roster`` rows (person) and ``organisation_roster`` pairs.
PERSON_EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("NIK", lambda r: r.person.nik, width=20),
    ExportColumn("Nama", lambda r: r.person.name, width=28),
    ExportColumn("Jenis Kelamin", lambda r: r.person.sex, width=14),
    ExportColumn("Tempat Lahir", lambda r: r.person.birth_place),
    ExportColumn("Tanggal Lahir", lambda r: r.person.birth_date, DATE, 14),
    ExportColumn("Pendidikan", lambda r: EDUCATION_CODES.get(r.person.education, ""), width=14),
    ExportColumn("Kode Desa", lambda r: r.person.desa_id, width=16),
    ExportColumn("Alamat", lambda r: r.person.address, width=32),
    ExportColumn("Jenis", lambda r: r.assignment.kind.short_name),
    ExportColumn("Status ASN", lambda r: AsnStatus(r.person.asn_status).label, width=12),
    ExportColumn("Golongan", lambda r: r.person.golongan, width=10),
    ExportColumn("No. HP", lambda r: r.person.phone, width=16),
    ExportColumn("Nomor SK", lambda r: r.assignment.sk_number, width=24),
    ExportColumn("Tanggal SK", lambda r: r.assignment.sk_date, DATE, 14),
    ExportColumn("Desa/Kelurahan", lambda r: r.person.desa.name),
    ExportColumn("Kecamatan", lambda r: r.person.desa.kecamatan.name if r.person.desa.kecamatan else ""),
    ExportColumn("Wilayah Penugasan", lambda r: r.assignment.wilayah.label, width=24),
    ExportColumn("Status Peran", lambda r: AssignmentStatus(r.assignment.status).label, width=12),
    ExportColumn("Kelayakan", lambda r: r.verdict.status_label, width=20),
    ExportColumn("Keterangan Kelayakan", lambda r: " ".join(r.verdict.reasons), width=48),
)

ORGANISATION_EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("Nama Lembaga", lambda r: r[0].name, width=32),
    ExportColumn("Jenis", lambda r: r[0].kind.short_name),
    ExportColumn("Kode Desa", lambda r: r[0].desa_id, width=16),
    ExportColumn("Alamat", lambda r: r[0].address, width=32),
    ExportColumn("Status Badan Hukum",
                 lambda r: LegalStatus(r[0].legal_status).label if r[0].legal_status else "", width=22),
    ExportColumn("Nomor Tanda Daftar", lambda r: r[0].registration_number, width=24),
    ExportColumn("Ketua", lambda r: _chair_name(r[0]), width=24),
    ExportColumn("No. HP", lambda r: r[0].phone, width=16),
    ExportColumn("Desa/Kelurahan", lambda r: r[0].desa.name),
    ExportColumn("Kecamatan", lambda r: r[0].desa.kecamatan.name if r[0].desa.kecamatan else ""),
    ExportColumn("Status", lambda r: "Aktif" if r[0].is_active else "Tidak aktif", width=12),
    ExportColumn("Kelayakan", lambda r: r[1].status_label, width=20),
    ExportColumn("Keterangan Kelayakan", lambda r: " ".join(r[1].reasons), width=48),
)


@dataclass(frozen=True)
class RosterSpec:
    """One importable/exportable roster: its columns, the kinds it takes, and the names used for files and pages."""

    key: str
    title: str
    columns: tuple[Column, ...]
    export_columns: tuple[ExportColumn, ...]
    subjects: tuple[str, ...]
    file_stem: str
    model: type
    url_prefix: str  # URL names: f"registry:{url_prefix}_import", …

    def url_name(self, action: str) -> str:
        return f"registry:{self.url_prefix}_{action}"


PERSONS = RosterSpec("person", "SDM Kesos & PSKS perorangan", PERSON_COLUMNS, PERSON_EXPORT_COLUMNS,
                     (Subject.PERSON,), "sdm-kesos-psks", Person, "person")
ORGANISATIONS = RosterSpec("organisation", "Lembaga dan keluarga PSKS", ORGANISATION_COLUMNS,
                           ORGANISATION_EXPORT_COLUMNS, (Subject.ORGANISATION, Subject.FAMILY), "lembaga-psks",
                           Organisation, "organisation")


# --- Reading files --------------------------------------------------------------------------------------------------


@dataclass
class Table:
    """The data rows of a file as (spreadsheet row number, {column key: raw cell value}), read once as consumed.

    A file-level problem met on the way (too many rows, none at all, a damaged sheet) raises ``ImportFileError``.
    """

    rows: Iterator[tuple[int, dict[str, object]]]
    ignored: list[str] = field(default_factory=list)  # headers that are not ours


def check_upload(*, name: str, size: int) -> None:
    """Refuse by name and size before anything is stored (the content is checked again when read)."""
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
    if size > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            f"Berkas terlalu besar ({size / 1_048_576:.1f} MB); batasnya {MAX_UPLOAD_BYTES // 1_048_576} MB. "
            "Bagi menjadi beberapa berkas."
        )


def read_table(path: Path, *, filename: str, columns: Sequence[Column]) -> Table:
    """Open an XLSX or CSV file by its content, find the header row and return the data rows; or ImportFileError."""
    check_upload(name=filename, size=path.stat().st_size)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP_MAGIC):
        raw = _xlsx_rows(path)
    elif head.startswith(_OLE_MAGIC):
        raise ImportFileError(
            "Berkas ini berformat Excel lama (.xls) atau dilindungi kata sandi. Simpan sebagai .xlsx tanpa kata "
            "sandi lalu unggah lagi."
        )
    elif Path(filename).suffix.lower() == ".xlsx" or head.startswith(_BINARY_MAGIC):
        raise ImportFileError("Berkas ini bukan spreadsheet XLSX atau CSV yang sah.")
    else:
        raw = _csv_rows(path.read_bytes())
    return _table(raw, columns)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, tuple]]:
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
            _check_archive(archive)
            sheet = _sheet_path(archive)
            shared = _shared_strings(archive)
            date_styles, epoch = _date_styles(archive)
            with archive.open(sheet) as stream:
                yield from _sheet_rows(stream, shared, date_styles, epoch)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError, ElementTree.ParseError, OverflowError):
        raise ImportFileError("Berkas XLSX rusak atau tidak dapat dibaca.") from None


def _check_archive(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    names = {info.filename.lower() for info in infos}
    if any(name.endswith("vbaproject.bin") for name in names):
        raise ImportFileError("Berkas berisi makro (VBA) dan tidak diterima. Simpan sebagai .xlsx biasa.")
    # Python's zipfile stops at the declared size of each member, so the declared total is a hard cap.
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            f"Isi berkas XLSX terlalu besar setelah dibuka (lebih dari {MAX_UNPACKED_BYTES // 1_048_576} MB). "
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


def _header_key(value: object) -> str:
    return " ".join(str(value or "").replace("\ufeff", "").split()).casefold()


def _table(raw: Iterable[tuple[int, tuple]], columns: Sequence[Column]) -> Table:
    by_header = {_header_key(c.header): c for c in columns}
    required = [c for c in columns if c.required]
    rows = iter(raw)
    candidates, best = 0, None
    for _line, values in rows:
        if not any(_present(v) for v in values):
            continue
        headers = [_header_key(v) for v in values]
        positions = {by_header[h].key: i for i, h in enumerate(headers) if h in by_header}
        missing = [c.header for c in required if c.key not in positions]
        if not missing:
            return _data_rows(rows, values, positions, by_header)
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


def _data_rows(rows: Iterator, header_row: tuple, positions: dict[str, int], by_header: dict) -> Table:
    seen: set[str] = set()
    ignored = []
    for value in header_row:
        header = _header_key(value)
        if header in by_header:
            if header in seen:
                raise ImportFileError(f"Kolom “{by_header[header].header}” muncul lebih dari sekali.")
            seen.add(header)
        elif header:
            ignored.append(_text(value))
    return Table(_records(rows, tuple(positions.items())), ignored)


def _records(rows: Iterator, items: tuple[tuple[str, int], ...]) -> Iterator[tuple[int, dict[str, object]]]:
    """The non-empty rows after the header as {column key: value}, streamed (the raw rows are never all held)."""
    count = 0
    for line, values in rows:
        if not any(_present(v) for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            limit = f"{MAX_ROWS:,}".replace(",", ".")
            raise ImportFileError(f"Berkas berisi lebih dari {limit} baris data; bagi menjadi beberapa berkas.")
        width = len(values)
        yield line, {key: values[i] if i < width else None for key, i in items}
    if not count:
        raise ImportFileError("Berkas hanya berisi judul kolom, tanpa baris data.")


# --- Reading cells --------------------------------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell as clean text: whitespace collapsed, integral numbers without ``.0``, our export's ``'`` guard undone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return " ".join(text.split())


def _limited(value: object, label: str, limit: int) -> str:
    text = _text(value)
    if len(text) > limit:
        raise CellError(f"{label} terlalu panjang ({len(text)} karakter, paling banyak {limit}).")
    return text


def _required(value: object, label: str, limit: int) -> str:
    text = _limited(value, label, limit)
    if not text:
        raise CellError(f"{label} wajib diisi.")
    return text


def parse_date(value: object, label: str) -> date | None:
    """A date cell, or text DD-MM-YYYY / YYYY-MM-DD (also with ``/``); empty is ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        raise CellError(f"{label} berupa angka ({_text(value)}), bukan tanggal. Format sel sebagai tanggal.")
    text = _text(value)
    candidate = text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", text) else text
    for pattern in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(candidate, pattern).date()
        except ValueError:
            continue
    raise CellError(f"{label} harus berupa tanggal DD-MM-YYYY atau YYYY-MM-DD, bukan “{text}”.")


def parse_required_date(value: object, label: str, today: date) -> date:
    parsed = parse_date(value, label)
    if parsed is None:
        raise CellError(f"{label} wajib diisi.")
    if parsed > today:
        raise CellError(f"{label} {parsed:%d-%m-%Y} ada di masa depan.")
    return parsed


def parse_nik(value: object) -> nik_rules.NIK:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: a NIK typed as a number may already have lost its last digit.
        raise CellError("NIK tersimpan sebagai angka sehingga digit terakhirnya bisa berubah. Format kolom NIK "
                        "sebagai Teks lalu ketik ulang NIK.")
    try:
        return nik_rules.parse(_text(value))
    except nik_rules.InvalidNIK as exc:
        raise CellError(str(exc)) from None


_SEX = {"l": nik_rules.MALE, "lk": nik_rules.MALE, "laki-laki": nik_rules.MALE, "laki laki": nik_rules.MALE,
        "pria": nik_rules.MALE, "p": nik_rules.FEMALE, "pr": nik_rules.FEMALE, "perempuan": nik_rules.FEMALE,
        "wanita": nik_rules.FEMALE}


def parse_sex(value: object) -> str:
    text = _text(value)
    if not text:
        raise CellError("Jenis Kelamin wajib diisi (L atau P).")
    try:
        return _SEX[text.casefold()]
    except KeyError:
        raise CellError(f"Jenis Kelamin harus L atau P, bukan “{text}”.") from None


_EDUCATION_WORDS = {
    "TIDAKSEKOLAH": Education.TIDAK_SEKOLAH, "TIDAK": Education.TIDAK_SEKOLAH,
    "BELUMSEKOLAH": Education.TIDAK_SEKOLAH, "TIDAKBELUMSEKOLAH": Education.TIDAK_SEKOLAH,
    "SD": Education.SD, "MI": Education.SD, "SLTP": Education.SLTP, "SMP": Education.SLTP, "MTS": Education.SLTP,
    "SLTA": Education.SLTA, "SMA": Education.SLTA, "SMK": Education.SLTA, "MA": Education.SLTA,
    "D1": Education.D1, "DI": Education.D1, "D2": Education.D2, "DII": Education.D2, "D3": Education.D3,
    "DIII": Education.D3, "D4": Education.D4, "DIV": Education.D4, "S1": Education.S1, "S2": Education.S2,
    "S3": Education.S3,
}


def parse_education(value: object) -> int | None:
    """``SLTA``, ``SMA``, ``SLTA/SMA/SMK/sederajat``, ``D-III``, ``S1`` … → ``Education``; empty is ``None``."""
    text = _text(value)
    if not text:
        return None
    levels = set()
    for part in re.split(r"[/,]", text):
        word = re.sub(r"[^A-Z0-9]", "", part.upper())
        if word in ("", "SEDERAJAT"):
            continue
        if word not in _EDUCATION_WORDS:
            levels = set()
            break
        levels.add(_EDUCATION_WORDS[word])
    if len(levels) != 1:
        raise CellError(f"Pendidikan “{text}” tidak dikenal (pakai SD, SLTP, SLTA, D1–D4, S1–S3).")
    return int(levels.pop())


_ASN = {"NONASN": AsnStatus.NON_ASN, "NON": AsnStatus.NON_ASN, "PNS": AsnStatus.PNS, "PPPK": AsnStatus.PPPK,
        "P3K": AsnStatus.PPPK}


def parse_asn(value: object) -> str:
    text = _text(value)
    if not text:
        raise CellError("Status ASN wajib diisi (Non-ASN, PNS atau PPPK).")
    try:
        return str(_ASN[re.sub(r"[^A-Z0-9]", "", text.upper())])
    except KeyError:
        raise CellError(f"Status ASN harus Non-ASN, PNS atau PPPK, bukan “{text}”.") from None


def parse_golongan(value: object) -> str:
    text = _text(value)
    if not text:
        return ""
    match = re.match(r"^(IV|III|II|I)\s*[/\-. ]?\s*([A-Ea-e])$", text.upper())
    golongan = f"{match.group(1)}/{match.group(2).lower()}" if match else ""
    if golongan not in GOLONGAN:
        raise CellError(f"Golongan “{text}” tidak dikenal (contoh: II/c, III/a).")
    return golongan


def parse_phone(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = _text(value)
        # A number cell drops the leading zero of a mobile number (0812… → 812…).
        return "0" + digits if digits.startswith("8") else digits
    return _limited(value, "No. HP", 20)


def parse_desa_code(value: object) -> str:
    text = _text(value)
    if not text:
        raise CellError("Kode Desa wajib diisi (contoh 32.74.01.1001).")
    code = wilayah_codes.normalise_digits(text)
    try:
        parsed = wilayah_codes.parse(code)
    except wilayah_codes.InvalidWilayahCode:
        raise CellError(f"Kode Desa “{text}” tidak sah (contoh 32.74.01.1001).") from None
    if parsed.level != wilayah_codes.DESA:
        raise CellError(f"Kode Desa “{text}” bukan kode desa/kelurahan (contoh 32.74.01.1001).")
    return code


_LEGAL = {"berbadanhukum": LegalStatus.BADAN_HUKUM, "badanhukum": LegalStatus.BADAN_HUKUM,
          "bh": LegalStatus.BADAN_HUKUM, "ya": LegalStatus.BADAN_HUKUM, "tidakberbadanhukum": LegalStatus.TIDAK,
          "belumberbadanhukum": LegalStatus.TIDAK, "tidak": LegalStatus.TIDAK, "belum": LegalStatus.TIDAK,
          "nonbh": LegalStatus.TIDAK}


def parse_legal_status(value: object) -> str:
    text = _text(value)
    if not text:
        return ""
    try:
        return str(_LEGAL[re.sub(r"[^a-z]", "", text.casefold())])
    except KeyError:
        raise CellError(f"Status Badan Hukum harus “Berbadan hukum” atau “Tidak berbadan hukum”, bukan “{text}”.") \
            from None


class _Row:
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


# --- Previews -------------------------------------------------------------------------------------------------------


@dataclass
class RowOutcome:
    """What happens to one row. ``ident`` is the masked NIK (persons) or registration number (organisations)."""

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
        text = f"{c[NEW]} baru, {c[UPDATED]} diperbarui, {c[UNCHANGED]} tidak berubah"
        if c[ERROR]:
            text += f", {c[ERROR]} baris {'dilewati' if self.applied else 'ditolak'}"
        return text + "."


def can_import(user: User) -> bool:
    """Importing writes: a read-only Pimpinan or a user without a wilayah may not."""
    scope = scoping.user_scope(user)
    return not scope.read_only and (scope.everything or scope.wilayah is not None)


def _param_chunk() -> int:
    limit = connection.features.max_query_params
    return limit - 50 if limit else 50_000


def _in_chunks(queryset, lookup: str, values: Iterable) -> list:
    """``queryset.filter(<lookup>__in=values)`` in as few queries as the database's parameter limit allows."""
    values, size, found = sorted(set(values)), _param_chunk(), []
    for start in range(0, len(values), size):
        found.extend(queryset.filter(**{f"{lookup}__in": values[start:start + size]}))
    return found


class _KindIndex:
    """Matches a ``Jenis`` cell against every kind's name, abbreviation, code and aliases, case-insensitively."""

    def __init__(self, subjects: Sequence[str]):
        self.subjects = tuple(subjects)
        self.by_name: dict[str, Kind] = {}
        for kind in Kind.objects.all():
            for name in kind.names_for_matching():
                self.by_name.setdefault(_header_key(name), kind)

    def match(self, row: _Row, value: object) -> Kind | None:
        text = _text(value)
        if not text:
            row.errors.append("Jenis wajib diisi (mis. PSM, Tagana, TKSK, LKS).")
            return None
        kind = self.by_name.get(_header_key(text))
        if kind is None:
            row.errors.append(f"Jenis “{text}” tidak dikenal. Pakai singkatan atau nama dari lembar Jenis templat.")
        elif kind.subject not in self.subjects:
            wanted = "perorangan" if Subject.PERSON in self.subjects else "lembaga atau keluarga"
            row.errors.append(f"Jenis “{text}” ({kind.get_subject_display().lower()}) tidak dapat diimpor sebagai "
                              f"{wanted}.")
            kind = None
        elif not kind.is_active:
            row.errors.append(f"Jenis “{text}” sudah tidak aktif.")
            kind = None
        return kind


class _DesaIndex:
    """The desa named in a file, with whether the user may change records there (one query per chunk)."""

    FIELDS = ("code", "name", "level", "kecamatan_id", "valid_until")

    def __init__(self, user: User, codes: Iterable[str]):
        found = _in_chunks(Wilayah.objects.filter(level=Wilayah.DESA).only(*self.FIELDS), "code", codes)
        self.by_code = {w.code: w for w in found}
        self.writable = {w.code for w in found if scoping.can_change(user, w)}

    def resolve(self, row: _Row, code: str | None) -> Wilayah | None:
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


def _changed(obj, values: dict[str, object]) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


def _labels(model, names: Iterable[str]) -> list[str]:
    return [str(model._meta.get_field(name.removesuffix("_id")).verbose_name) for name in names]


# --- Persons --------------------------------------------------------------------------------------------------------


@dataclass
class _PersonCells:
    line: int
    row: _Row
    nik: nik_rules.NIK | None
    values: dict[str, object]  # Person fields; optional ones only when the cell is filled
    desa_code: str | None
    kind_text: object
    sk: dict[str, object]  # Assignment SK fields, only when filled


@dataclass
class _PersonWrites:
    new_persons: dict[str, Person] = field(default_factory=dict)
    changed_persons: dict[int, Person] = field(default_factory=dict)
    person_fields: set[str] = field(default_factory=set)
    new_assignments: list[tuple[str, Assignment]] = field(default_factory=list)
    changed_assignments: dict[int, Assignment] = field(default_factory=dict)
    assignment_fields: set[str] = field(default_factory=set)


def _read_person(line: int, cells: dict[str, object], today: date) -> _PersonCells:
    row = _Row(line)
    nik = row.take(parse_nik, cells.get("nik"))
    values = {
        "name": row.take(_required, cells.get("name"), "Nama", 150),
        "sex": row.take(parse_sex, cells.get("sex")),
        "birth_place": row.take(_required, cells.get("birth_place"), "Tempat Lahir", 100),
        "birth_date": row.take(parse_required_date, cells.get("birth_date"), "Tanggal Lahir", today),
        "asn_status": row.take(parse_asn, cells.get("asn_status")),
    }
    optional = {
        "education": row.take(parse_education, cells.get("education")),
        "address": row.take(_limited, cells.get("address"), "Alamat", 250),
        "phone": row.take(parse_phone, cells.get("phone")),
        "golongan": row.take(parse_golongan, cells.get("golongan")),
    }
    values.update((k, v) for k, v in optional.items() if v not in (None, ""))
    desa_code = row.take(parse_desa_code, cells.get("desa"))
    sk = {"sk_number": row.take(_limited, cells.get("sk_number"), "Nomor SK", 100),
          "sk_date": row.take(parse_date, cells.get("sk_date"), "Tanggal SK")}
    sk = {k: v for k, v in sk.items() if v not in (None, "")}
    if nik is not None and values["sex"] and values["birth_date"]:
        row.errors.extend(nik_rules.consistency_problems(nik, sex=values["sex"], birth_date=values["birth_date"]))
    return _PersonCells(line, row, nik, values, desa_code, cells.get("kind"), sk)


class _PersonPlanner:
    """Decides the outcome of every person row against the database in a fixed number of queries."""

    def __init__(self, *, user: User, table: Table):
        self.user = user
        today = timezone.localdate()
        self.cells = [_read_person(line, record, today) for line, record in table.rows]
        niks = {c.nik.value for c in self.cells if c.nik}
        self.kinds = _KindIndex(PERSONS.subjects)
        self.desa = _DesaIndex(user, {c.desa_code for c in self.cells if c.desa_code})
        self.existing = {p.nik: p for p in _in_chunks(Person.objects.select_related("desa"), "nik", niks)}
        self.assignments: dict[tuple[int, int], Assignment] = {}
        for a in _in_chunks(Assignment.objects.order_by("pk"), "person_id", [p.pk for p in self.existing.values()]):
            key = (a.person_id, a.kind_id)
            # Several roles of one kind: update the active one (else the latest).
            current = self.assignments.get(key)
            if current is None or a.status == AssignmentStatus.ACTIVE or current.status != AssignmentStatus.ACTIVE:
                self.assignments[key] = a
        prefixes = {c.nik.kecamatan_code for c in self.cells if c.nik}
        kecamatan = Wilayah.objects.filter(level=Wilayah.KECAMATAN).only("code")
        self.known_kecamatan = {w.code for w in _in_chunks(kecamatan, "code", prefixes)}
        seats = Assignment.objects.filter(holds_tksk_seat=True).only("wilayah_id", "person_id")
        self.tksk_seats = {a.wilayah_id: a.person_id for a in _in_chunks(
            seats, "wilayah_id", {w.kecamatan_id for w in self.desa.by_code.values()})}

    def plan(self) -> tuple[list[RowOutcome], _PersonWrites]:
        writes = _PersonWrites()
        first_seen: dict[str, tuple[int, dict]] = {}  # nik → (line, values) of its first row
        roles_seen: dict[tuple[str, int], int] = {}  # (nik, kind) → line
        seats_taken: dict[str, str] = {}  # kecamatan → nik of a TKSK row in this file
        outcomes = []
        for cells in self.cells:
            outcome = self._plan_row(cells, writes, first_seen, roles_seen, seats_taken)
            outcomes.append(outcome)
        return outcomes, writes

    def _plan_row(self, cells: _PersonCells, writes: _PersonWrites, first_seen, roles_seen, seats_taken) -> RowOutcome:
        row, values, nik = cells.row, cells.values, cells.nik
        kind = self.kinds.match(row, cells.kind_text)
        desa = self.desa.resolve(row, cells.desa_code)
        outcome = RowOutcome(cells.line, ERROR, ident=nik.masked() if nik else "", name=values.get("name") or "",
                             kind=kind.short_name if kind else _text(cells.kind_text),
                             desa=f"{desa.code} {desa.name}" if desa else (cells.desa_code or ""))
        existing = self.existing.get(nik.value) if nik else None
        if nik is not None:
            if nik.kecamatan_code not in self.known_kecamatan:
                row.warnings.append(f"Kode wilayah pada NIK ({nik.kecamatan_code}) bukan kode kecamatan yang dikenal.")
            if existing is not None and not scoping.can_change(self.user, existing.desa):
                row.errors.append("NIK ini sudah terdaftar di luar wilayah Anda; perubahan harus dilakukan oleh "
                                  "operator wilayah tersebut.")
        if desa is not None:
            values["desa_id"] = desa.code
        asn, golongan = values.get("asn_status"), values.get("golongan") or (existing.golongan if existing else "")
        if asn == AsnStatus.PNS and not golongan:
            row.errors.append("Status ASN PNS wajib disertai Golongan (mis. III/a).")
        if nik is not None and not row.errors:
            earlier = first_seen.setdefault(nik.value, (cells.line, values))
            if earlier[1] != values:
                row.errors.append(f"NIK sama dengan baris {earlier[0]} tetapi data orangnya berbeda.")
            elif kind is not None and roles_seen.setdefault((nik.value, kind.pk), cells.line) != cells.line:
                row.errors.append(f"Duplikat baris {roles_seen[(nik.value, kind.pk)]} (NIK dan Jenis sama).")
        if kind is not None and kind.code == TKSK_CODE and not row.errors and (
                existing is None or (existing.pk, kind.pk) not in self.assignments):
            self._check_tksk_seat(row, desa.kecamatan_id, nik.value, existing, seats_taken)
        outcome.errors, outcome.warnings = row.errors, row.warnings
        if row.errors:
            return outcome
        person_status = self._plan_person(nik.value, values, existing, writes, outcome)
        role_status = self._plan_assignment(nik.value, existing, kind, desa, cells.sk, writes, outcome)
        outcome.status = NEW if NEW in (person_status, role_status) else (
            UPDATED if UPDATED in (person_status, role_status) else UNCHANGED)
        return outcome

    def _check_tksk_seat(self, row: _Row, kecamatan: str, nik: str, existing: Person | None, seats_taken) -> None:
        holder = self.tksk_seats.get(kecamatan)
        if holder is not None and (existing is None or existing.pk != holder):
            row.errors.append(f"Kecamatan {kecamatan} sudah memiliki TKSK aktif lain (satu kecamatan satu TKSK).")
        elif seats_taken.setdefault(kecamatan, nik) != nik:
            row.errors.append(f"Kecamatan {kecamatan} sudah mendapat TKSK lain di berkas ini.")

    def _plan_person(self, nik: str, values: dict, existing: Person | None, writes: _PersonWrites,
                     outcome: RowOutcome) -> str:
        if existing is None:
            if nik in writes.new_persons:
                return UNCHANGED  # a second role of a person this file creates
            writes.new_persons[nik] = Person(nik=nik, **values)
            return NEW
        changed = _changed(existing, values)
        if not changed or existing.pk in writes.changed_persons:
            return UNCHANGED
        for name in changed:
            setattr(existing, name, values[name])
        writes.changed_persons[existing.pk] = existing
        writes.person_fields.update(changed)
        outcome.changes.extend(_labels(Person, changed))
        return UPDATED

    def _plan_assignment(self, nik: str, person: Person | None, kind: Kind, desa: Wilayah, sk: dict,
                         writes: _PersonWrites, outcome: RowOutcome) -> str:
        current = self.assignments.get((person.pk, kind.pk)) if person else None
        if current is None:
            # ``save()`` is bypassed by bulk_create, so the "one active TKSK per kecamatan" mirror is set here.
            writes.new_assignments.append((nik, Assignment(
                person=person, kind=kind, wilayah_id=desa.kecamatan_id,
                holds_tksk_seat=True if kind.code == TKSK_CODE else None, **sk)))
            if person is not None:
                outcome.changes.append(f"peran {kind.short_name} baru")
            return NEW
        changed = _changed(current, sk)
        if not changed:
            return UNCHANGED
        for name in changed:
            setattr(current, name, sk[name])
        writes.changed_assignments[current.pk] = current
        writes.assignment_fields.update(changed)
        outcome.changes.extend(_labels(Assignment, changed))
        return UPDATED


def _write_persons(writes: _PersonWrites, *, user: User, reason: str) -> None:
    now = timezone.now()
    created = _create_with_history(Person, list(writes.new_persons.values()), user=user, reason=reason)
    by_nik = {p.nik: p for p in created}
    for person in writes.changed_persons.values():
        person.updated_at = now
    _update_with_history(Person, list(writes.changed_persons.values()), {*writes.person_fields, "updated_at"},
                         user=user, reason=reason)
    for nik, assignment in writes.new_assignments:
        if assignment.person_id is None:  # a role of a person created just now
            assignment.person = by_nik[nik]
    _create_with_history(Assignment, [a for _, a in writes.new_assignments], user=user, reason=reason)
    _update_with_history(Assignment, list(writes.changed_assignments.values()), writes.assignment_fields,
                         user=user, reason=reason)


def _create_with_history(model: type, objs: list, *, user: User, reason: str) -> list:
    if not objs:
        return []
    created = model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
    model.history.bulk_history_create(created, batch_size=BATCH_SIZE, default_user=user,
                                      default_change_reason=reason)
    return created


def _update_with_history(model: type, objs: list, fields: set[str], *, user: User, reason: str) -> None:
    if not objs or not fields:
        return
    model.objects.bulk_update(objs, sorted(fields), batch_size=BATCH_SIZE)
    model.history.bulk_history_create(objs, batch_size=BATCH_SIZE, update=True, default_user=user,
                                      default_change_reason=reason)


def _require_importer(user: User) -> None:
    if not can_import(user):
        raise PermissionDenied


def person_import_preview(*, path: Path, filename: str, user: User) -> ImportPreview:
    """What importing this person roster would do, row by row; writes nothing."""
    _require_importer(user)
    table = read_table(path, filename=filename, columns=PERSON_COLUMNS)
    outcomes, _ = _PersonPlanner(user=user, table=table).plan()
    return ImportPreview(PERSONS.key, outcomes, _notices(table))


@transaction.atomic
def person_import(*, path: Path, filename: str, user: User, only_valid: bool = False) -> ImportPreview:
    """Re-validate the person roster against the database now and write it in bulk; all or nothing.

    Raises ``ImportRefused`` (nothing written) when rows are refused and ``only_valid`` is false.
    """
    _require_importer(user)
    table = read_table(path, filename=filename, columns=PERSON_COLUMNS)
    outcomes, writes = _PersonPlanner(user=user, table=table).plan()
    preview = ImportPreview(PERSONS.key, outcomes, _notices(table))
    if preview.has_errors and not only_valid:
        raise ImportRefused(preview)
    _write_persons(writes, user=user, reason=f"Impor berkas daftar {PERSONS.title}")
    preview.applied = True
    _log_import(user, PERSONS, preview, filename)
    return preview


# --- Organisations --------------------------------------------------------------------------------------------------


@dataclass
class _OrgCells:
    line: int
    row: _Row
    values: dict[str, object]
    desa_code: str | None
    kind_text: object
    chair: str


@dataclass
class _OrgWrites:
    new_orgs: list[tuple[Organisation, str]] = field(default_factory=list)  # (organisation, chair)
    changed_orgs: dict[int, Organisation] = field(default_factory=dict)
    org_fields: set[str] = field(default_factory=set)
    new_members: list[BoardMember] = field(default_factory=list)
    changed_members: dict[int, BoardMember] = field(default_factory=dict)


def _read_organisation(line: int, cells: dict[str, object]) -> _OrgCells:
    row = _Row(line)
    values = {"name": row.take(_required, cells.get("name"), "Nama Lembaga", 200)}
    optional = {
        "address": row.take(_limited, cells.get("address"), "Alamat", 250),
        "legal_status": row.take(parse_legal_status, cells.get("legal_status")),
        "registration_number": row.take(_limited, cells.get("registration_number"), "Nomor Tanda Daftar", 100),
        "phone": row.take(parse_phone, cells.get("phone")),
    }
    values.update((k, v) for k, v in optional.items() if v)
    desa_code = row.take(parse_desa_code, cells.get("desa"))
    chair = row.take(_limited, cells.get("chair"), "Ketua", 150) or ""
    return _OrgCells(line, row, values, desa_code, cells.get("kind"), chair)


class _OrganisationPlanner:
    """Decides the outcome of every organisation row in a fixed number of queries."""

    def __init__(self, *, user: User, table: Table):
        self.user = user
        self.cells = [_read_organisation(line, record) for line, record in table.rows]
        self.kinds = _KindIndex(ORGANISATIONS.subjects)
        self.desa = _DesaIndex(user, {c.desa_code for c in self.cells if c.desa_code})
        base = Organisation.objects.select_related("desa")
        numbers = {c.values["registration_number"] for c in self.cells if c.values.get("registration_number")}
        self.by_number = {o.registration_number: o for o in _in_chunks(base, "registration_number", numbers)}
        self.by_name: dict[tuple[str, str], list[Organisation]] = defaultdict(list)
        for org in _in_chunks(base.order_by("pk"), "desa_id", self.desa.by_code):
            self.by_name[(_header_key(org.name), org.desa_id)].append(org)
        known = {o.pk: o for o in [*self.by_number.values(), *(o for v in self.by_name.values() for o in v)]}
        self.chairs: dict[int, BoardMember] = {}
        for member in _in_chunks(BoardMember.objects.order_by("pk"), "organisation_id", known):
            if member.position.strip().casefold() == "ketua":
                self.chairs.setdefault(member.organisation_id, member)

    def plan(self) -> tuple[list[RowOutcome], _OrgWrites]:
        writes, seen, outcomes = _OrgWrites(), {}, []
        for cells in self.cells:
            outcomes.append(self._plan_row(cells, writes, seen))
        return outcomes, writes

    def _match(self, row: _Row, values: dict, desa: Wilayah) -> Organisation | None:
        number = values.get("registration_number")
        if number and number in self.by_number:
            return self.by_number[number]
        candidates = self.by_name.get((_header_key(values["name"]), desa.code), [])
        if number:
            candidates = [o for o in candidates if not o.registration_number]
        if len(candidates) > 1:
            row.errors.append("Ada lebih dari satu lembaga dengan nama ini di desa tersebut; isi Nomor Tanda Daftar "
                              "untuk menentukan yang dimaksud.")
        return candidates[0] if candidates else None

    def _plan_row(self, cells: _OrgCells, writes: _OrgWrites, seen: dict) -> RowOutcome:
        row, values = cells.row, cells.values
        kind = self.kinds.match(row, cells.kind_text)
        desa = self.desa.resolve(row, cells.desa_code)
        outcome = RowOutcome(cells.line, ERROR, ident=values.get("registration_number", ""),
                             name=values.get("name") or "", kind=kind.short_name if kind else _text(cells.kind_text),
                             desa=f"{desa.code} {desa.name}" if desa else (cells.desa_code or ""))
        existing = None
        if desa is not None and values["name"]:
            existing = self._match(row, values, desa)
            if existing is not None and not scoping.can_change(self.user, existing.desa):
                row.errors.append("Nomor Tanda Daftar ini sudah dipakai lembaga di luar wilayah Anda.")
            keys = [("nomor", values.get("registration_number")), ("nama", _header_key(values["name"]), desa.code),
                    ("lembaga", existing.pk if existing else None)]
            for key in keys:
                if key[1] and seen.setdefault(key, cells.line) != cells.line:
                    row.errors.append(f"Lembaga yang sama sudah ada di baris {seen[key]}.")
                    break
        outcome.errors, outcome.warnings = row.errors, row.warnings
        if row.errors:
            return outcome
        values.update(kind_id=kind.pk, desa_id=desa.code)
        if existing is None:
            writes.new_orgs.append((Organisation(**values), cells.chair))
            outcome.status = NEW
            return outcome
        changed = _changed(existing, values)
        for name in changed:
            setattr(existing, name, values[name])
        if changed:
            writes.changed_orgs[existing.pk] = existing
            writes.org_fields.update(changed)
            outcome.changes.extend(_labels(Organisation, changed))
        chair_changed = self._plan_chair(existing, cells.chair, writes)
        if chair_changed:
            outcome.changes.append("ketua")
        outcome.status = UPDATED if changed or chair_changed else UNCHANGED
        return outcome

    def _plan_chair(self, org: Organisation, chair: str, writes: _OrgWrites) -> bool:
        if not chair:
            return False
        member = self.chairs.get(org.pk)
        if member is None:
            writes.new_members.append(BoardMember(organisation=org, name=chair, position="Ketua"))
            return True
        if member.name == chair:
            return False
        member.name = chair
        writes.changed_members[member.pk] = member
        return True


def _write_organisations(writes: _OrgWrites, *, user: User, reason: str) -> None:
    now = timezone.now()
    created = _create_with_history(Organisation, [org for org, _ in writes.new_orgs], user=user, reason=reason)
    members = [BoardMember(organisation=org, name=chair, position="Ketua")
               for org, (_, chair) in zip(created, writes.new_orgs, strict=True) if chair]
    for org in writes.changed_orgs.values():
        org.updated_at = now
    _update_with_history(Organisation, list(writes.changed_orgs.values()), {*writes.org_fields, "updated_at"},
                         user=user, reason=reason)
    _create_with_history(BoardMember, [*members, *writes.new_members], user=user, reason=reason)
    _update_with_history(BoardMember, list(writes.changed_members.values()), {"name"}, user=user, reason=reason)


def organisation_import_preview(*, path: Path, filename: str, user: User) -> ImportPreview:
    """What importing this organisation roster would do, row by row; writes nothing."""
    _require_importer(user)
    table = read_table(path, filename=filename, columns=ORGANISATION_COLUMNS)
    outcomes, _ = _OrganisationPlanner(user=user, table=table).plan()
    return ImportPreview(ORGANISATIONS.key, outcomes, _notices(table))


@transaction.atomic
def organisation_import(*, path: Path, filename: str, user: User, only_valid: bool = False) -> ImportPreview:
    """Re-validate the organisation roster against the database now and write it in bulk; all or nothing."""
    _require_importer(user)
    table = read_table(path, filename=filename, columns=ORGANISATION_COLUMNS)
    outcomes, writes = _OrganisationPlanner(user=user, table=table).plan()
    preview = ImportPreview(ORGANISATIONS.key, outcomes, _notices(table))
    if preview.has_errors and not only_valid:
        raise ImportRefused(preview)
    _write_organisations(writes, user=user, reason=f"Impor berkas daftar {ORGANISATIONS.title}")
    preview.applied = True
    _log_import(user, ORGANISATIONS, preview, filename)
    return preview


PREVIEWS: dict[str, Callable[..., ImportPreview]] = {
    PERSONS.key: person_import_preview, ORGANISATIONS.key: organisation_import_preview}
IMPORTS: dict[str, Callable[..., ImportPreview]] = {PERSONS.key: person_import, ORGANISATIONS.key: organisation_import}


def _notices(table: Table) -> list[str]:
    if not table.ignored:
        return []
    return [f"Kolom yang tidak dikenal diabaikan: {', '.join(table.ignored)}."]


def _log_import(user: User, spec: RosterSpec, preview: ImportPreview, filename: str) -> None:
    LogEntry.objects.create(
        user_id=user.pk, content_type_id=ContentType.objects.get_for_model(spec.model).pk, object_id="",
        object_repr=mask_digits(f"Impor {spec.title}: {Path(filename).name}")[:200], action_flag=CHANGE,
        change_message=f"Impor berkas: {preview.summary()}",
    )


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


def import_preview(spec: RosterSpec, *, upload: UploadedFile, user: User) -> tuple[PendingImport, ImportPreview]:
    """Store an upload and preview it; a file that cannot be read is deleted again and ImportFileError raised."""
    _require_importer(user)
    check_upload(name=upload.name, size=upload.size)
    pending = upload_store(upload)
    try:
        return pending, PREVIEWS[spec.key](path=pending.path, filename=pending.filename, user=user)
    except BaseException:
        upload_discard(pending)
        raise


def import_confirm(spec: RosterSpec, *, pending: PendingImport, user: User, only_valid: bool) -> ImportPreview:
    """Import a stored upload (re-validated from scratch); the file is deleted once the import is written."""
    if not pending.path.is_file():
        raise ImportFileError("Berkas unggahan sudah tidak tersedia (disimpan paling lama satu hari). Unggah lagi.")
    result = IMPORTS[spec.key](path=pending.path, filename=pending.filename, user=user, only_valid=only_valid)
    upload_discard(pending)
    return result


# --- Writing files --------------------------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Make a text cell inert in a spreadsheet: a leading ``= + - @`` tab or CR gets a ``'`` in front (OWASP)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def write_xlsx(rows: Iterable, columns: Sequence[ExportColumn], *, sheet_title: str = "Data") -> bytes:
    """One sheet, bold header, frozen first row; text as text cells (NIK and phone stay digits), dates as dates."""
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
    for row in rows:
        values = []
        for column in columns:
            value = column.value(row)
            if column.type == DATE and value:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD-MM-YYYY"
                values.append(cell)
            else:
                values.append(_cell_text(value) or None)
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(rows: Iterable, columns: Sequence[ExportColumn]) -> bytes:
    """UTF-8 with BOM (so Excel shows names correctly), comma-separated, dates DD-MM-YYYY."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        out = []
        for column in columns:
            value = column.value(row)
            out.append(value.strftime("%d-%m-%Y") if column.type == DATE and value else _cell_text(value))
        writer.writerow(out)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    rows: int


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _audit_value(key: str, value: str) -> str:
    # The search text may be (part of) a NIK: record only that digits were searched for.
    return "(angka disamarkan)" if key == "q" and re.search(r"\d{4}", value) else value


def _export(spec: RosterSpec, rows: list, *, user: User, fmt: str, filters: dict[str, str]) -> ExportFile:
    if fmt == "csv":
        content, content_type = write_csv(rows, spec.export_columns), CSV_TYPE
    else:
        fmt, content, content_type = "xlsx", write_xlsx(rows, spec.export_columns), XLSX_TYPE
    stamp = timezone.localdate().isoformat()
    export = ExportFile(content, content_type, f"daftar-{spec.file_stem}-{stamp}.{fmt}", len(rows))
    shown = ", ".join(f"{k}={_audit_value(k, v)}" for k, v in sorted(filters.items()) if v) or "tanpa saringan"
    LogEntry.objects.create(
        user_id=user.pk, content_type_id=ContentType.objects.get_for_model(spec.model).pk, object_id="",
        object_repr=f"Ekspor {fmt.upper()} {spec.title}", action_flag=EXPORT_ACTION_FLAG,
        change_message=mask_digits(f"Ekspor {fmt.upper()}: {len(rows)} baris; saringan: {shown}"),
    )
    return export


def person_export(*, user: User, fmt: str, filters: dict[str, str], wilayah: Wilayah | None = None,
                  kind: Kind | None = None, status: str = "", q: str = "", eligibility_status: str = "",
                  on: date | None = None) -> ExportFile:
    """The filtered person roster (exactly ``selectors.roster``) as XLSX or CSV, recorded in the audit trail."""
    rows = selectors.roster(user, wilayah=wilayah, kind=kind, status=status, q=q,
                            eligibility_status=eligibility_status, on=on)
    return _export(PERSONS, rows, user=user, fmt=fmt, filters=filters)


def organisation_export(*, user: User, fmt: str, filters: dict[str, str], wilayah: Wilayah | None = None,
                        kind: Kind | None = None, active: bool | None = None, q: str = "",
                        eligibility_status: str = "", on: date | None = None) -> ExportFile:
    """The filtered organisation roster (exactly ``selectors.organisation_roster``), recorded in the audit trail."""
    rows = selectors.organisation_roster(user, wilayah=wilayah, kind=kind, active=active, q=q,
                                         eligibility_status=eligibility_status, on=on)
    return _export(ORGANISATIONS, rows, user=user, fmt=fmt, filters=filters)



# --- Templates ------------------------------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def template_xlsx(spec: RosterSpec, *, user: User) -> bytes:
    """The empty roster template: a Data sheet with the headers, text/date formats and drop-downs, a Petunjuk sheet,
    the kinds this roster takes and the desa codes inside the user's wilayah."""
    workbook = Workbook()
    data = workbook.active
    data.title = "Data"
    data.freeze_panes = "A2"
    kinds = list(Kind.objects.active().filter(subject__in=spec.subjects).order_by("sort_order", "name"))
    for index, column in enumerate(spec.columns, start=1):
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
        choices = column.choices
        formula = f'"{",".join(choices)}"' if choices else None
        if column.key == "kind":
            formula = f"Jenis!$A$2:$A${len(kinds) + 1}"
        if formula:
            # A drop-down that still accepts other spellings (aliases, lower case): no error on other values.
            validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            data.add_data_validation(validation)
    _template_help(workbook.create_sheet("Petunjuk"), spec)
    _template_kinds(workbook.create_sheet("Jenis"), kinds)
    _template_desa(workbook.create_sheet("Kode Desa"), user)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _template_help(sheet, spec: RosterSpec) -> None:
    sheet.append([f"Templat impor {spec.title}"])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in (
        "Isi lembar Data mulai baris 2; baris 1 adalah judul kolom (jangan diubah, boleh ditambah kolom lain).",
        "Kolom berwarna jingga wajib ada. Sel yang dikosongkan tidak menghapus data yang sudah tersimpan.",
        "Impor selalu dimulai dengan pratinjau: tidak ada data yang berubah sebelum Anda mengonfirmasi.",
        "Hanya data di dalam wilayah kerja Anda yang dapat diimpor.",
        *(["Satu baris untuk satu peran; orang dengan dua peran ditulis dua baris dengan data orang yang sama.",
           "NIK dicocokkan dengan data yang ada: NIK yang sudah terdaftar diperbarui, bukan ditambah."]
          if spec is PERSONS else
          ["Lembaga dicocokkan menurut Nomor Tanda Daftar, atau bila kosong menurut nama dan kode desa."]),
    ):
        sheet.append([line])
    sheet.append([])
    sheet.append(["Kolom", "Wajib", "Contoh", "Keterangan"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in spec.columns:
        sheet.append([column.header, "ya" if column.required else "tidak", column.example, column.note])
    for letter, width in zip("ABCD", (22, 8, 28, 80), strict=True):
        sheet.column_dimensions[letter].width = width


def _template_kinds(sheet, kinds: list[Kind]) -> None:
    sheet.append(["Singkatan/nama", "Nama lengkap", "Nama lain yang juga diterima", "Subjek"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for kind in kinds:
        sheet.append([kind.short_name, kind.name, kind.aliases, kind.get_subject_display()])
    for letter, width in zip("ABCD", (28, 60, 40, 18), strict=True):
        sheet.column_dimensions[letter].width = width


def _template_desa(sheet, user: User) -> None:
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
