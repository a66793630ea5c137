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

The domain-free pieces (reading XLSX/CSV, the cell parsers, previews, stored uploads, writing files, templates) live in
``psks_portal.tabular`` and are re-exported here; this module adds the roster columns, matching and writes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from psks_portal import nik as nik_rules
from psks_portal import scope as scoping
from psks_portal import tabular
from psks_portal.logging import mask_digits
from psks_portal.models import User, Wilayah
from psks_portal.tabular import (  # noqa: F401 (re-exported: the registry's views, tests and bench use them here)
    BATCH_SIZE,
    CSV_TYPE,
    DATE,
    ERROR,
    FORMULA_STARTS,
    HEADER_SEARCH_ROWS,
    MAX_UNPACKED_BYTES,
    NEW,
    STATUS_LABELS,
    TEMPLATE_DESA_LIMIT,
    TEXT,
    UNCHANGED,
    UPDATED,
    UPLOAD_TTL_SECONDS,
    XLSX_TYPE,
    CellError,
    Column,
    ExportColumn,
    ExportFile,
    ImportFileError,
    ImportPreview,
    ImportRefused,
    PendingImport,
    RowOutcome,
    Table,
    neutralise,
    parse_date,
    parse_desa_code,
    parse_nik,
    parse_phone,
    parse_required_date,
    parse_sex,
    upload_dir,
    upload_discard,
    upload_store,
    uploads_sweep,
    write_csv,
    write_xlsx,
)
from psks_portal.tabular import DesaIndex as _DesaIndex
from psks_portal.tabular import RowProblems as _Row
from psks_portal.tabular import header_key as _header_key
from psks_portal.tabular import in_chunks as _in_chunks
from psks_portal.tabular import limited as _limited
from psks_portal.tabular import required as _required
from psks_portal.tabular import text as _text
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

# Read at call time, so a deployment (or a test) can lower them for the registry alone.
MAX_UPLOAD_BYTES = tabular.MAX_UPLOAD_BYTES
MAX_ROWS = tabular.MAX_ROWS
EXPORT_ACTION_FLAG = 4  # LogEntry flag for "exported" (Django uses 1–3 for added/changed/deleted)


# --- Columns ------------------------------------------------------------------------------------------------------


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


def check_upload(*, name: str, size: int) -> None:
    """Refuse by name and size before anything is stored (the content is checked again when read)."""
    tabular.check_upload(name=name, size=size, max_bytes=MAX_UPLOAD_BYTES)


def read_table(path: Path, *, filename: str, columns: Sequence[Column]) -> Table:
    """Open an XLSX or CSV file by its content, find the header row and return the data rows; or ImportFileError."""
    return tabular.read_table(path, filename=filename, columns=columns, max_rows=MAX_ROWS, max_bytes=MAX_UPLOAD_BYTES)


# --- Reading cells --------------------------------------------------------------------------------------------------


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


# --- Previews -------------------------------------------------------------------------------------------------------


def can_import(user: User) -> bool:
    """Importing writes: a read-only Pimpinan or a user without a wilayah may not."""
    scope = scoping.user_scope(user)
    return not scope.read_only and (scope.everything or scope.wilayah is not None)


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
            assignment = Assignment(person=person, kind=kind, wilayah_id=desa.kecamatan_id, **sk)
            assignment.holds_tksk_seat = Assignment.seat_flag(kind.code, assignment.status)
            writes.new_assignments.append((nik, assignment))
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
    return table.notices()


def _log_import(user: User, spec: RosterSpec, preview: ImportPreview, filename: str) -> None:
    LogEntry.objects.create(
        user_id=user.pk, content_type_id=ContentType.objects.get_for_model(spec.model).pk, object_id="",
        object_repr=mask_digits(f"Impor {spec.title}: {Path(filename).name}")[:200], action_flag=CHANGE,
        change_message=f"Impor berkas: {preview.summary()}",
    )


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


def _audit_value(key: str, value: str) -> str:
    # The search text may be (part of) a NIK: record only that digits were searched for.
    return "(angka disamarkan)" if key == "q" and re.search(r"\d{4}", value) else value


def _export(spec: RosterSpec, rows: Iterable, *, user: User, fmt: str, filters: dict[str, str]) -> ExportFile:
    export = tabular.export_file(rows, spec.export_columns, fmt=fmt, stem=spec.file_stem, on=timezone.localdate())
    fmt = export.filename.rsplit(".", 1)[-1]
    shown = ", ".join(f"{k}={_audit_value(k, v)}" for k, v in sorted(filters.items()) if v) or "tanpa saringan"
    LogEntry.objects.create(
        user_id=user.pk, content_type_id=ContentType.objects.get_for_model(spec.model).pk, object_id="",
        object_repr=f"Ekspor {fmt.upper()} {spec.title}", action_flag=EXPORT_ACTION_FLAG,
        change_message=mask_digits(f"Ekspor {fmt.upper()}: {export.rows} baris; saringan: {shown}"),
    )
    return export


def person_export(*, user: User, fmt: str, filters: dict[str, str], wilayah: Wilayah | None = None,
                  kind: Kind | None = None, status: str = "", q: str = "", eligibility_status: str = "",
                  on: date | None = None) -> ExportFile:
    """The filtered person roster (exactly ``selectors.roster``) as XLSX or CSV, recorded in the audit trail.

    The rows stream a chunk at a time (``selectors.iter_roster``) into the file: memory does not grow with rows."""
    rows = selectors.iter_roster(user, wilayah=wilayah, kind=kind, status=status, q=q,
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


def template_xlsx(spec: RosterSpec, *, user: User) -> bytes:
    """The empty roster template: a Data sheet with the headers, text/date formats and drop-downs, a Petunjuk sheet,
    the kinds this roster takes and the desa codes inside the user's wilayah."""
    workbook = Workbook()
    kinds = list(Kind.objects.active().filter(subject__in=spec.subjects).order_by("sort_order", "name"))
    tabular.template_data_sheet(workbook, spec.columns, lists={"kind": f"Jenis!$A$2:$A${len(kinds) + 1}"})
    tabular.template_help_sheet(workbook.create_sheet("Petunjuk"), title=f"Templat impor {spec.title}",
                                lines=_template_lines(spec), columns=spec.columns)
    tabular.template_list_sheet(
        workbook.create_sheet("Jenis"), ["Singkatan/nama", "Nama lengkap", "Nama lain yang juga diterima", "Subjek"],
        ([k.short_name, k.name, k.aliases, k.get_subject_display()] for k in kinds), (28, 60, 40, 18))
    tabular.template_desa_sheet(workbook.create_sheet("Kode Desa"), user)
    return tabular.workbook_bytes(workbook)


def _template_lines(spec: RosterSpec) -> list[str]:
    return [
        "Isi lembar Data mulai baris 2; baris 1 adalah judul kolom (jangan diubah, boleh ditambah kolom lain).",
        "Kolom berwarna jingga wajib ada. Sel yang dikosongkan tidak menghapus data yang sudah tersimpan.",
        "Impor selalu dimulai dengan pratinjau: tidak ada data yang berubah sebelum Anda mengonfirmasi.",
        "Hanya data di dalam wilayah kerja Anda yang dapat diimpor.",
        *(["Satu baris untuk satu peran; orang dengan dua peran ditulis dua baris dengan data orang yang sama.",
           "NIK dicocokkan dengan data yang ada: NIK yang sudah terdaftar diperbarui, bukan ditambah."]
          if spec is PERSONS else
          ["Lembaga dicocokkan menurut Nomor Tanda Daftar, atau bila kosong menurut nama dan kode desa."]),
    ]
