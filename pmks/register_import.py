"""Import of the by-name (BNBA) PMKS register from XLSX or CSV, with the registry import's rules.

Two steps. ``import_preview`` stores the upload under a random token and says, row by row, what would happen (new,
changed, unchanged, or refused with the reason and the line number) without writing anything. ``record_import`` reads
the stored file again inside one transaction, re-validates every row against the database as it is *now* and writes
in bulk (a fixed number of queries whatever the number of rows). A file with refused rows changes nothing unless the
caller asks for the valid rows only.

Matching makes a second import of the same file a no-op: a row with a NIK matches the record with that NIK (or, if
there is none, the one record without NIK with the same name, birth date and desa, which then gets the NIK); a row
without NIK matches the record with the same name (ignoring case and spacing), birth date and desa. Empty optional
cells keep what is stored; categories are replaced by the ones listed (codes or numbers of the active catalogue; a
category of an older catalogue already on the record may stay by its code).

Rules are the form's: NIK form and its agreement with sex and birth date, the age and sex rules of each category on
the date identified (``register.category_problems``), a date identified not before the birth date, “dirujuk” only
with a referral target. Rows whose desa, or whose existing record, lies outside the user's wilayah are refused; a
read-only Pimpinan cannot import at all. Every record written gets a ``simple_history`` row (with its categories) and
every import one ``AccessLog`` row (counts and the masked file name; never a name or NIK).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from pmks import register
from pmks.models import AccessLog, Catalogue, Category, HandlingStatus, PmksRecord
from pmks.selectors import active_catalogue
from psks_portal import date_bounds, tabular
from psks_portal import nik as nik_rules
from psks_portal import scope as scoping
from psks_portal.logging import mask_digits
from psks_portal.models import User, Wilayah
from psks_portal.tabular import (
    BATCH_SIZE,
    DATE,
    ERROR,
    NEW,
    UNCHANGED,
    UPDATED,
    Column,
    DesaIndex,
    ImportFileError,
    ImportPreview,
    ImportRefused,
    PendingImport,
    RowOutcome,
    RowProblems,
    Table,
)

ROSTER = "bnba"
TITLE = "Data BNBA PMKS"
FILE_STEM = "bnba-pmks"
REASON = "Impor berkas BNBA"
IMPORT_ACTION = "import"  # AccessLog.action for an import (the model's choices list view, record and export only)
NOTES_LIMIT = 2000

STATUS_WORDS = {
    "baru": HandlingStatus.NEW, "ditangani": HandlingStatus.IN_PROGRESS, "dalampenanganan": HandlingStatus.IN_PROGRESS,
    "dirujuk": HandlingStatus.REFERRED, "rujuk": HandlingStatus.REFERRED, "selesai": HandlingStatus.DONE,
}

COLUMNS: tuple[Column, ...] = (
    Column("nik", "NIK", example="3274014103500001", width=20, text_format=True,
           note="16 digit, diketik sebagai teks. Boleh kosong; data tanpa NIK dicocokkan menurut nama, tanggal lahir "
                "dan kode desa."),
    Column("name", "Nama", True, example="Siti Aminah", width=28),
    Column("sex", "Jenis Kelamin", True, example="P", width=14, choices=("L", "P"), note="L atau P."),
    Column("birth_date", "Tanggal Lahir", type=DATE, example="01-03-1950", width=14,
           note="Wajib untuk kategori berbatas usia (mis. LUT ≥ 60 tahun, PRSE 18–59 tahun)."),
    Column("desa", "Kode Desa", True, example="32.74.01.1001", width=16, text_format=True,
           note="Kode Kemendagri desa/kelurahan domisili (lihat lembar Kode Desa)."),
    Column("address", "Alamat", example="Jl. Kartini No. 5 RT 01 RW 02", width=32),
    Column("categories", "Kategori", True, example="LUT; FM", width=16, text_format=True,
           note="Singkatan atau nomor kategori katalog aktif (lihat lembar Kategori); beberapa dipisah ; atau ,."),
    Column("identified_on", "Tanggal Teridentifikasi", True, DATE, "05-01-2026", width=14,
           note="Aturan usia dan jenis kelamin kategori diperiksa pada tanggal ini."),
    Column("status", "Status Penanganan", example="Baru", width=16, choices=("Baru", "Ditangani", "Dirujuk", "Selesai"),
           note="Baru, Ditangani, Dirujuk atau Selesai. Kosong: status tidak diubah (data baru: Baru)."),
    Column("referral_target", "Dirujuk Ke", example="", width=24, note="Wajib bila status Dirujuk."),
    Column("notes", "Catatan", example="", width=32),
)


def can_import(user: User) -> bool:
    """Importing writes: a read-only Pimpinan or a user without a wilayah may not."""
    scope = scoping.user_scope(user)
    return not scope.read_only and (scope.everything or scope.wilayah is not None)


def _require_importer(user: User) -> None:
    if not can_import(user):
        raise PermissionDenied


# --- Reading rows ---------------------------------------------------------------------------------------------------


def _person_key(name: str, birth: date | None, desa: str) -> tuple[str, date | None, str]:
    return tabular.header_key(name), birth, desa


def parse_status(value: object) -> str | None:
    text = tabular.text(value)
    if not text:
        return None
    try:
        return str(STATUS_WORDS[re.sub(r"[^a-z]", "", text.casefold())])
    except KeyError:
        raise tabular.CellError(
            f"Status Penanganan harus Baru, Ditangani, Dirujuk atau Selesai, bukan “{text}”."
        ) from None


def split_categories(value: object) -> list[str]:
    """``"LUT; 24, fm"`` → ``["LUT", "24", "fm"]`` (order kept, repeats dropped); an empty cell is an error."""
    tokens = [t.strip() for t in re.split(r"[;,]", tabular.text(value)) if t.strip()]
    if not tokens:
        raise tabular.CellError("Kategori wajib diisi (singkatan atau nomor, mis. LUT; FM).")
    return list(dict.fromkeys(tokens))


@dataclass
class _Cells:
    line: int
    row: RowProblems
    nik: nik_rules.NIK | None
    values: dict[str, object]  # record fields; optional ones only when the cell is filled
    desa_code: str | None
    categories: list[str] | None


def _read(line: int, cells: dict[str, object], today: date) -> _Cells:
    row = RowProblems(line)
    values = {
        "name": row.take(tabular.required, cells.get("name"), "Nama", 150),
        "sex": row.take(tabular.parse_sex, cells.get("sex")),
        "identified_on": row.take(tabular.parse_required_date, cells.get("identified_on"), "Tanggal Teridentifikasi",
                                  today, date_bounds.EARLIEST_IDENTIFIED),
    }
    optional = {
        "birth_date": row.take(tabular.parse_past_date, cells.get("birth_date"), "Tanggal Lahir", today),
        "address": row.take(tabular.limited, cells.get("address"), "Alamat", 250),
        "status": row.take(parse_status, cells.get("status")),
        "referral_target": row.take(tabular.limited, cells.get("referral_target"), "Dirujuk Ke", 200),
        "notes": row.take(tabular.limited, cells.get("notes"), "Catatan", NOTES_LIMIT),
    }
    values.update((k, v) for k, v in optional.items() if v not in (None, ""))
    return _Cells(
        line,
        row,
        row.take(tabular.parse_optional_nik, cells.get("nik")),
        values,
        row.take(tabular.parse_desa_code, cells.get("desa")),
        row.take(split_categories, cells.get("categories")),
    )


def _stored_nik(record: PmksRecord | None) -> nik_rules.NIK | None:
    if record is None or not record.nik:
        return None
    try:
        return nik_rules.parse(record.nik)
    except nik_rules.InvalidNIK:
        return None


class _CategoryIndex:
    """Category cells against the active catalogue: number (``8`` or ``08``), code or name, case-insensitively."""

    def __init__(self, catalogue: Catalogue | None):
        self.catalogue = catalogue
        self.by_key: dict[str, Category] = {}
        categories = Category.objects.filter(catalogue=catalogue).order_by("number") if catalogue else []
        for category in categories:
            for key in (str(category.number), f"{category.number:02d}", category.code, category.name):
                self.by_key.setdefault(tabular.header_key(key), category)

    def resolve(self, row: RowProblems, tokens: list[str], kept: dict[str, Category]) -> list[Category]:
        """The categories named; ``kept`` are the record's categories of an older catalogue, by code."""
        found = []
        for token in tokens:
            key = tabular.header_key(token)
            category = self.by_key.get(key) or kept.get(key)
            if category is None:
                name = self.catalogue.name if self.catalogue else "katalog aktif"
                row.errors.append(f"Kategori “{token}” tidak ada dalam {name}. Pakai singkatan atau nomor dari lembar "
                                  "Kategori templat.")
            elif category not in found:
                found.append(category)
        return found


