"""Making recap files: the one entry point for the recap page's direct download and for background jobs.

``render_recap`` checks the user's scope, builds the recap from the roll-up selectors, applies the small-cell rule
for read-only viewers, and writes PDF, XLSX or CSV — into memory, or into a temporary file beside the target that is
moved into place only when complete (a failure never leaves a half-written file). ``export_recap`` does the same
for an ``Export`` row (created here, or the queued one a job was given): status, progress, file, size and rows are
recorded, and a failure is recorded with its reason before the exception goes on to the caller.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from psks_portal import periods
from psks_portal.models import Wilayah
from psks_portal.scope import user_scope
from reporting.models import Export, ExportStatus
from reporting.recaps import csv as csv_writer
from reporting.recaps import pdf as pdf_writer
from reporting.recaps import smallcells
from reporting.recaps import xlsx as xlsx_writer
from reporting.recaps.columns import RecapDocument
from reporting.recaps.generators import Options, RecapUnavailable, get_generator
from reporting.recaps.letterhead import issuer_for

logger = logging.getLogger(__name__)

FORMATS = {"pdf": pdf_writer.CONTENT_TYPE, "xlsx": xlsx_writer.CONTENT_TYPE, "csv": csv_writer.CONTENT_TYPE}
FORMAT_CHOICES = [("pdf", "PDF (dokumen resmi)"), ("xlsx", "Excel (XLSX)"), ("csv", "CSV (untuk mesin)")]
Progress = Callable[[int], None]


class RecapOutOfScope(Http404):
    """The wilayah lies outside the user's scope (answered as 404, like every scoped object)."""


@dataclass(frozen=True)
class RecapFile:
    """A rendered recap: in memory (``content``) or at ``path``; ``rows`` = data rows (totals not counted)."""

    filename: str
    content_type: str
    rows: int
    size: int
    content: bytes | None = None
    path: Path | None = None


def check_scope(user, wilayah: Wilayah | None) -> None:
    """A user recaps only inside their own wilayah (a national scope may recap the whole country)."""
    if not user_scope(user).contains(wilayah):
        raise RecapOutOfScope("Wilayah di luar cakupan Anda.")


def suppresses(user, recap: str) -> bool:
    """The small-cell rule applies to read-only viewers (Pimpinan) on recaps of sensitive figures (PMKS)."""
    return user_scope(user).read_only and get_generator(recap).sensitive


def recap_filename(recap: str, wilayah: Wilayah | None, period: periods.Period, fmt: str) -> str:
    """rekap-pmks-32.07-kabupaten-ciamis-2026Q1.pdf"""
    area = f"{wilayah.code}-{slugify(wilayah.label)}" if wilayah else "nasional"
    return f"rekap-{recap}-{area}-{period.id}.{fmt}"


def build_document(
    *,
    user,
    recap: str,
    wilayah: Wilayah | None,
    period: periods.Period,
    accepted_only: bool = True,
    options: dict | None = None,
) -> RecapDocument:
    """The recap's sections for ``user`` (scope checked; small figures withheld for a Pimpinan). The HTML preview
    shows this document; the writers print it."""
    check_scope(user, wilayah)
    if wilayah is not None and wilayah.level > Wilayah.KECAMATAN:
        raise RecapUnavailable("Rekap dibuat untuk kecamatan, kabupaten/kota, provinsi atau nasional.")
    generator = get_generator(recap)
    if not generator.is_available_to(user):
        raise RecapOutOfScope("Rekap ini tidak tersedia untuk Anda.")
    document = generator.build(
        wilayah=wilayah, period=period, accepted_only=accepted_only, options=Options.from_dict(options)
    )
    if suppresses(user, recap):
        smallcells.apply(document)
    return document


def estimate_rows(*, recap: str, wilayah: Wilayah | None, options: dict | None = None) -> int:
    """About how many table rows a recap will have: for choosing between a direct download and a background job."""
    return get_generator(recap).estimate_rows(wilayah=wilayah, options=Options.from_dict(options))


def _write(document: RecapDocument, fmt: str, handle, *, user, progress: Progress | None) -> int:
    made_at = timezone.localtime()
    made_by = user.get_full_name() or user.get_username()
    issuer = issuer_for(user, document.wilayah)
    if fmt == "pdf":
        return pdf_writer.write_pdf(
            document, handle, issuer=issuer, made_at=made_at, made_by=made_by, progress=progress
        )
    if fmt == "xlsx":
        return xlsx_writer.write_xlsx(
            document,
            handle,
            made_by=made_by,
            made_at=made_at,
            issuer_office=f"{issuer.office} {issuer.position_area}".strip(),
            progress=progress,
        )
    return csv_writer.write_csv(document, handle, delimiter=document.options.get("delimiter", ","), progress=progress)


