"""Import of the by-name (BNBA) PMKS register from XLSX, XLS, ODS or CSV, through the core import pipeline.

Matching makes a second import of the same file a no-op: a row with a NIK matches the record with that NIK (or, if
there is none, the one record without NIK with the same name, birth date and desa, which then gets the NIK); a row
without NIK matches the record with the same name (ignoring case and spacing), birth date and desa. Empty optional
cells keep what is stored; categories are replaced by the ones listed (codes or numbers of the active catalogue; a
category of an older catalogue already on the record may stay by its code).

Rules are the form's: NIK form and its agreement with sex and birth date, the age and sex rules of each category on
the date identified (``register.category_problems``), a date identified not before the birth date, “dirujuk” only
with a referral target. Rows whose desa, or whose existing record, lies outside the user's wilayah are refused; a
read-only Pimpinan cannot import at all. Every record written gets a ``simple_history`` row (with its categories);
every preview (dry run) and every written import one ``AccessLog`` row (counts and the masked file name; never a name
or NIK).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.apps import apps
from django.utils import timezone
from openpyxl import Workbook

from pmks import register
from pmks.models import AccessLog, Catalogue, Category, HandlingStatus, PmksRecord
from pmks.selectors import active_catalogue
from psks_portal import date_bounds, transfers
from psks_portal import nik as nik_rules
from psks_portal import scope as scoping
from psks_portal.logging import mask_digits
from psks_portal.models import User, Wilayah
from psks_portal.tabular import templates
from psks_portal.tabular.cells import (
    CellError,
    RowProblems,
    choice_list,
    limited,
    parse_desa_code,
    parse_optional_nik,
    parse_past_date,
    parse_required_date,
    parse_sex,
    required,
    text,
)
from psks_portal.tabular.lookups import DesaIndex, in_chunks
from psks_portal.tabular.pipeline import BATCH_SIZE, Plan, create_with_history, plan_update, update_with_history
from psks_portal.tabular.preview import ERROR, NEW, UNCHANGED, UPDATED, ImportPreview, RowOutcome
from psks_portal.tabular.reader import DATE, Column, SheetRow, Table, header_key

ROSTER = "bnba"
TITLE = "Data BNBA PMKS"
FILE_STEM = "bnba-pmks"
REASON = "Impor berkas BNBA"
IMPORT_ACTION = "import"  # AccessLog.action of a written import (the model's choices: list view, record, export)
PREVIEW_ACTION = "preview"  # AccessLog.action of a dry run: the rows were checked against the register and shown
NOTES_LIMIT = 2000

STATUS_WORDS = {
    "baru": HandlingStatus.NEW,
    "ditangani": HandlingStatus.IN_PROGRESS,
    "dalampenanganan": HandlingStatus.IN_PROGRESS,
    "dirujuk": HandlingStatus.REFERRED,
    "rujuk": HandlingStatus.REFERRED,
    "selesai": HandlingStatus.DONE,
}

COLUMNS: tuple[Column, ...] = (
    Column(
        "nik",
        "NIK",
        example="3274014103500001",
        width=20,
        text_format=True,
        note="16 digit, diketik sebagai teks. Boleh kosong; data tanpa NIK dicocokkan menurut nama, tanggal lahir "
        "dan kode desa.",
    ),
    Column("name", "Nama", True, example="Siti Aminah", width=28),
    Column("sex", "Jenis Kelamin", True, example="P", width=14, choices=("L", "P"), note="L atau P."),
    Column(
        "birth_date",
        "Tanggal Lahir",
        type=DATE,
        example="01-03-1950",
        width=14,
        note="Wajib untuk kategori berbatas usia (mis. LUT ≥ 60 tahun, PRSE 18–59 tahun).",
    ),
    Column(
        "desa",
        "Kode Desa",
        True,
        example="32.74.01.1001",
        width=16,
        text_format=True,
        note="Kode Kemendagri desa/kelurahan domisili (lihat lembar Kode Desa).",
    ),
    Column("address", "Alamat", example="Jl. Kartini No. 5 RT 01 RW 02", width=32),
    Column(
        "categories",
        "Kategori",
        True,
        example="LUT; FM",
        width=16,
        text_format=True,
        note="Singkatan atau nomor kategori katalog aktif (lihat lembar Kategori); beberapa dipisah ; atau ,.",
    ),
    Column(
        "identified_on",
        "Tanggal Teridentifikasi",
        True,
        DATE,
        "05-01-2026",
        width=14,
        note="Aturan usia dan jenis kelamin kategori diperiksa pada tanggal ini.",
    ),
    Column(
        "status",
        "Status Penanganan",
        example="Baru",
        width=16,
        choices=("Baru", "Ditangani", "Dirujuk", "Selesai"),
        note="Baru, Ditangani, Dirujuk atau Selesai. Kosong: status tidak diubah (data baru: Baru).",
    ),
    Column("referral_target", "Dirujuk Ke", example="", width=24, note="Wajib bila status Dirujuk."),
    Column("notes", "Catatan", example="", width=32),
)
LABELS = {c.key: c.header for c in COLUMNS}


# --- Reading rows ---------------------------------------------------------------------------------------------------


def _person_key(name: str, birth: date | None, desa: str) -> tuple[str, date | None, str]:
    return header_key(name), birth, desa


def parse_status(value: object) -> str | None:
    cell = text(value)
    if not cell:
        return None
    try:
        return str(STATUS_WORDS[re.sub(r"[^a-z]", "", cell.casefold())])
    except KeyError:
        raise CellError(f"Status Penanganan harus Baru, Ditangani, Dirujuk atau Selesai, bukan “{cell}”.") from None


def split_categories(value: object) -> list[str]:
    """``"LUT; 24, fm"`` → ``["LUT", "24", "fm"]`` (order kept, repeats dropped); an empty cell is an error."""
    tokens = [t.strip() for t in re.split(r"[;,]", text(value)) if t.strip()]
    if not tokens:
        raise CellError("Kategori wajib diisi (singkatan atau nomor, mis. LUT; FM).")
    return list(dict.fromkeys(tokens))


@dataclass
class _Cells:
    line: int
    row: RowProblems
    nik: nik_rules.NIK | None
    values: dict[str, object]  # record fields; optional ones only when the cell is filled
    desa_code: str | None
    categories: list[str] | None


def _read(sheet_row: SheetRow, today: date) -> _Cells:
    row = RowProblems.of(sheet_row, LABELS)
    values = {
        "name": row.read("name", required, "Nama", 150),
        "sex": row.read("sex", parse_sex),
        "identified_on": row.read(
            "identified_on", parse_required_date, "Tanggal Teridentifikasi", today, date_bounds.EARLIEST_IDENTIFIED
        ),
    }
    optional = {
        "birth_date": row.read("birth_date", parse_past_date, "Tanggal Lahir", today),
        "address": row.read("address", limited, "Alamat", 250),
        "status": row.read("status", parse_status),
        "referral_target": row.read("referral_target", limited, "Dirujuk Ke", 200),
        "notes": row.read("notes", limited, "Catatan", NOTES_LIMIT),
    }
    values.update((k, v) for k, v in optional.items() if v not in (None, ""))
    return _Cells(
        sheet_row.line,
        row,
        row.read("nik", parse_optional_nik),
        values,
        row.read("desa", parse_desa_code),
        row.read("categories", split_categories),
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
                self.by_key.setdefault(header_key(key), category)
        self.accepted = choice_list([c.code for c in categories]) if categories else "—"

    def resolve(self, row: RowProblems, tokens: list[str], kept: dict[str, Category]) -> list[Category]:
        """The categories named; ``kept`` are the record's categories of an older catalogue, by code."""
        found = []
        for token in tokens:
            key = header_key(token)
            category = self.by_key.get(key) or kept.get(key)
            if category is None:
                name = self.catalogue.name if self.catalogue else "katalog aktif"
                row.errors.append(
                    f"Kategori “{token}” tidak ada dalam {name}. Kategori yang diterima (singkatan, "
                    f"atau nomornya di lembar Kategori templat): {self.accepted}."
                )
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
    current: dict[int, dict[int, int]] = field(default_factory=dict)  # record → {category: its through row}