# --- Planning -------------------------------------------------------------------------------------------------------


@dataclass
class _Writes:
    new: list[tuple[PmksRecord, list[int]]] = field(default_factory=list)  # record, its category pks
    changed: dict[int, PmksRecord] = field(default_factory=dict)
    fields: set[str] = field(default_factory=set)
    categories: dict[int, list[int]] = field(default_factory=dict)  # changed record pk → its categories after


class _Planner:
    """Decides the outcome of every row against the database in a fixed number of queries."""

    def __init__(self, *, user: User, table: Table):
        self.user = user
        today = timezone.localdate()
        self.cells = [_read(line, record, today) for line, record in table.rows]
        self.categories = _CategoryIndex(active_catalogue())
        self.desa = DesaIndex(user, {c.desa_code for c in self.cells if c.desa_code})
        records = PmksRecord.objects.select_related("desa").order_by("pk")
        niks = {c.nik.value for c in self.cells if c.nik}
        self.by_nik = {r.nik: r for r in tabular.in_chunks(records, "nik", niks)}
        self.by_person: dict[tuple, list[PmksRecord]] = defaultdict(list)
        for record in tabular.in_chunks(records, "desa_id", self.desa.by_code):
            self.by_person[_person_key(record.name, record.birth_date, record.desa_id)].append(record)
        known = {r.pk for r in self.by_nik.values()} | {r.pk for rs in self.by_person.values() for r in rs}
        through = PmksRecord.categories.through.objects.values_list("pmksrecord_id", "category_id", "pk")
        self.current: dict[int, dict[int, int]] = defaultdict(dict)  # record → {category: its through row}
        for record_id, category_id, row_id in tabular.in_chunks(through, "pmksrecord_id", known):
            self.current[record_id][category_id] = row_id
        active = {c.pk for c in self.categories.by_key.values()}
        older = {pk for pks in self.current.values() for pk in pks} - active
        self.older = {c.pk: c for c in tabular.in_chunks(Category.objects.all(), "pk", older)}
        prefixes = {c.nik.kecamatan_code for c in self.cells if c.nik}
        kecamatan = Wilayah.objects.filter(level=Wilayah.KECAMATAN).only("code")
        self.known_kecamatan = {w.code for w in tabular.in_chunks(kecamatan, "code", prefixes)}

    def plan(self) -> tuple[list[RowOutcome], _Writes]:
        writes, seen = _Writes(), {}
        return [self._plan_row(cells, writes, seen) for cells in self.cells], writes

    def _match(self, cells: _Cells, desa: Wilayah) -> PmksRecord | None:
        row, values, nik = cells.row, cells.values, cells.nik
        if nik is not None and nik.value in self.by_nik:
            return self.by_nik[nik.value]
        candidates = self.by_person.get(_person_key(values["name"], values.get("birth_date"), desa.code), [])
        if nik is not None:
            candidates = [r for r in candidates if not r.nik]
        if len(candidates) > 1:
            row.errors.append(f"Ada {len(candidates)} data dengan nama, tanggal lahir dan desa yang sama; isi NIK "
                              "untuk menentukan yang dimaksud.")
            return None
        if candidates and nik is not None:
            row.warnings.append("Dicocokkan dengan data tanpa NIK yang nama, tanggal lahir dan desanya sama; NIK "
                                "ditambahkan pada data tersebut.")
        return candidates[0] if candidates else None

    def _plan_row(self, cells: _Cells, writes: _Writes, seen: dict) -> RowOutcome:
        row, values, nik = cells.row, cells.values, cells.nik
        desa = self.desa.resolve(row, cells.desa_code)
        outcome = RowOutcome(cells.line, ERROR, ident=nik.masked() if nik else "", name=values.get("name") or "",
                             kind=", ".join(cells.categories or []),
                             desa=f"{desa.code} {desa.name}" if desa else (cells.desa_code or ""))
        if nik is not None and nik.kecamatan_code not in self.known_kecamatan:
            row.warnings.append(f"Kode wilayah pada NIK ({nik.kecamatan_code}) bukan kode kecamatan yang dikenal.")
        existing = None
        if desa is not None and values["name"]:
            existing = self._match(cells, desa)
            if existing is not None and not scoping.can_change(self.user, existing.desa):
                row.errors.append("NIK ini sudah tercatat di luar wilayah Anda; perubahan harus dilakukan oleh petugas "
                                  "wilayah tersebut.")
            self._claim(cells, existing, desa, seen)
        categories = self._categories(cells, existing)
        self._check(cells, self._merged(values, existing), categories, nik or _stored_nik(existing))
        outcome.errors, outcome.warnings = row.errors, row.warnings
        if row.errors:
            return outcome
        outcome.kind = ", ".join(c.code for c in categories)
        values = {**values, "desa_id": desa.code, **({"nik": nik.value} if nik else {})}
        if existing is None:
            record = PmksRecord(**values)
            writes.new.append((record, [c.pk for c in categories]))
            outcome.status = NEW
            return outcome
        self._plan_change(existing, values, [c.pk for c in categories], writes, outcome)
        return outcome

    def _claim(self, cells: _Cells, existing: PmksRecord | None, desa: Wilayah, seen: dict) -> None:
        """One row per person in a file: the same NIK, record, or (without NIK) name + birth date + desa twice is
        refused on the later row."""
        person = ("orang", *_person_key(cells.values["name"], cells.values.get("birth_date"), desa.code))
        claims = [("nik", cells.nik.value) if cells.nik else None, ("data", existing.pk) if existing else None,
                  None if cells.nik else person]
        for key in filter(None, claims):
            earlier = seen.setdefault(key, cells.line)
            if earlier != cells.line:
                cells.row.errors.append(f"Orang yang sama sudah ada di baris {earlier}.")
                return
        seen.setdefault(person, cells.line)

    def _categories(self, cells: _Cells, existing: PmksRecord | None) -> list[Category]:
        if cells.categories is None:
            return []
        kept = {}
        if existing is not None:
            for pk in self.current.get(existing.pk, []):
                if pk in self.older:
                    kept.setdefault(tabular.header_key(self.older[pk].code), self.older[pk])
        return self.categories.resolve(cells.row, cells.categories, kept)

    @staticmethod
    def _merged(values: dict, existing: PmksRecord | None) -> dict:
        """The record as it would be: the row's values over what is stored (empty cells keep stored values)."""
        stored = {}
        if existing is not None:
            stored = {name: getattr(existing, name) for name in ("sex", "birth_date", "status", "referral_target")}
        return {**{"status": HandlingStatus.NEW, "referral_target": "", "birth_date": None}, **stored, **values}

    @staticmethod
    def _check(cells: _Cells, merged: dict, categories: list[Category], nik: nik_rules.NIK | None) -> None:
        """The form's rules on the record as it would be (``nik``: the row's, else the one already stored)."""
        row = cells.row
        sex, birth, on = merged.get("sex"), merged.get("birth_date"), merged.get("identified_on")
        if nik is not None and sex:
            row.errors.extend(nik_rules.consistency_problems(nik, sex=sex, birth_date=birth))
        if birth and on and on < birth:
            row.errors.append("Tanggal Teridentifikasi tidak boleh sebelum Tanggal Lahir.")
        if sex and on and categories:
            row.errors.extend(register.category_problems(categories, sex=sex, birth_date=birth, on=on))
        if merged["status"] == HandlingStatus.REFERRED and not merged["referral_target"]:
            row.errors.append("Status Dirujuk wajib disertai Dirujuk Ke (tujuan rujukan).")

    def _plan_change(self, record: PmksRecord, values: dict, categories: list[int], writes: _Writes,
                     outcome: RowOutcome) -> None:
        changed = [name for name, value in values.items() if getattr(record, name) != value]
        for name in changed:
            setattr(record, name, values[name])
        outcome.changes.extend(str(PmksRecord._meta.get_field(n.removesuffix("_id")).verbose_name) for n in changed)
        categories_changed = set(categories) != set(self.current.get(record.pk, []))
        if categories_changed:
            outcome.changes.append("kategori")
        if not changed and not categories_changed:
            outcome.status = UNCHANGED
            return
        writes.changed[record.pk] = record
        writes.fields.update(changed)
        writes.categories[record.pk] = categories
        outcome.status = UPDATED


