"""Recap exports as background jobs (the Django tasks API: ``django-tasks`` now, ``django.tasks`` from Django 6).

Every export is an ``Export`` row: ``export_request`` records it and queues ``export_build``; the job moves the row
queued → running → done (with the file) or failed (with a reason in Indonesian and no file left behind). With the
immediate backend (the embedded default) the job runs inside the request; with the database backend it waits for a
``manage.py db_worker`` process. Files live under ``MEDIA_ROOT/unduhan/`` with random names, are served only by the
owner-checking download view, and are deleted by ``exports_expire`` (``manage.py expire_exports``) when they expire.

The file itself is made by the recaps service (``reporting.recaps.service``); ``render`` is the one place that knows
how to call it.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from psks_portal import periods
from psks_portal.models import Wilayah
from psks_portal.scope import can_view, user_scope
from reporting.models import Export, ExportStatus

logger = logging.getLogger(__name__)

Progress = Callable[[float], None]


class ExportFailed(Exception):
    """An export that cannot be made, with the reason to show its owner (already in Indonesian)."""


@dataclass(frozen=True)
class Rendered:
    """A finished recap file: where it was written, the name to offer the user, and its number of data rows."""

    path: Path
    filename: str
    rows: int | None = None


def generic_failure() -> str:
    return _("Terjadi kesalahan saat membuat berkas. Silakan coba lagi; bila terulang, hubungi admin portal.")


# -- the recaps service ----------------------------------------------------------------------------------------------


def render(export: Export, directory: Path, progress: Progress) -> Rendered:
    """Write the recap file of ``export`` into ``directory`` (a private temporary folder) and return it.

    The recaps service checks the scope and applies the small-cell rule for ``export.user`` (a read-only Pimpinan
    gets figures 1–4 withheld in the file, as on screen), and writes atomically (a temporary file renamed into place).
    Its refusals (a recap that cannot be made, a wilayah outside the scope) become the reason shown to the user.
    """
    from django.http import Http404

    from reporting.recaps import service
    from reporting.recaps.generators import RecapUnavailable

    options = dict(export.options)
    accepted_only = bool(options.pop("accepted_only", True))
    try:
        made = service.render_recap(
            user=export.user,
            recap=export.recap,
            wilayah=export.wilayah,
            period=periods.parse(export.period),
            fmt=export.format,
            accepted_only=accepted_only,
            options=options,
            progress=progress,
            target=directory / f"rekap.{export.format}",
        )
    except (RecapUnavailable, Http404) as exc:
        raise ExportFailed(str(exc) or generic_failure()) from exc
    return Rendered(path=made.path, filename=made.filename, rows=made.rows)


FORMATS = {"pdf": "PDF", "xlsx": "Excel (XLSX)", "csv": "CSV"}


def recap_choices() -> list[tuple[str, str]]:
    """The recaps a user can ask for: (code, name), from the recaps' registry."""
    from reporting.recaps.generators import RECAP_CHOICES

    return list(RECAP_CHOICES)


def recap_label(code: str) -> str:
    return dict(recap_choices()).get(code, code)


# -- requests --------------------------------------------------------------------------------------------------------


def runs_in_background(rows: int) -> bool:
    """Whether a recap of about ``rows`` table rows (``service.estimate_rows``) goes to the queue rather than being
    made within the request."""
    return rows > settings.EXPORT_BACKGROUND_THRESHOLD


def _record(*, user, recap: str, format: str, wilayah: Wilayah | None, period: periods.Period, options: dict | None):
    """A new queued ``Export`` row for ``user`` (PermissionDenied for a wilayah outside their scope)."""
    if not can_view(user, wilayah):
        raise PermissionDenied
    return Export.objects.create(
        user=user, recap=recap, format=format, wilayah=wilayah, period=period.id, options=options or {}
    )


def export_request(
    *,
    user,
    recap: str,
    format: str,
    wilayah: Wilayah | None,
    period: periods.Period,
    options: dict | None = None,
) -> Export:
    """Record an export for ``user`` and queue the job that makes its file (PermissionDenied outside the scope).

    With the immediate backend the job has already finished when this returns; the row tells how it went.
    """
    export = _record(user=user, recap=recap, format=format, wilayah=wilayah, period=period, options=options)
    try:
        result = export_build.enqueue(export.pk)
    except Exception:
        logger.exception("Export %s could not be queued", export.pk)
        _fail(export.pk, _("Antrean pekerjaan tidak dapat dihubungi. Silakan coba lagi beberapa saat lagi."))
    else:
        Export.objects.filter(pk=export.pk).update(task_id=str(result.id)[:64])
    export.refresh_from_db()
    return export


def export_now(
    *,
    user,
    recap: str,
    format: str,
    wilayah: Wilayah | None,
    period: periods.Period,
    options: dict | None = None,
) -> Export:
    """Record an export for ``user`` and make its file within this request (a small recap downloaded at once).

    The same job as a queued export, so both kinds of file are named, stored, recorded, expired and cleaned up after a
    failure in one way; the returned row is done (with its file) or failed (with the reason to show).
    """
    export = _record(user=user, recap=recap, format=format, wilayah=wilayah, period=period, options=options)
    export_build.call(export.pk)
    export.refresh_from_db()
    return export


# -- the job ---------------------------------------------------------------------------------------------------------


@task()
def export_build(export_id: int) -> str:
    """Make the file of a queued export. Runs once per export: a row that is no longer queued is left alone."""
    with translation.override(settings.LANGUAGE_CODE):  # reasons are recorded in Indonesian, whoever asked
        return _build(export_id)


