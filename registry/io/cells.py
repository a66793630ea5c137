"""Registry cells and the pieces both roster importers share: kinds, education, ASN status, golongan, legal status,
matching a ``Jenis`` cell, change lists, the import log (``LogEntry``) and the XLSX template."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from openpyxl import Workbook

from psks_portal.logging import mask_digits
from psks_portal.models import User
from psks_portal.tabular import templates
from psks_portal.tabular.cells import CellError, RowProblems, choice_list, text
from psks_portal.tabular.preview import ImportPreview
from psks_portal.tabular.reader import Column, header_key
from registry.models import GOLONGAN, AsnStatus, Education, Kind, LegalStatus, Subject

EDUCATION_CODES = {
    Education.TIDAK_SEKOLAH: "Tidak sekolah",
    Education.SD: "SD",
    Education.SLTP: "SLTP",
    Education.SLTA: "SLTA",
    Education.D1: "D1",
    Education.D2: "D2",
    Education.D3: "D3",
    Education.D4: "D4",
    Education.S1: "S1",
    Education.S2: "S2",
    Education.S3: "S3",
}
_EDUCATION_WORDS = {
    "TIDAKSEKOLAH": Education.TIDAK_SEKOLAH,
    "TIDAK": Education.TIDAK_SEKOLAH,
    "BELUMSEKOLAH": Education.TIDAK_SEKOLAH,
    "TIDAKBELUMSEKOLAH": Education.TIDAK_SEKOLAH,
    "SD": Education.SD,
    "MI": Education.SD,
    "SLTP": Education.SLTP,
    "SMP": Education.SLTP,
    "MTS": Education.SLTP,
    "SLTA": Education.SLTA,
    "SMA": Education.SLTA,
    "SMK": Education.SLTA,
    "MA": Education.SLTA,
    "D1": Education.D1,
    "DI": Education.D1,
    "D2": Education.D2,
    "DII": Education.D2,
    "D3": Education.D3,
    "DIII": Education.D3,
    "D4": Education.D4,
    "DIV": Education.D4,
    "S1": Education.S1,
    "S2": Education.S2,
    "S3": Education.S3,
}


def parse_education(value: object) -> int | None:
    """``SLTA``, ``SMA``, ``SLTA/SMA/SMK/sederajat``, ``D-III``, ``S1`` … → ``Education``; empty is ``None``."""
    cell = text(value)
    if not cell:
        return None
    levels = set()
    for part in re.split(r"[/,]", cell):
        word = re.sub(r"[^A-Z0-9]", "", part.upper())
        if word in ("", "SEDERAJAT"):
            continue
        if word not in _EDUCATION_WORDS:
            levels = set()
            break
        levels.add(_EDUCATION_WORDS[word])
    if len(levels) != 1:
        raise CellError(f"Pendidikan “{cell}” tidak dikenal (pakai SD, SLTP, SLTA, D1–D4, S1–S3).")
    return int(levels.pop())


_ASN = {
    "NONASN": AsnStatus.NON_ASN,
    "NON": AsnStatus.NON_ASN,
    "PNS": AsnStatus.PNS,
    "PPPK": AsnStatus.PPPK,
    "P3K": AsnStatus.PPPK,
}


def parse_asn(value: object) -> str:
    cell = text(value)
    if not cell:
        raise CellError("Status ASN wajib diisi (Non-ASN, PNS atau PPPK).")
    try:
        return str(_ASN[re.sub(r"[^A-Z0-9]", "", cell.upper())])
    except KeyError:
        raise CellError(f"Status ASN harus Non-ASN, PNS atau PPPK, bukan “{cell}”.") from None


def parse_golongan(value: object) -> str:
    cell = text(value)
    if not cell:
        return ""
    match = re.match(r"^(IV|III|II|I)\s*[/\-. ]?\s*([A-Ea-e])$", cell.upper())
    golongan = f"{match.group(1)}/{match.group(2).lower()}" if match else ""
    if golongan not in GOLONGAN:
        raise CellError(f"Golongan “{cell}” tidak dikenal (contoh: II/c, III/a).")
    return golongan


_LEGAL = {
    "berbadanhukum": LegalStatus.BADAN_HUKUM,
    "badanhukum": LegalStatus.BADAN_HUKUM,
    "bh": LegalStatus.BADAN_HUKUM,
    "ya": LegalStatus.BADAN_HUKUM,
    "tidakberbadanhukum": LegalStatus.TIDAK,
    "belumberbadanhukum": LegalStatus.TIDAK,
    "tidak": LegalStatus.TIDAK,
    "belum": LegalStatus.TIDAK,
    "nonbh": LegalStatus.TIDAK,
}


def parse_legal_status(value: object) -> str:
    cell = text(value)
    if not cell:
        return ""
    try:
        return str(_LEGAL[re.sub(r"[^a-z]", "", cell.casefold())])
    except KeyError:
        raise CellError(
            f"Status Badan Hukum harus “Berbadan hukum” atau “Tidak berbadan hukum”, bukan “{cell}”."
        ) from None


class KindIndex:
    """Matches a ``Jenis`` cell against every kind's name, abbreviation, code and aliases, case-insensitively."""

    def __init__(self, subjects: Sequence[str]):
        self.subjects = tuple(subjects)
        self.by_name: dict[str, Kind] = {}
        accepted = []
        for kind in Kind.objects.order_by("sort_order", "name"):
            for name in kind.names_for_matching():
                self.by_name.setdefault(header_key(name), kind)
            if kind.is_active and kind.subject in self.subjects:
                accepted.append(kind.short_name)
        self.accepted = choice_list(accepted) if accepted else "—"

    def match(self, row: RowProblems, value: object) -> Kind | None:
        cell = text(value)
        if not cell:
            row.errors.append("Jenis wajib diisi (mis. PSM, Tagana, TKSK, LKS).")
            return None
        kind = self.by_name.get(header_key(cell))
        if kind is None:
            row.errors.append(f"Jenis “{cell}” tidak dikenal. Jenis yang diterima: {self.accepted}.")
        elif kind.subject not in self.subjects:
            wanted = "perorangan" if Subject.PERSON in self.subjects else "lembaga atau keluarga"
            row.errors.append(
                f"Jenis “{cell}” ({kind.get_subject_display().lower()}) tidak dapat diimpor sebagai "
                f"{wanted}. Jenis yang diterima: {self.accepted}."
            )
            kind = None
        elif not kind.is_active:
            row.errors.append(f"Jenis “{cell}” sudah tidak aktif.")
            kind = None
        return kind