# --- Writing --------------------------------------------------------------------------------------------------------


def _write(writes: _Writes, current: dict[int, dict[int, int]], *, user: User) -> None:
    """Create and update the records, their categories and the history rows (with the categories) in bulk."""
    through = PmksRecord.categories.through
    created = PmksRecord.objects.bulk_create([record for record, _ in writes.new], batch_size=BATCH_SIZE)
    now = timezone.now()
    for record in writes.changed.values():
        record.updated_at = now  # ``auto_now`` is not applied by bulk_update
    if writes.changed:
        PmksRecord.objects.bulk_update(list(writes.changed.values()), sorted({*writes.fields, "updated_at"}),
                                       batch_size=BATCH_SIZE)
    removed = [row for pk, after in writes.categories.items() for c, row in current[pk].items() if c not in after]
    if removed:
        through.objects.filter(pk__in=removed).delete()
    added = [through(pmksrecord_id=record.pk, category_id=c)
             for record, (_, after) in zip(created, writes.new, strict=True) for c in after]
    added += [through(pmksrecord_id=pk, category_id=c) for pk, after in writes.categories.items()
              for c in after if c not in current[pk]]
    through.objects.bulk_create(added, batch_size=BATCH_SIZE)
    history = [
        *PmksRecord.history.bulk_history_create(created, batch_size=BATCH_SIZE, default_user=user,
                                                default_change_reason=REASON),
        *PmksRecord.history.bulk_history_create(list(writes.changed.values()), batch_size=BATCH_SIZE, update=True,
                                                default_user=user, default_change_reason=REASON),
    ]
    rows = tabular.in_chunks(through.objects.all(), "pmksrecord_id", {h.id for h in history})
    _history_categories(history, rows)


