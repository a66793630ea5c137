"""Export of the by-name (BNBA) PMKS register as XLSX or CSV, only with a stated purpose.

Names and NIK leave the portal only for a reason the user states first (a purpose from a short list and a description
of at least ``PURPOSE_MIN_LENGTH`` characters); each export leaves one ``AccessLog`` row with that purpose, the filters
and the row count (never a name or NIK). A read-only Pimpinan never receives an export of names (``PermissionDenied``).
The rows are exactly the list page's (``register.filtered_records``): the user's scope narrowed by the same filters.
The file repeats the import headers first, so an exported file imports back unchanged; NIK and codes are text cells
(``psks_portal.tabular.writers``). The register's pages are never shown to a read-only viewer, and neither is this.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from pmks import register
from pmks.models import AccessLog, Category, PmksRecord
from psks_portal import scope as scoping
from psks_portal.logging import mask_digits
from psks_portal.models import User, Wilayah
from psks_portal.tabular.reader import DATE
from psks_portal.tabular.writers import ExportColumn, ExportFile, export_file

FILE_STEM = "bnba-pmks"
PURPOSE_MIN_LENGTH = 10
PURPOSES = [
    ("bantuan", "Penyaluran bantuan sosial"),
    ("penanganan", "Penanganan kasus atau rujukan"),
    ("verifikasi", "Verifikasi dan validasi data"),
    ("pelaporan", "Pelaporan kepada instansi berwenang"),
    ("perencanaan", "Perencanaan program atau anggaran"),
    ("lainnya", "Lainnya"),
]


def _kecamatan(record: PmksRecord) -> str:
    return record.desa.kecamatan.name if record.desa.kecamatan else ""


# The import headers first (see ``records.COLUMNS``), then what the list page shows besides.
EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("NIK", lambda r: r.nik, width=20),
    ExportColumn("Nama", lambda r: r.name, width=28),
    ExportColumn("Jenis Kelamin", lambda r: r.sex, width=14),
    ExportColumn("Tanggal Lahir", lambda r: r.birth_date, DATE, 14),
    ExportColumn("Kode Desa", lambda r: r.desa_id, width=16),
    ExportColumn("Alamat", lambda r: r.address, width=32),
    ExportColumn("Kategori", lambda r: "; ".join(c.code for c in _categories(r)), width=16),
    ExportColumn("Tanggal Teridentifikasi", lambda r: r.identified_on, DATE, 14),
    # The status values are the Indonesian words the import reads back, whatever the user's interface language.
    ExportColumn("Status Penanganan", lambda r: str(r.status).capitalize(), width=16),
    ExportColumn("Dirujuk Ke", lambda r: r.referral_target, width=24),
    ExportColumn("Catatan", lambda r: r.notes, width=32),
    ExportColumn("Desa/Kelurahan", lambda r: r.desa.name),
    ExportColumn("Kecamatan", _kecamatan),
)


def _categories(record: PmksRecord) -> list[Category]:
    return sorted(record.categories.all(), key=lambda c: (c.catalogue_id, c.number))


def can_export(user: User) -> bool:
    """By-name exports are for the roles that see names: never a read-only Pimpinan."""
    return scoping.user_scope(user).may_write


def purpose_text(purpose: str, description: str) -> str:
    """``"Penyaluran bantuan sosial: …"`` as logged (16-digit numbers masked, at most 300 characters)."""
    label = dict(PURPOSES).get(purpose, purpose)
    return mask_digits(f"{label}: {' '.join(description.split())}")[:300]


def record_export(
    *,
    user: User,
    fmt: str,
    purpose: str,
    description: str,
    wilayah: Wilayah | None = None,
    category: Category | None = None,
    status: str = "",
    q: str = "",
) -> ExportFile:
    """The filtered register as XLSX (or CSV), logged with its purpose and row count; refused without a purpose."""
    if not can_export(user):
        raise PermissionDenied
    if purpose not in dict(PURPOSES) or len(description.strip()) < PURPOSE_MIN_LENGTH:
        raise ValueError("An export of names needs a stated purpose.")
    records = register.filtered_records(user, wilayah=wilayah, category=category, status=status, q=q)
    rows = records.select_related("desa__kecamatan").iterator(chunk_size=2000)  # streamed into the file
    export = export_file(rows, EXPORT_COLUMNS, fmt=fmt, stem=FILE_STEM, on=timezone.localdate())
    AccessLog.objects.create(
        user=user,
        action=AccessLog.EXPORT,
        wilayah=wilayah or scoping.user_scope(user).wilayah,
        row_count=export.rows,
        purpose=purpose_text(purpose, description),
        filters={
            "wilayah": wilayah.code if wilayah else "",
            "kategori": category.code if category else "",
            "status": status,
            "cari_nama": bool(q),  # whether a name was searched, never the name itself
            "format": export.filename.rsplit(".", 1)[-1],
        },
    )
    return export