def log_import(user: User, *, model: type, title: str, preview: ImportPreview, filename: str) -> None:
    """One ``LogEntry`` per written import (who, when, the masked file name, the counts); dry runs are not logged."""
    if not preview.applied:
        return
    LogEntry.objects.create(
        user_id=user.pk,
        content_type_id=ContentType.objects.get_for_model(model).pk,
        object_id="",
        object_repr=mask_digits(f"Impor {title}: {Path(filename).name}")[:200],
        action_flag=CHANGE,
        change_message=f"Impor berkas: {preview.summary()}",
    )


def roster_template(
    *, title: str, columns: Sequence[Column], subjects: Sequence[str], lines: Sequence[str], user: User
) -> bytes:
    """The empty roster template: a Data sheet with the headers, text/date formats and drop-downs, a Petunjuk sheet,
    the kinds this roster takes and the desa codes inside the user's wilayah."""
    workbook = Workbook()
    kinds = list(Kind.objects.active().filter(subject__in=subjects).order_by("sort_order", "name"))
    templates.template_data_sheet(workbook, columns, lists={"kind": f"Jenis!$A$2:$A${len(kinds) + 1}"})
    templates.template_help_sheet(
        workbook.create_sheet("Petunjuk"), title=f"Templat impor {title}", lines=lines, columns=columns
    )
    templates.template_list_sheet(
        workbook.create_sheet("Jenis"),
        ["Singkatan/nama", "Nama lengkap", "Nama lain yang juga diterima", "Subjek"],
        ([k.short_name, k.name, k.aliases, k.get_subject_display()] for k in kinds),
        (28, 60, 40, 18),
    )
    templates.template_desa_sheet(workbook.create_sheet("Kode Desa"), user)
    return templates.workbook_bytes(workbook)


class RosterImporter:
    """What both roster importers share (an ``psks_portal.tabular.pipeline.Importer``): the planner runs the rows,
    written imports are logged, the template lists the roster's kinds. Subclasses name these and ``write``."""

    key: str
    title: str
    columns: tuple[Column, ...]
    subjects: tuple[str, ...]
    model: type
    planner: type
    template_lines: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return f"Impor berkas daftar {self.title}"

    def plan(self, table, *, user: User):
        return self.planner(user=user, table=table).plan()

    def log(self, preview: ImportPreview, *, user: User, filename: str) -> None:
        log_import(user, model=self.model, title=self.title, preview=preview, filename=filename)

    def template(self, *, user: User) -> bytes:
        return roster_template(
            title=self.title, columns=self.columns, subjects=self.subjects, lines=self.template_lines, user=user
        )