class _Planner:
    """Decides the outcome of every row against the database in a fixed number of queries."""

    def __init__(self, *, user: User, table: Table):
        self.user = user
        today = timezone.localdate()
        self.cells = [_read(sheet_row, today) for sheet_row in table.rows]
        self.categories = _CategoryIndex(active_catalogue())
        self.desa = DesaIndex(user, {c.desa_code for c in self.cells if c.desa_code})
        records = PmksRecord.objects.select_related("desa").order_by("pk")
        niks = {c.nik.value for c in self.cells if c.nik}
        self.by_nik = {r.nik: r for r in in_chunks(records, "nik", niks)}
        # NIKs not held in the user's own area are looked up like a form's: logged, and limited per day.
        scope = scoping.user_scope(user)
        outside = {n: n in self.by_nik for n in niks if n not in self.by_nik or not
                   scope.contains(self.by_nik[n].desa)}  # fmt: skip
        self.outside = set(outside)
        self.outside_allowed = transfers.look_up_many(user=user, kind="bnba", outside=outside, purpose="impor BNBA")
        self.by_person: dict[tuple, list[PmksRecord]] = defaultdict(list)
        for record in in_chunks(records, "desa_id", self.desa.by_code):
            self.by_person[_person_key(record.name, record.birth_date, record.desa_id)].append(record)
        known = {r.pk for r in self.by_nik.values()} | {r.pk for rs in self.by_person.values() for r in rs}
        through = PmksRecord.categories.through.objects.values_list("pmksrecord_id", "category_id", "pk")
        self.current: dict[int, dict[int, int]] = defaultdict(dict)  # record → {category: its through row}
        for record_id, category_id, row_id in in_chunks(through, "pmksrecord_id", known):
            self.current[record_id][category_id] = row_id
        active = {c.pk for c in self.categories.by_key.values()}
        older = {pk for pks in self.current.values() for pk in pks} - active
        self.older = {c.pk: c for c in in_chunks(Category.objects.all(), "pk", older)}
        prefixes = {c.nik.kecamatan_code for c in self.cells if c.nik}
        kecamatan = Wilayah.objects.filter(level=Wilayah.KECAMATAN).only("code")
        self.known_kecamatan = {w.code for w in in_chunks(kecamatan, "code", prefixes)}

    def plan(self) -> Plan:
        writes, seen = _Writes(), {}
        return Plan([self._plan_row(cells, writes, seen) for cells in self.cells], writes)

    def _match(self, cells: _Cells, desa: Wilayah) -> PmksRecord | None:
        row, values, nik = cells.row, cells.values, cells.nik
        if nik is not None and nik.value in self.by_nik:
            return self.by_nik[nik.value]
        candidates = self.by_person.get(_person_key(values["name"], values.get("birth_date"), desa.code), [])
        if nik is not None:
            candidates = [r for r in candidates if not r.nik]
        if len(candidates) > 1:
            row.errors.append(
                f"Ada {len(candidates)} data dengan nama, tanggal lahir dan desa yang sama; isi NIK "
                "untuk menentukan yang dimaksud."
            )
            return None
        if candidates and nik is not None:
            row.warnings.append(
                "Dicocokkan dengan data tanpa NIK yang nama, tanggal lahir dan desanya sama; NIK "
                "ditambahkan pada data tersebut."
            )
        return candidates[0] if candidates else None

    def _plan_row(self, cells: _Cells, writes: _Writes, seen: dict) -> RowOutcome:
        row, values, nik = cells.row, cells.values, cells.nik
        desa = self.desa.resolve(row, cells.desa_code)
        outcome = RowOutcome(
            cells.line,
            ERROR,
            ident=nik.masked() if nik else "",
            name=values.get("name") or "",
            kind=", ".join(cells.categories or []),
            desa=f"{desa.code} {desa.name}" if desa else (cells.desa_code or ""),
        )
        if nik is not None and nik.kecamatan_code not in self.known_kecamatan:
            row.warnings.append(f"Kode wilayah pada NIK ({nik.kecamatan_code}) bukan kode kecamatan yang dikenal.")
        existing = None
        if nik is not None and nik.value in self.outside and not self.outside_allowed:
            row.errors.append(transfers.LIMITED_MESSAGE)
        elif desa is not None and values["name"]:
            existing = self._match(cells, desa)
            if existing is not None and not scoping.can_change(self.user, existing.desa):
                row.errors.append(transfers.ELSEWHERE_ROW)
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
        claims = [
            ("nik", cells.nik.value) if cells.nik else None,
            ("data", existing.pk) if existing else None,
            None if cells.nik else person,
        ]
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
                    kept.setdefault(header_key(self.older[pk].code), self.older[pk])
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

    def _plan_change(
        self, record: PmksRecord, values: dict, categories: list[int], writes: _Writes, outcome: RowOutcome
    ) -> None:
        changed = plan_update(record, values, changed=writes.changed, fields=writes.fields, outcome=outcome)
        categories_changed = set(categories) != set(self.current.get(record.pk, []))
        if categories_changed:
            outcome.changes.append("kategori")
            writes.changed[record.pk] = record  # its history row carries the new categories
        if not changed and not categories_changed:
            outcome.status = UNCHANGED
            return
        writes.categories[record.pk] = categories
        outcome.status = UPDATED