def _history_categories(history: list, rows: list) -> None:
    """The categories each new history row describes (simple_history's m2m history, which bulk writes skip)."""
    model = apps.get_model("pmks", "HistoricalPmksRecord_categories")
    by_record = defaultdict(list)
    for row in rows:
        by_record[row.pmksrecord_id].append(row)
    model.objects.bulk_create(
        [model(history=h, id=t.id, pmksrecord_id=t.pmksrecord_id, category_id=t.category_id)
         for h in history for t in by_record[h.id]],
        batch_size=BATCH_SIZE,
    )


def _log_import(user: User, preview: ImportPreview, filename: str) -> None:
    counts = preview.counts
    AccessLog.objects.create(
        user=user, action=IMPORT_ACTION, wilayah=scoping.user_scope(user).wilayah,
        row_count=counts[NEW] + counts[UPDATED], purpose=REASON,
        filters={"berkas": mask_digits(Path(filename).name)[:100], "baru": counts[NEW],
                 "diperbarui": counts[UPDATED], "tidak_berubah": counts[UNCHANGED], "dilewati": counts[ERROR]},
    )


# --- Entry points ---------------------------------------------------------------------------------------------------


def _table(path: Path, filename: str) -> Table:
    return tabular.read_table(path, filename=filename, columns=COLUMNS)


