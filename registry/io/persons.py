"""Importing the person roster: one row per role; persons match on NIK, their roles on person + kind.

A row is refused only for identity and classification problems (NIK, name, sex, birth date, desa, kind, ASN status,
the TKSK seat, a NIK of another wilayah); what is needed only for eligibility or completeness (the golongan of a PNS,
the birth place) is imported and flagged “data belum lengkap”. Empty optional cells keep what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from psks_portal import nik as nik_rules
from psks_portal import scope as scoping
from psks_portal import transfers
from psks_portal.models import User, Wilayah
from psks_portal.tabular.cells import (
    RowProblems,
    limited,
    parse_date,
    parse_desa_code,
    parse_nik,
    parse_phone,
    parse_required_date,
    parse_sex,
    required,
    text,
)
from psks_portal.tabular.lookups import DesaIndex, in_chunks
from psks_portal.tabular.pipeline import Plan, create_with_history, plan_update, update_with_history
from psks_portal.tabular.preview import ERROR, NEW, UNCHANGED, UPDATED, RowOutcome
from psks_portal.tabular.reader import DATE, Column, SheetRow, Table
from registry.io.cells import KindIndex, RosterImporter, parse_asn, parse_education, parse_golongan
from registry.models import TKSK_CODE, AsnStatus, Assignment, AssignmentStatus, Kind, Person, Subject

PERSON_COLUMNS: tuple[Column, ...] = (
    Column(
        "nik",
        "NIK",
        True,
        example="3274014101900001",
        width=20,
        text_format=True,
        note="16 digit, diketik sebagai teks (bukan angka).",
    ),
    Column("name", "Nama", True, example="Siti Aminah", width=28),
    Column("sex", "Jenis Kelamin", True, example="P", width=14, choices=("L", "P"), note="L atau P."),
    Column(
        "birth_place",
        "Tempat Lahir",
        True,
        example="Cirebon",
        note="Boleh kosong; baris ditandai “data belum lengkap”.",
    ),
    Column(
        "birth_date",
        "Tanggal Lahir",
        True,
        DATE,
        "01-01-1990",
        width=14,
        note="Sel tanggal, atau teks DD-MM-YYYY / YYYY-MM-DD.",
    ),
    Column(
        "education",
        "Pendidikan",
        True,
        example="SLTA",
        width=14,
        choices=("Tidak sekolah", "SD", "SLTP", "SLTA", "D1", "D2", "D3", "D4", "S1", "S2", "S3"),
        note="SD, SLTP/SMP, SLTA/SMA/SMK, D1–D4, S1–S3.",
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
    Column("address", "Alamat", True, example="Jl. Kartini No. 5 RT 01 RW 02", width=32),
    Column(
        "kind",
        "Jenis",
        True,
        example="PSM",
        width=18,
        note="Singkatan atau nama jenis SDM Kesos/PSKS (lihat lembar Jenis): PSM, Tagana, TKSK, …",
    ),
    Column(
        "asn_status",
        "Status ASN",
        True,
        example="Non-ASN",
        width=12,
        choices=("Non-ASN", "PNS", "PPPK"),
        note="Non-ASN, PNS atau PPPK.",
    ),
    Column(
        "golongan",
        "Golongan",
        example="",
        width=10,
        note="Untuk PNS, mis. III/a; bila kosong baris ditandai “data belum lengkap”.",
    ),
    Column("phone", "No. HP", example="081234567890", width=16, text_format=True),
    Column("sk_number", "Nomor SK", example="460/Kep.12-Dinsos/2025", width=24, text_format=True),
    Column("sk_date", "Tanggal SK", type=DATE, example="02-01-2025", width=14),
)
LABELS = {c.key: c.header for c in PERSON_COLUMNS}
TITLE = "SDM Kesos & PSKS perorangan"


@dataclass
class _Cells:
    line: int
    row: RowProblems
    nik: nik_rules.NIK | None
    values: dict[str, object]  # Person fields; optional ones only when the cell is filled
    desa_code: str | None
    kind_text: object
    sk: dict[str, object]  # Assignment SK fields, only when filled


@dataclass
class _Writes:
    new_persons: dict[str, Person] = field(default_factory=dict)
    changed_persons: dict[int, Person] = field(default_factory=dict)
    person_fields: set[str] = field(default_factory=set)
    new_assignments: list[tuple[str, Assignment]] = field(default_factory=list)
    changed_assignments: dict[int, Assignment] = field(default_factory=dict)
    assignment_fields: set[str] = field(default_factory=set)


def _read(sheet_row: SheetRow, today: date) -> _Cells:
    row = RowProblems.of(sheet_row, LABELS)
    nik = row.read("nik", parse_nik)
    values = {
        "name": row.read("name", required, "Nama", 150),
        "sex": row.read("sex", parse_sex),
        "birth_date": row.read("birth_date", parse_required_date, "Tanggal Lahir", today),
        "asn_status": row.read("asn_status", parse_asn),
    }
    optional = {
        "birth_place": row.read("birth_place", limited, "Tempat Lahir", 100),
        "education": row.read("education", parse_education),
        "address": row.read("address", limited, "Alamat", 250),
        "phone": row.read("phone", parse_phone),
        "golongan": row.read("golongan", parse_golongan),
    }
    values.update((k, v) for k, v in optional.items() if v not in (None, ""))
    desa_code = row.read("desa", parse_desa_code)
    sk = {
        "sk_number": row.read("sk_number", limited, "Nomor SK", 100),
        "sk_date": row.read("sk_date", parse_date, "Tanggal SK"),
    }
    sk = {k: v for k, v in sk.items() if v not in (None, "")}
    if nik is not None and values["sex"] and values["birth_date"]:
        row.errors.extend(nik_rules.consistency_problems(nik, sex=values["sex"], birth_date=values["birth_date"]))
    return _Cells(sheet_row.line, row, nik, values, desa_code, row.cell("kind"), sk)


class _Planner:
    """Decides the outcome of every person row against the database in a fixed number of queries."""

    def __init__(self, *, user: User, table: Table):
        self.user = user
        today = timezone.localdate()
        self.cells = [_read(sheet_row, today) for sheet_row in table.rows]
        niks = {c.nik.value for c in self.cells if c.nik}
        self.kinds = KindIndex((Subject.PERSON,))
        self.desa = DesaIndex(user, {c.desa_code for c in self.cells if c.desa_code})
        self.existing = {p.nik: p for p in in_chunks(Person.objects.select_related("desa"), "nik", niks)}
        # NIKs not held in the user's own area are looked up like a form's: logged, and limited per day.
        scope = scoping.user_scope(user)
        outside = {n: n in self.existing for n in niks if n not in self.existing or not
                   scope.contains(self.existing[n].desa)}  # fmt: skip
        self.outside = set(outside)
        self.outside_allowed = transfers.look_up_many(
            user=user, kind="registri", outside=outside, purpose="impor orang"
        )
        self.assignments: dict[tuple[int, int], Assignment] = {}
        for a in in_chunks(Assignment.objects.order_by("pk"), "person_id", [p.pk for p in self.existing.values()]):
            key = (a.person_id, a.kind_id)
            # Several roles of one kind: update the active one (else the latest).
            current = self.assignments.get(key)
            if current is None or a.status == AssignmentStatus.ACTIVE or current.status != AssignmentStatus.ACTIVE:
                self.assignments[key] = a
        prefixes = {c.nik.kecamatan_code for c in self.cells if c.nik}
        kecamatan = Wilayah.objects.filter(level=Wilayah.KECAMATAN).only("code")
        self.known_kecamatan = {w.code for w in in_chunks(kecamatan, "code", prefixes)}
        seats = Assignment.objects.filter(holds_tksk_seat=True).only("wilayah_id", "person_id")
        self.tksk_seats = {
            a.wilayah_id: a.person_id
            for a in in_chunks(seats, "wilayah_id", {w.kecamatan_id for w in self.desa.by_code.values()})
        }

    def plan(self) -> Plan:
        writes = _Writes()
        first_seen: dict[str, tuple[int, dict]] = {}  # nik → (line, values) of its first row
        roles_seen: dict[tuple[str, int], int] = {}  # (nik, kind) → line
        seats_taken: dict[str, str] = {}  # kecamatan → nik of a TKSK row in this file
        outcomes = [self._plan_row(cells, writes, first_seen, roles_seen, seats_taken) for cells in self.cells]
        return Plan(outcomes, writes)

    def _plan_row(self, cells: _Cells, writes: _Writes, first_seen, roles_seen, seats_taken) -> RowOutcome:
        row, values, nik = cells.row, cells.values, cells.nik
        kind = self.kinds.match(row, cells.kind_text)
        desa = self.desa.resolve(row, cells.desa_code)
        outcome = RowOutcome(
            cells.line,
            ERROR,
            ident=nik.masked() if nik else "",
            name=values.get("name") or "",
            kind=kind.short_name if kind else text(cells.kind_text),
            desa=f"{desa.code} {desa.name}" if desa else (cells.desa_code or ""),
        )
        existing = self.existing.get(nik.value) if nik else None
        if nik is not None:
            if nik.kecamatan_code not in self.known_kecamatan:
                row.warnings.append(f"Kode wilayah pada NIK ({nik.kecamatan_code}) bukan kode kecamatan yang dikenal.")
            if nik.value in self.outside and not self.outside_allowed:
                row.errors.append(transfers.LIMITED_MESSAGE)
            elif existing is not None and not scoping.can_change(self.user, existing.desa):
                row.errors.append(transfers.ELSEWHERE_ROW)
        if desa is not None:
            values["desa_id"] = desa.code
        self._flag_incomplete(row, values, existing)
        if nik is not None and not row.errors:
            earlier = first_seen.setdefault(nik.value, (cells.line, values))
            if earlier[1] != values:
                row.errors.append(f"NIK sama dengan baris {earlier[0]} tetapi data orangnya berbeda.")
            elif kind is not None and roles_seen.setdefault((nik.value, kind.pk), cells.line) != cells.line:
                row.errors.append(f"Duplikat baris {roles_seen[(nik.value, kind.pk)]} (NIK dan Jenis sama).")
        if (
            kind is not None
            and kind.code == TKSK_CODE
            and not row.errors
            and (existing is None or (existing.pk, kind.pk) not in self.assignments)
        ):
            self._check_tksk_seat(row, desa.kecamatan_id, nik.value, existing, seats_taken)
        outcome.errors, outcome.warnings = row.errors, row.warnings
        if row.errors:
            return outcome
        person_status = self._plan_person(nik.value, values, existing, writes, outcome)
        role_status = self._plan_assignment(nik.value, existing, kind, desa, cells.sk, writes, outcome)
        outcome.status = (
            NEW
            if NEW in (person_status, role_status)
            else (UPDATED if UPDATED in (person_status, role_status) else UNCHANGED)
        )
        return outcome

    @staticmethod
    def _flag_incomplete(row: RowProblems, values: dict, existing: Person | None) -> None:
        """What the person lacks only for eligibility or completeness, once the stored values are counted."""
        golongan = values.get("golongan") or (existing.golongan if existing else "")
        asn = values.get("asn_status") or (existing.asn_status if existing else "")
        if asn == AsnStatus.PNS and not golongan:
            row.incomplete(
                "Status ASN PNS tanpa Golongan (mis. III/a); kelayakan yang bergantung pada golongan "
                "belum dapat dinilai."
            )
        if not (values.get("birth_place") or (existing.birth_place if existing else "")):
            row.incomplete("Tempat Lahir kosong.")

    def _check_tksk_seat(
        self, row: RowProblems, kecamatan: str, nik: str, existing: Person | None, seats_taken
    ) -> None:
        holder = self.tksk_seats.get(kecamatan)
        if holder is not None and (existing is None or existing.pk != holder):
            row.errors.append(f"Kecamatan {kecamatan} sudah memiliki TKSK aktif lain (satu kecamatan satu TKSK).")
        elif seats_taken.setdefault(kecamatan, nik) != nik:
            row.errors.append(f"Kecamatan {kecamatan} sudah mendapat TKSK lain di berkas ini.")

    def _plan_person(
        self, nik: str, values: dict, existing: Person | None, writes: _Writes, outcome: RowOutcome
    ) -> str:
        if existing is None:
            if nik in writes.new_persons:
                return UNCHANGED  # a second role of a person this file creates
            writes.new_persons[nik] = Person(nik=nik, **values)
            return NEW
        if existing.pk in writes.changed_persons:
            return UNCHANGED  # a second role of a person this file changes
        changed = plan_update(
            existing, values, changed=writes.changed_persons, fields=writes.person_fields, outcome=outcome
        )
        return UPDATED if changed else UNCHANGED

    def _plan_assignment(
        self, nik: str, person: Person | None, kind: Kind, desa: Wilayah, sk: dict, writes: _Writes, outcome: RowOutcome
    ) -> str:
        current = self.assignments.get((person.pk, kind.pk)) if person else None
        if current is None:
            # ``save()`` is bypassed by bulk_create, so the "one active TKSK per kecamatan" mirror is set here.
            assignment = Assignment(person=person, kind=kind, wilayah_id=desa.kecamatan_id, **sk)
            assignment.holds_tksk_seat = Assignment.seat_flag(kind.code, assignment.status)
            writes.new_assignments.append((nik, assignment))
            if person is not None:
                outcome.changes.append(f"peran {kind.short_name} baru")
            return NEW
        changed = plan_update(
            current, sk, changed=writes.changed_assignments, fields=writes.assignment_fields, outcome=outcome
        )
        return UPDATED if changed else UNCHANGED


class PersonImporter(RosterImporter):
    """The person roster as an ``psks_portal.tabular.pipeline.Importer``."""

    key, title, columns, subjects, model, planner = "person", TITLE, PERSON_COLUMNS, (Subject.PERSON,), Person, _Planner
    template_lines = (
        "Satu baris untuk satu peran; orang dengan dua peran ditulis dua baris dengan data orang yang sama.",
        "NIK dicocokkan dengan data yang ada: NIK yang sudah terdaftar diperbarui, bukan ditambah.",
    )

    def write(self, plan: Plan, *, user: User) -> None:
        writes: _Writes = plan.writes
        now = timezone.now()
        created, _ = create_with_history(Person, list(writes.new_persons.values()), user=user, reason=self.reason)
        by_nik = {p.nik: p for p in created}
        for person in writes.changed_persons.values():
            person.updated_at = now
        update_with_history(
            Person,
            list(writes.changed_persons.values()),
            {*writes.person_fields, "updated_at"},
            user=user,
            reason=self.reason,
        )
        for nik, assignment in writes.new_assignments:
            if assignment.person_id is None:  # a role of a person created just now
                assignment.person = by_nik[nik]
        create_with_history(Assignment, [a for _, a in writes.new_assignments], user=user, reason=self.reason)
        update_with_history(
            Assignment,
            list(writes.changed_assignments.values()),
            writes.assignment_fields,
            user=user,
            reason=self.reason,
        )


PERSONS = PersonImporter()