# --- Writing --------------------------------------------------------------------------------------------------------


def _write(writes: _Writes, *, user: User) -> None:
    """Create and update the records, their categories and the history rows (with the categories) in bulk."""
    through, current = PmksRecord.categories.through, writes.current
    created, history = create_with_history(PmksRecord, [record for record, _ in writes.new], user=user, reason=REASON)
    now = timezone.now()
    for record in writes.changed.values():
        record.updated_at = now  # ``auto_now`` is not applied by bulk_update
    history += update_with_history(
        PmksRecord, list(writes.changed.values()), {*writes.fields, "updated_at"}, user=user, reason=REASON
    )
    removed = [row for pk, after in writes.categories.items() for c, row in current[pk].items() if c not in after]
    if removed:
        through.objects.filter(pk__in=removed).delete()
    added = [
        through(pmksrecord_id=record.pk, category_id=c)
        for record, (_, after) in zip(created, writes.new, strict=True)
        for c in after
    ]
    added += [
        through(pmksrecord_id=pk, category_id=c)
        for pk, after in writes.categories.items()
        for c in after
        if c not in current[pk]
    ]
    through.objects.bulk_create(added, batch_size=BATCH_SIZE)
    rows = in_chunks(through.objects.all(), "pmksrecord_id", {h.id for h in history})
    _history_categories(history, rows)


