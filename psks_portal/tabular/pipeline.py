"""The one import pipeline: store the upload → preview (a dry run) → confirm (re-validate the stored file now, write
all or nothing) → log. Each app brings an ``Importer``; this module never trusts a preview.

``preview_upload`` refuses the file by name and size, stores it under a random token (``pending``) and plans every
row against the database without writing. ``confirm`` reads the stored file again inside one transaction, plans
again, and writes only when no row is refused or the caller asked for the valid rows only (``ImportRefused``
otherwise); the file is deleted once written. Both ask the importer to ``log`` what the user saw or wrote: a dry run
(``preview.applied`` false, also a refused confirmation, which shows the rows again) or a written import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from psks_portal import scope as scoping
from psks_portal.tabular.errors import ImportFileError
from psks_portal.tabular.pending import PendingImport, upload_discard, upload_store
from psks_portal.tabular.preview import ImportPreview, ImportRefused, RowOutcome
from psks_portal.tabular.reader import Column, Table, check_upload, read_table

BATCH_SIZE = 1000


@dataclass
class Plan:
    """What an importer decided for a file: every row's outcome, and the writes (its own type) that apply them."""

    outcomes: list[RowOutcome]
    writes: object


class Importer(Protocol):
    """One importable register. ``key`` names its pending upload and its logs; ``columns`` its template and header."""

    key: str
    title: str
    columns: tuple[Column, ...]

    def plan(self, table: Table, *, user) -> Plan:
        """Every row's outcome against the database as it is now, in a fixed number of queries; writes nothing."""

    def write(self, plan: Plan, *, user) -> None:
        """Apply ``plan.writes`` in bulk with history rows (inside the caller's transaction)."""

    def log(self, preview: ImportPreview, *, user, filename: str) -> None:
        """Record a dry run (``preview.applied`` false) or a written import."""

    def template(self, *, user) -> bytes:
        """The empty XLSX template for this user."""


def can_import(user) -> bool:
    """Importing writes: a read-only Pimpinan or a user without a wilayah may not."""
    return scoping.user_scope(user).may_write


def _require_importer(user) -> None:
    if not can_import(user):
        raise PermissionDenied


def _planned(importer: Importer, *, path: Path, filename: str, user) -> tuple[ImportPreview, Plan]:
    table = read_table(path, filename=filename, columns=importer.columns)
    plan = importer.plan(table, user=user)
    return ImportPreview(importer.key, plan.outcomes, table.notices()), plan


def dry_run(importer: Importer, *, path: Path, filename: str, user) -> ImportPreview:
    """What importing this file would do, row by row; writes nothing but the importer's log of the dry run."""
    _require_importer(user)
    preview, _ = _planned(importer, path=path, filename=filename, user=user)
    importer.log(preview, user=user, filename=filename)
    return preview


def apply(importer: Importer, *, path: Path, filename: str, user, only_valid: bool = False) -> ImportPreview:
    """Re-validate the file against the database now and write it in bulk; all or nothing.

    Raises ``ImportRefused`` (nothing written) when rows are refused and ``only_valid`` is false.
    """
    _require_importer(user)
    try:
        with transaction.atomic():
            preview, plan = _planned(importer, path=path, filename=filename, user=user)
            if preview.has_errors and not only_valid:
                raise ImportRefused(preview)
            importer.write(plan, user=user)
            preview.applied = True
            importer.log(preview, user=user, filename=filename)
    except ImportRefused as refused:
        importer.log(refused.preview, user=user, filename=filename)  # the rows were shown again: a dry run
        raise
    return preview


def preview_upload(importer: Importer, *, upload: UploadedFile, user) -> tuple[PendingImport, ImportPreview]:
    """Store an upload and preview it; a file that cannot be read is deleted again and ImportFileError raised."""
    _require_importer(user)
    check_upload(name=upload.name, size=upload.size)
    pending = upload_store(upload)
    try:
        return pending, dry_run(importer, path=pending.path, filename=pending.filename, user=user)
    except BaseException:
        upload_discard(pending)
        raise


def confirm(importer: Importer, *, pending: PendingImport, user, only_valid: bool) -> ImportPreview:
    """Import a stored upload (re-validated from scratch); the file is deleted once the import is written."""
    if not pending.path.is_file():
        raise ImportFileError("Berkas unggahan sudah tidak tersedia (disimpan paling lama satu hari). Unggah lagi.")
    result = apply(importer, path=pending.path, filename=pending.filename, user=user, only_valid=only_valid)
    upload_discard(pending)
    return result


def plan_update(obj, values: dict[str, object], *, changed: dict, fields: set[str], outcome: RowOutcome) -> bool:
    """Set on ``obj`` the ``values`` that differ from it, note ``obj`` in ``changed`` (by pk), the field names in
    ``fields`` and their labels in ``outcome.changes``; False when nothing differs (nothing is noted)."""
    names = [name for name, value in values.items() if getattr(obj, name) != value]
    if not names:
        return False
    for name in names:
        setattr(obj, name, values[name])
    changed[obj.pk] = obj
    fields.update(names)
    outcome.changes.extend(str(type(obj)._meta.get_field(n.removesuffix("_id")).verbose_name) for n in names)
    return True


def create_with_history(model: type, objs: list, *, user, reason: str) -> tuple[list, list]:
    """``bulk_create`` and one history row per object (simple_history's bulk helper); returns both lists."""
    if not objs:
        return [], []
    created = model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
    history = model.history.bulk_history_create(
        created, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason
    )
    return created, history


def update_with_history(model: type, objs: list, fields: set[str], *, user, reason: str) -> list:
    """``bulk_update`` of ``fields`` and one history row per object; returns the history rows."""
    if not objs or not fields:
        return []
    model.objects.bulk_update(objs, sorted(fields), batch_size=BATCH_SIZE)
    return model.history.bulk_history_create(
        objs, batch_size=BATCH_SIZE, update=True, default_user=user, default_change_reason=reason
    )