def record_import_preview(*, path: Path, filename: str, user: User) -> ImportPreview:
    """What importing this file would do, row by row; writes nothing."""
    _require_importer(user)
    table = _table(path, filename)
    outcomes, _ = _Planner(user=user, table=table).plan()
    return ImportPreview(ROSTER, outcomes, table.notices())


@transaction.atomic
def record_import(*, path: Path, filename: str, user: User, only_valid: bool = False) -> ImportPreview:
    """Re-validate the file against the database now and write it in bulk; all or nothing.

    Raises ``ImportRefused`` (nothing written) when rows are refused and ``only_valid`` is false.
    """
    _require_importer(user)
    table = _table(path, filename)
    planner = _Planner(user=user, table=table)
    outcomes, writes = planner.plan()
    preview = ImportPreview(ROSTER, outcomes, table.notices())
    if preview.has_errors and not only_valid:
        raise ImportRefused(preview)
    _write(writes, planner.current, user=user)
    preview.applied = True
    _log_import(user, preview, filename)
    return preview


def import_preview(*, upload: UploadedFile, user: User) -> tuple[PendingImport, ImportPreview]:
    """Store an upload and preview it; a file that cannot be read is deleted again and ImportFileError raised."""
    _require_importer(user)
    tabular.check_upload(name=upload.name, size=upload.size)
    pending = tabular.upload_store(upload)
    try:
        return pending, record_import_preview(path=pending.path, filename=pending.filename, user=user)
    except BaseException:
        tabular.upload_discard(pending)
        raise


