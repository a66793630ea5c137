"""Importing the organisation roster (LKS, Karang Taruna, families …): organisations match on registration number,
else on name + desa; the chair (Ketua) is kept as a board member."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from psks_portal import scope as scoping
from psks_portal.models import User, Wilayah
from psks_portal.tabular.cells import RowProblems, limited, parse_desa_code, parse_phone, required, text
from psks_portal.tabular.lookups import DesaIndex, in_chunks
from psks_portal.tabular.pipeline import Plan, create_with_history, plan_update, update_with_history
from psks_portal.tabular.preview import ERROR, NEW, UNCHANGED, UPDATED, RowOutcome
from psks_portal.tabular.reader import Column, SheetRow, Table, header_key
from registry.io.cells import KindIndex, RosterImporter, parse_legal_status
from registry.models import BoardMember, Organisation, Subject

ORGANISATION_COLUMNS: tuple[Column, ...] = (
    Column("name", "Nama Lembaga", True, example="LKS Harapan Bunda", width=32),
    Column(
        "kind",
        "Jenis",
        True,
        example="LKS",
        width=18,
        note="Singkatan atau nama jenis lembaga/keluarga (lihat lembar Jenis): LKS, Karang Taruna, LK3, …",
    ),
    Column(
        "desa",
        "Kode Desa",
        True,
        example="32.74.01.1001",
        width=16,
        text_format=True,
        note="Kode Kemendagri desa/kelurahan kedudukan lembaga (lihat lembar Kode Desa).",
    ),
    Column("address", "Alamat", True, example="Jl. Siliwangi No. 10", width=32),
    Column(
        "legal_status",
        "Status Badan Hukum",
        True,
        example="Berbadan hukum",
        width=22,
        choices=("Berbadan hukum", "Tidak berbadan hukum"),
        note="Berbadan hukum atau Tidak berbadan hukum.",
    ),
    Column(
        "registration_number",
        "Nomor Tanda Daftar",
        True,
        example="460/123/Dinsos/2024",
        width=24,
        text_format=True,
        note="Dipakai untuk mencocokkan lembaga yang sudah terdaftar.",
    ),
    Column("chair", "Ketua", example="Ahmad Fauzi", width=24),
    Column("phone", "No. HP", example="081234567890", width=16, text_format=True),
)
LABELS = {c.key: c.header for c in ORGANISATION_COLUMNS}
SUBJECTS = (Subject.ORGANISATION, Subject.FAMILY)
TITLE = "Lembaga dan keluarga PSKS"


def chair_name(org: Organisation) -> str:
    return next((m.name for m in org.board.all() if m.position.strip().casefold() == "ketua"), "")


@dataclass
class _Cells:
    line: int
    row: RowProblems
    values: dict[str, object]
    desa_code: str | None
    kind_text: object
    chair: str


@dataclass
class _Writes:
    new_orgs: list[tuple[Organisation, str]] = field(default_factory=list)  # (organisation, chair)
    changed_orgs: dict[int, Organisation] = field(default_factory=dict)
    org_fields: set[str] = field(default_factory=set)
    new_members: list[BoardMember] = field(default_factory=list)
    changed_members: dict[int, BoardMember] = field(default_factory=dict)


def _read(sheet_row: SheetRow) -> _Cells:
    row = RowProblems.of(sheet_row, LABELS)
    values = {"name": row.read("name", required, "Nama Lembaga", 200)}
    optional = {
        "address": row.read("address", limited, "Alamat", 250),
        "legal_status": row.read("legal_status", parse_legal_status),
        "registration_number": row.read("registration_number", limited, "Nomor Tanda Daftar", 100),
        "phone": row.read("phone", parse_phone),
    }
    values.update((k, v) for k, v in optional.items() if v)
    desa_code = row.read("desa", parse_desa_code)
    chair = row.read("chair", limited, "Ketua", 150) or ""
    return _Cells(sheet_row.line, row, values, desa_code, row.cell("kind"), chair)


class _Planner:
    """Decides the outcome of every organisation row in a fixed number of queries."""

    def __init__(self, *, user: User, table: Table):
        self.user = user
        self.cells = [_read(sheet_row) for sheet_row in table.rows]
        self.kinds = KindIndex(SUBJECTS)
        self.desa = DesaIndex(user, {c.desa_code for c in self.cells if c.desa_code})
        base = Organisation.objects.select_related("desa")
        numbers = {c.values["registration_number"] for c in self.cells if c.values.get("registration_number")}
        self.by_number = {o.registration_number: o for o in in_chunks(base, "registration_number", numbers)}
        self.by_name: dict[tuple[str, str], list[Organisation]] = defaultdict(list)
        for org in in_chunks(base.order_by("pk"), "desa_id", self.desa.by_code):
            self.by_name[(header_key(org.name), org.desa_id)].append(org)
        known = {o.pk: o for o in [*self.by_number.values(), *(o for v in self.by_name.values() for o in v)]}
        self.chairs: dict[int, BoardMember] = {}
        for member in in_chunks(BoardMember.objects.order_by("pk"), "organisation_id", known):
            if member.position.strip().casefold() == "ketua":
                self.chairs.setdefault(member.organisation_id, member)

    def plan(self) -> Plan:
        writes, seen = _Writes(), {}
        return Plan([self._plan_row(cells, writes, seen) for cells in self.cells], writes)

    def _match(self, row: RowProblems, values: dict, desa: Wilayah) -> Organisation | None:
        number = values.get("registration_number")
        if number and number in self.by_number:
            return self.by_number[number]
        candidates = self.by_name.get((header_key(values["name"]), desa.code), [])
        if number:
            candidates = [o for o in candidates if not o.registration_number]
        if len(candidates) > 1:
            row.errors.append(
                "Ada lebih dari satu lembaga dengan nama ini di desa tersebut; isi Nomor Tanda Daftar "
                "untuk menentukan yang dimaksud."
            )
        return candidates[0] if candidates else None

    def _plan_row(self, cells: _Cells, writes: _Writes, seen: dict) -> RowOutcome:
        row, values = cells.row, cells.values
        kind = self.kinds.match(row, cells.kind_text)
        desa = self.desa.resolve(row, cells.desa_code)
        outcome = RowOutcome(
            cells.line,
            ERROR,
            ident=values.get("registration_number", ""),
            name=values.get("name") or "",
            kind=kind.short_name if kind else text(cells.kind_text),
            desa=f"{desa.code} {desa.name}" if desa else (cells.desa_code or ""),
        )
        existing = None
        if desa is not None and values["name"]:
            existing = self._match(row, values, desa)
            if existing is not None and not scoping.can_change(self.user, existing.desa):
                row.errors.append("Nomor Tanda Daftar ini sudah dipakai lembaga di luar wilayah Anda.")
            keys = [
                ("nomor", values.get("registration_number")),
                ("nama", header_key(values["name"]), desa.code),
                ("lembaga", existing.pk if existing else None),
            ]
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
        changed = plan_update(existing, values, changed=writes.changed_orgs, fields=writes.org_fields, outcome=outcome)
        chair_changed = self._plan_chair(existing, cells.chair, writes)
        if chair_changed:
            outcome.changes.append("ketua")
        outcome.status = UPDATED if changed or chair_changed else UNCHANGED
        return outcome

    def _plan_chair(self, org: Organisation, chair: str, writes: _Writes) -> bool:
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


class OrganisationImporter(RosterImporter):
    """The organisation roster as an ``psks_portal.tabular.pipeline.Importer``."""

    key, title, columns, subjects = "organisation", TITLE, ORGANISATION_COLUMNS, SUBJECTS
    model, planner = Organisation, _Planner
    template_lines = ("Lembaga dicocokkan menurut Nomor Tanda Daftar, atau bila kosong menurut nama dan kode desa.",)

    def write(self, plan: Plan, *, user: User) -> None:
        writes: _Writes = plan.writes
        reason, now = self.reason, timezone.now()
        created, _ = create_with_history(Organisation, [org for org, _ in writes.new_orgs], user=user, reason=reason)
        members = [
            BoardMember(organisation=org, name=chair, position="Ketua")
            for org, (_, chair) in zip(created, writes.new_orgs, strict=True)
            if chair
        ]
        for org in writes.changed_orgs.values():
            org.updated_at = now
        update_with_history(
            Organisation,
            list(writes.changed_orgs.values()),
            {*writes.org_fields, "updated_at"},
            user=user,
            reason=reason,
        )
        create_with_history(BoardMember, [*members, *writes.new_members], user=user, reason=reason)
        update_with_history(BoardMember, list(writes.changed_members.values()), {"name"}, user=user, reason=reason)


ORGANISATIONS = OrganisationImporter()
