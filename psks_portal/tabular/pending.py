"""Uploads waiting for the confirm step under ``MEDIA_ROOT/imports/<random token>``, never under their own name;
``uploads_sweep`` deletes the ones never confirmed."""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from psks_portal.tabular.errors import ImportFileError

UPLOAD_TTL_SECONDS = 24 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class PendingImport:
    """An uploaded file waiting for confirmation: a random token (the file's name on disk) and the original name."""

    token: str
    filename: str

    @property
    def path(self) -> Path:
        if not _TOKEN.match(self.token):
            raise ImportFileError("Berkas impor tidak ditemukan.")
        return upload_dir() / self.token


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_store(upload: UploadedFile) -> PendingImport:
    """Keep an upload under ``MEDIA_ROOT/imports/<random token>`` (never under its own name) for the confirm step."""
    uploads_sweep()
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    pending = PendingImport(secrets.token_urlsafe(24), Path(upload.name or "").name)
    with pending.path.open("xb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    pending.path.chmod(0o600)
    return pending


def upload_discard(pending: PendingImport | None) -> None:
    if pending is not None:
        with contextlib.suppress(ImportFileError):
            pending.path.unlink(missing_ok=True)


def uploads_sweep(*, max_age: float = UPLOAD_TTL_SECONDS) -> int:
    """Delete stored uploads older than a day (never confirmed); returns how many were deleted."""
    directory, deleted = upload_dir(), 0
    if not directory.is_dir():
        return 0
    limit = time.time() - max_age
    for path in directory.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
