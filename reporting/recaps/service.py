"""Making recap files: the one entry point for the recap page's direct download and for background jobs.

``render_recap`` checks the user's scope, builds the recap from the roll-up selectors, applies the small-cell rule
for read-only viewers, and writes PDF, XLSX or CSV — into memory, or into a temporary file beside the target that is
moved into place only when complete (a failure never leaves a half-written file). Recording a file as an ``Export``
(storage, status, progress, expiry, failures) is the job's work in ``reporting.tasks``, for downloads made at once as
for those made in the background.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from psks_portal import periods, roles
from psks_portal.models import Wilayah
from psks_portal.scope import user_scope
from reporting.recaps import csv as csv_writer
from reporting.recaps import pdf as pdf_writer
from reporting.recaps import smallcells
from reporting.recaps import xlsx as xlsx_writer
from reporting.recaps.columns import RecapDocument
from reporting.recaps.generators import Options, RecapUnavailable, get_generator
from reporting.recaps.letterhead import issuer_for
from reporting.selectors import published_basis

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
    return roles.suppresses_small_cells(user) and get_generator(recap).sensitive


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
    shows this document; the writers print it.

    A read-only viewer gets the published figures whatever was asked: accepted reports only, and (for sensitive
    figures) no split by sex — exactly what the pages show them (``roles.suppresses_small_cells``)."""
    check_scope(user, wilayah)
    accepted_only = published_basis(user, accepted_only)
    if suppresses(user, recap):
        options = {**(options or {}), "by_sex": False}
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
