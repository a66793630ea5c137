"""Exports of the registry rosters, built from the same selectors as the list pages.

The export repeats the import headers first (so an exported file can be imported back unchanged), then adds the
columns of the list page. A read-only viewer (Pimpinan) gets what the pages give them (``tabular.writers.for_viewer``):
NIK masked, no birth date, no phone. Each export leaves one ``LogEntry`` (filters shown, NIK-like searches masked).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from psks_portal import scope as scoping
from psks_portal.logging import mask_digits
from psks_portal.models import User, Wilayah
from psks_portal.tabular.reader import DATE
from psks_portal.tabular.writers import HIDDEN, NIK, ExportColumn, ExportFile, export_file, for_viewer
from registry import selectors
from registry.io.cells import EDUCATION_CODES
from registry.io.organisations import TITLE as ORGANISATION_TITLE
from registry.io.organisations import chair_name
from registry.io.persons import TITLE as PERSON_TITLE
from registry.models import AsnStatus, AssignmentStatus, Kind, LegalStatus, Organisation, Person

EXPORT_ACTION_FLAG = 4  # LogEntry flag for "exported" (Django uses 1–3 for added/changed/deleted)

# Values come from ``selectors.roster`` rows (person) and ``organisation_roster`` pairs.
PERSON_EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("NIK", lambda r: r.person.nik, width=20, personal=NIK),
    ExportColumn("Nama", lambda r: r.person.name, width=28),
    ExportColumn("Jenis Kelamin", lambda r: r.person.sex, width=14),
    ExportColumn("Tempat Lahir", lambda r: r.person.birth_place),
    ExportColumn("Tanggal Lahir", lambda r: r.person.birth_date, DATE, 14, personal=HIDDEN),
    ExportColumn("Pendidikan", lambda r: EDUCATION_CODES.get(r.person.education, ""), width=14),
    ExportColumn("Kode Desa", lambda r: r.person.desa_id, width=16),
    ExportColumn("Alamat", lambda r: r.person.address, width=32),
    ExportColumn("Jenis", lambda r: r.assignment.kind.short_name),
    ExportColumn("Status ASN", lambda r: AsnStatus(r.person.asn_status).label, width=12),
    ExportColumn("Golongan", lambda r: r.person.golongan, width=10),
    ExportColumn("No. HP", lambda r: r.person.phone, width=16, personal=HIDDEN),
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
    ExportColumn(
        "Status Badan Hukum", lambda r: LegalStatus(r[0].legal_status).label if r[0].legal_status else "", width=22
    ),
    ExportColumn("Nomor Tanda Daftar", lambda r: r[0].registration_number, width=24),
    ExportColumn("Ketua", lambda r: chair_name(r[0]), width=24),
    ExportColumn("No. HP", lambda r: r[0].phone, width=16, personal=HIDDEN),
    ExportColumn("Desa/Kelurahan", lambda r: r[0].desa.name),
    ExportColumn("Kecamatan", lambda r: r[0].desa.kecamatan.name if r[0].desa.kecamatan else ""),
    ExportColumn("Status", lambda r: "Aktif" if r[0].is_active else "Tidak aktif", width=12),
    ExportColumn("Kelayakan", lambda r: r[1].status_label, width=20),
    ExportColumn("Keterangan Kelayakan", lambda r: " ".join(r[1].reasons), width=48),
)


def _audit_value(key: str, value: str) -> str:
    # The search text may be (part of) a NIK: record only that digits were searched for.
    return "(angka disamarkan)" if key == "q" and re.search(r"\d{4}", value) else value


def _export(
    model: type,
    title: str,
    stem: str,
    columns: tuple[ExportColumn, ...],
    rows: Iterable,
    *,
    user: User,
    fmt: str,
    filters: dict[str, str],
) -> ExportFile:
    shown_columns = for_viewer(columns, read_only=scoping.user_scope(user).read_only)
    export = export_file(rows, shown_columns, fmt=fmt, stem=stem, on=timezone.localdate())
    fmt = export.filename.rsplit(".", 1)[-1]
    shown = ", ".join(f"{k}={_audit_value(k, v)}" for k, v in sorted(filters.items()) if v) or "tanpa saringan"
    LogEntry.objects.create(
        user_id=user.pk,
        content_type_id=ContentType.objects.get_for_model(model).pk,
        object_id="",
        object_repr=f"Ekspor {fmt.upper()} {title}",
        action_flag=EXPORT_ACTION_FLAG,
        change_message=mask_digits(f"Ekspor {fmt.upper()}: {export.rows} baris; saringan: {shown}"),
    )
    return export


def person_export(
    *,
    user: User,
    fmt: str,
    filters: dict[str, str],
    wilayah: Wilayah | None = None,
    kind: Kind | None = None,
    status: str = "",
    q: str = "",
    eligibility_status: str = "",
    on: date | None = None,
) -> ExportFile:
    """The filtered person roster (exactly ``selectors.roster``) as XLSX or CSV, recorded in the audit trail.

    The rows stream a chunk at a time (``selectors.iter_roster``) into the file: memory does not grow with rows."""
    rows = selectors.iter_roster(
        user, wilayah=wilayah, kind=kind, status=status, q=q, eligibility_status=eligibility_status, on=on
    )
    return _export(
        Person, PERSON_TITLE, "sdm-kesos-psks", PERSON_EXPORT_COLUMNS, rows, user=user, fmt=fmt, filters=filters
    )


def organisation_export(
    *,
    user: User,
    fmt: str,
    filters: dict[str, str],
    wilayah: Wilayah | None = None,
    kind: Kind | None = None,
    active: bool | None = None,
    q: str = "",
    eligibility_status: str = "",
    on: date | None = None,
) -> ExportFile:
    """The filtered organisation roster (exactly ``selectors.organisation_roster``), recorded in the audit trail."""
    rows = selectors.organisation_roster(
        user, wilayah=wilayah, kind=kind, active=active, q=q, eligibility_status=eligibility_status, on=on
    )
    return _export(
        Organisation,
        ORGANISATION_TITLE,
        "lembaga-psks",
        ORGANISATION_EXPORT_COLUMNS,
        rows,
        user=user,
        fmt=fmt,
        filters=filters,
    )