def _build(export_id: int) -> str:
    claimed = Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, progress=0
    )
    if not claimed:
        return "skipped"
    export = Export.objects.select_related("user", "wilayah").get(pk=export_id)
    try:
        _check_allowed(export)
        _note_fitness(export)
        with tempfile.TemporaryDirectory(prefix="psks-ekspor-") as workdir:
            rendered = render(export, Path(workdir), _progress_recorder(export_id))
            _store(export, rendered)
    except ExportFailed as exc:
        _fail(export_id, str(exc))
        return "failed"
    except Exception:
        logger.exception("Export %s (%s %s %s) failed", export_id, export.recap, export.format, export.period)
        _fail(export_id, generic_failure())
        return "failed"
    return "done"


def _check_allowed(export: Export) -> None:
    """The scope is checked again when the job runs: the account may have been moved or disabled since."""
    if not export.user.is_active or not can_view(export.user, export.wilayah):
        raise ExportFailed(_("Wilayah rekap ini di luar cakupan akun Anda saat berkas akan dibuat."))


def _note_fitness(export: Export) -> None:
    """Record whether the file will be fit for a read-only viewer: small figures withheld for this user, or a recap
    without sensitive figures. A file made for an operator stays out of reach if the account later turns read-only."""
    from reporting.recaps.generators import RecapUnavailable, get_generator

    try:
        sensitive = get_generator(export.recap).sensitive
    except RecapUnavailable:
        return  # render() refuses the unknown recap with its reason
    fit = suppresses_small_cells(export.user) or not sensitive
    Export.objects.filter(pk=export.pk).update(fit_for_read_only=fit)


def _progress_recorder(export_id: int) -> Progress:
    """A ``progress(percent)`` callback that writes whole percents, only when they grow (at most ~100 updates)."""
    last = -1

    def progress(percent: float) -> None:
        nonlocal last
        value = max(0, min(99, int(percent)))
        if value > last:
            last = value
            Export.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(progress=value)

    return progress


def _store(export: Export, rendered: Rendered) -> None:
    """Copy the finished file into storage under a random name, then mark the export done.

    The storage name is written to the row *before* copying, so a job killed half-way leaves a name that
    ``exports_expire`` can delete; any failure here removes the copy.
    """
    suffix = Path(rendered.filename).suffix.lower() or f".{export.format}"
    name = export.file.field.generate_filename(export, f"{secrets.token_hex(16)}{suffix}")
    Export.objects.filter(pk=export.pk).update(file=name)
    stored = name
    try:
        with rendered.path.open("rb") as source:
            stored = default_storage.save(name, File(source, name=name))
        now = timezone.now()
        done = Export.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE,
            progress=100,
            file=stored,
            filename=rendered.filename[:200],
            size=default_storage.size(stored),
            rows=rendered.rows,
            error="",
            finished_at=now,
            expires_at=now + timedelta(hours=settings.EXPORT_FILE_TTL_HOURS),
        )
        if not done:
            raise ExportFailed(_("Pekerjaan ini dihentikan sebelum berkasnya selesai."))
    except BaseException:
        _delete_file(stored)
        if stored != name:
            _delete_file(name)
        raise


def _fail(export_id: int, reason: str) -> None:
    """Mark the export failed with ``reason`` and remove whatever file it may have started."""
    name = Export.objects.filter(pk=export_id).values_list("file", flat=True).first()
    _delete_file(name)
    Export.objects.filter(pk=export_id).update(
        status=ExportStatus.FAILED, file="", size=None, error=reason, finished_at=timezone.now()
    )


def _delete_file(name: str | None) -> None:
    if name:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete export file %s", name, exc_info=True)


# -- expiry ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpireOutcome:
    expired: int
    abandoned: int


def exports_expire(*, now: datetime | None = None) -> ExpireOutcome:
    """Delete the files of finished exports past their expiry (rows stay, marked expired), and fail jobs that have been
    queued or running for longer than a file's lifetime (their worker is gone), removing any file they started."""
    now = now or timezone.now()
    lifetime = timedelta(hours=settings.EXPORT_FILE_TTL_HOURS)
    # A file made at once by the recap page may carry no expiry of its own: it lives as long from when it was made.
    past = Q(expires_at__lte=now) | Q(expires_at__isnull=True, finished_at__lte=now - lifetime)
    expired = 0
    for pk, name in Export.objects.filter(past, status=ExportStatus.DONE).values_list("pk", "file"):
        _delete_file(name)
        expired += Export.objects.filter(pk=pk, status=ExportStatus.DONE).update(status=ExportStatus.EXPIRED, file="")
    stale_before = now - lifetime
    stale = Export.objects.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], created_at__lt=stale_before)
    abandoned = 0
    for pk in stale.values_list("pk", flat=True):
        _fail(
            pk, _("Pekerjaan tidak selesai dalam batas waktu (pemroses latar belakang berhenti). Silakan minta lagi.")
        )
        abandoned += 1
    return ExpireOutcome(expired=expired, abandoned=abandoned)


@task()
def exports_expire_task() -> dict:
    """``exports_expire`` as a task, for deployments that schedule jobs rather than cron a command."""
    outcome = exports_expire()
    return {"expired": outcome.expired, "abandoned": outcome.abandoned}


def suppresses_small_cells(user) -> bool:
    """The small-cell rule: a read-only viewer (Pimpinan) never sees figures 1–4, in a file or on screen."""
    return user_scope(user).read_only