def render_recap(
    *,
    user,
    recap: str,
    wilayah: Wilayah | None,
    period: periods.Period,
    fmt: str,
    accepted_only: bool = True,
    options: dict | None = None,
    progress: Progress | None = None,
    target: Path | None = None,
) -> RecapFile:
    """Make one recap file for ``user``.

    ``fmt`` is ``pdf``, ``xlsx`` or ``csv``; ``options``: ``detail`` (level of the per-child-area sections, 0 =
    summary only), ``by_sex`` (PMKS L/P/Jml), ``formulas`` (XLSX totals as SUM), ``delimiter`` (CSV ``,``/``;``).
    ``progress(percent)`` is called as the work advances (0–100). Without ``target`` the file is returned in
    memory; with it, it is written to a temporary file in the same directory and renamed onto ``target`` only once
    complete. Raises ``RecapOutOfScope`` (a 404) outside the user's wilayah, ``RecapUnavailable`` for a recap that
    cannot be made.
    """
    if fmt not in FORMATS:
        raise RecapUnavailable(f"Format tidak dikenal: {fmt!r}")
    report = progress or (lambda percent: None)
    report(0)
    document = build_document(
        user=user, recap=recap, wilayah=wilayah, period=period, accepted_only=accepted_only, options=options
    )
    report(10)

    def scaled(percent: int) -> None:  # the writers report 0–100 of their own share (10–99)
        report(10 + int(percent * 0.89))

    filename = recap_filename(recap, wilayah, period, fmt)
    if target is None:
        buffer = io.BytesIO()
        rows = _write(document, fmt, buffer, user=user, progress=scaled)
        content = buffer.getvalue()
        report(100)
        return RecapFile(filename, FORMATS[fmt], rows, len(content), content=content)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed or deleted
        dir=target.parent, prefix=".tmp-", suffix=f".{fmt}", delete=False
    )
    try:
        with handle:
            rows = _write(document, fmt, handle, user=user, progress=scaled)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(handle.name)
        raise
    report(100)
    return RecapFile(filename, FORMATS[fmt], rows, target.stat().st_size, path=target)


def _storage_target(export: Export, filename: str) -> tuple[str, Path | None]:
    """The storage name of an export's file, ``unduhan/YYYY/MM/<random>-<filename>`` (not guessable: the files
    are served only through the owner-checking download views), and its local path (``None`` for a storage
    without local files, e.g. object storage)."""
    name = export.file.field.generate_filename(export, f"{secrets.token_urlsafe(12)}-{filename}")
    try:
        return name, Path(default_storage.path(name))
    except NotImplementedError:
        return name, None


def _render_into_storage(name: str, path: Path | None, **kwargs) -> tuple[str, RecapFile]:
    """Render onto the storage's local path (atomic rename), or — for a remote storage — into a local temporary
    file that is uploaded only once complete."""
    if path is not None:
        return name, render_recap(target=path, **kwargs)
    with tempfile.TemporaryDirectory() as directory:
        made = render_recap(target=Path(directory) / Path(name).name, **kwargs)
        with made.path.open("rb") as handle:
            saved = default_storage.save(name, File(handle))
    return saved, made


def export_recap(
    *,
    user,
    recap: str,
    wilayah: Wilayah | None,
    period: periods.Period,
    fmt: str,
    accepted_only: bool = True,
    options: dict | None = None,
    export: Export | None = None,
    progress: Progress | None = None,
) -> Export:
    """Make a recap file and record it in ``Export`` (who, what, wilayah, period, format, file, size, rows, when).

    Give ``export`` (a queued row a background job was created for) to fill that row; otherwise a new row is made.
    The scope is checked before any row is written: outside it ``RecapOutOfScope`` is raised and nothing recorded.
    Progress is saved on the row (every 5 %) and passed on to ``progress``. A failure marks the row failed with the
    reason, removes any partial file and re-raises.
    """
    check_scope(user, wilayah)
    get_generator(recap)  # an unknown recap is refused before a row is written
    if fmt not in FORMATS:
        raise RecapUnavailable(f"Format tidak dikenal: {fmt!r}")
    fields = {
        "user": user, "recap": recap, "format": fmt, "wilayah": wilayah, "period": period.id,
        "options": {**(options or {}), "accepted_only": accepted_only},
    }  # fmt: skip
    if export is None:
        export = Export.objects.create(status=ExportStatus.RUNNING, **fields)
    else:
        for name, value in fields.items():
            setattr(export, name, value)
        export.status, export.error, export.progress = ExportStatus.RUNNING, "", 0
        export.save()
    last = [0]

    def report(percent: int) -> None:
        if percent >= last[0] + 5 or percent == 100:
            last[0] = percent
            Export.objects.filter(pk=export.pk).update(progress=percent)
        if progress:
            progress(percent)

    filename = recap_filename(recap, wilayah, period, fmt)
    name, path = _storage_target(export, filename)
    try:
        name, made = _render_into_storage(
            name,
            path,
            user=user,
            recap=recap,
            wilayah=wilayah,
            period=period,
            fmt=fmt,
            accepted_only=accepted_only,
            options=options,
            progress=report,
        )
    except Exception as exc:
        logger.exception("Recap export %s failed", export.pk)
        export.status, export.error, export.finished_at = ExportStatus.FAILED, _reason(exc), timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        raise
    export.file.name = name
    export.filename, export.size, export.rows = made.filename, made.size, made.rows
    export.status, export.progress, export.finished_at = ExportStatus.DONE, 100, timezone.now()
    ttl = getattr(settings, "EXPORT_FILE_TTL_HOURS", None)  # the downloads page's expiry, when configured
    export.expires_at = export.finished_at + timedelta(hours=ttl) if ttl else None
    export.save(update_fields=["file", "filename", "size", "rows", "status", "progress", "finished_at", "expires_at"])
    return export


def _reason(exc: Exception) -> str:
    """What the user is told: our own messages as they are, anything else as a generic line (details in the log)."""
    if isinstance(exc, RecapUnavailable | Http404):
        return str(exc) or "Rekap tidak dapat dibuat."
    return "Terjadi kesalahan saat membuat berkas; administrator dapat melihat rinciannya di log."