def import_confirm(*, pending: PendingImport, user: User, only_valid: bool) -> ImportPreview:
    """Import a stored upload (re-validated from scratch); the file is deleted once the import is written."""
    if not pending.path.is_file():
        raise ImportFileError("Berkas unggahan sudah tidak tersedia (disimpan paling lama satu hari). Unggah lagi.")
    result = record_import(path=pending.path, filename=pending.filename, user=user, only_valid=only_valid)
    tabular.upload_discard(pending)
    return result


# --- Template -------------------------------------------------------------------------------------------------------

TEMPLATE_LINES = (
    "Isi lembar Data mulai baris 2; baris 1 adalah judul kolom (jangan diubah, boleh ditambah kolom lain).",
    "Kolom berwarna jingga wajib ada. Sel yang dikosongkan tidak menghapus data yang sudah tersimpan.",
    "Impor selalu dimulai dengan pratinjau: tidak ada data yang berubah sebelum Anda mengonfirmasi.",
    "Hanya desa di dalam wilayah kerja Anda yang dapat diimpor.",
    "Satu baris untuk satu orang; beberapa kategori ditulis dalam satu sel, dipisah titik koma atau koma.",
    "Orang dicocokkan menurut NIK; tanpa NIK menurut nama, tanggal lahir dan kode desa. Data yang cocok diperbarui, "
    "bukan ditambah, sehingga mengimpor berkas yang sama dua kali tidak mengubah apa pun.",
    "Data pribadi spesifik (UU 27/2022): simpan berkas ini hanya selama diperlukan.",
)


def template_xlsx(*, user: User) -> bytes:
    """The empty template: Data (headers, formats, drop-downs), Petunjuk, Kategori (active catalogue), Kode Desa."""
    _require_importer(user)
    workbook = Workbook()
    tabular.template_data_sheet(workbook, COLUMNS)
    tabular.template_help_sheet(workbook.create_sheet("Petunjuk"), title=f"Templat impor {TITLE}",
                                lines=TEMPLATE_LINES, columns=COLUMNS)
    catalogue = active_catalogue()
    categories = catalogue.categories.order_by("number") if catalogue else []
    tabular.template_list_sheet(
        workbook.create_sheet("Kategori"), ["Nomor", "Singkatan", "Nama", "Usia", "Jenis kelamin", "Satuan"],
        ([f"{c.number:02d}", c.code, c.name, c.age_rule, c.get_sex_display() or "—", c.get_unit_display()]
         for c in categories),
        (8, 12, 60, 14, 14, 12),
    )
    tabular.template_desa_sheet(workbook.create_sheet("Kode Desa"), user)
    return tabular.workbook_bytes(workbook)