def _history_categories(history: list, rows: list) -> None:
    """The categories each new history row describes (simple_history's m2m history, which bulk writes skip)."""
    model = apps.get_model("pmks", "HistoricalPmksRecord_categories")
    by_record = defaultdict(list)
    for row in rows:
        by_record[row.pmksrecord_id].append(row)
    model.objects.bulk_create(
        [
            model(history=h, id=t.id, pmksrecord_id=t.pmksrecord_id, category_id=t.category_id)
            for h in history
            for t in by_record[h.id]
        ],
        batch_size=BATCH_SIZE,
    )


# --- Template -------------------------------------------------------------------------------------------------------

TEMPLATE_LINES = (
    "Satu baris untuk satu orang; beberapa kategori ditulis dalam satu sel, dipisah titik koma atau koma.",
    "Orang dicocokkan menurut NIK; tanpa NIK menurut nama, tanggal lahir dan kode desa. Data yang cocok diperbarui, "
    "bukan ditambah, sehingga mengimpor berkas yang sama dua kali tidak mengubah apa pun.",
    "Data pribadi spesifik (UU 27/2022): simpan berkas ini hanya selama diperlukan.",
)


# --- The importer ---------------------------------------------------------------------------------------------------


class RecordImporter:
    """The BNBA register as an ``psks_portal.tabular.pipeline.Importer``; every dry run and import is in AccessLog."""

    key = ROSTER
    title = TITLE
    columns = COLUMNS

    def plan(self, table: Table, *, user: User) -> Plan:
        planner = _Planner(user=user, table=table)
        plan = planner.plan()
        plan.writes.current = planner.current
        return plan

    def write(self, plan: Plan, *, user: User) -> None:
        _write(plan.writes, user=user)

    def log(self, preview: ImportPreview, *, user: User, filename: str) -> None:
        """One AccessLog row per dry run (``preview``: rows checked against the register and shown) and per written
        import (``import``); counts and the masked file name, never a name or NIK."""
        counts = preview.counts
        AccessLog.objects.create(
            user=user,
            action=IMPORT_ACTION if preview.applied else PREVIEW_ACTION,
            wilayah=scoping.user_scope(user).wilayah,
            row_count=counts[NEW] + counts[UPDATED] if preview.applied else len(preview.rows),
            purpose=REASON if preview.applied else f"Pratinjau {REASON.lower()}",
            filters={
                "berkas": mask_digits(Path(filename).name)[:100],
                "baru": counts[NEW],
                "diperbarui": counts[UPDATED],
                "tidak_berubah": counts[UNCHANGED],
                "dilewati" if preview.applied else "ditolak": counts[ERROR],
            },
        )

    def template(self, *, user: User) -> bytes:
        """Data (headers, formats, drop-downs), Petunjuk, Kategori (active catalogue), Kode Desa."""
        workbook = Workbook()
        templates.template_data_sheet(workbook, COLUMNS)
        templates.template_help_sheet(
            workbook.create_sheet("Petunjuk"), title=f"Templat impor {TITLE}", lines=TEMPLATE_LINES, columns=COLUMNS
        )
        catalogue = active_catalogue()
        categories = catalogue.categories.order_by("number") if catalogue else []
        templates.template_list_sheet(
            workbook.create_sheet("Kategori"),
            ["Nomor", "Singkatan", "Nama", "Usia", "Jenis kelamin", "Satuan"],
            (
                [f"{c.number:02d}", c.code, c.name, c.age_rule, c.get_sex_display() or "—", c.get_unit_display()]
                for c in categories
            ),
            (8, 12, 60, 14, 14, 12),
        )
        templates.template_desa_sheet(workbook.create_sheet("Kode Desa"), user)
        return templates.workbook_bytes(workbook)


RECORDS = RecordImporter()
