"""Backups that restore: a PostgreSQL custom-format dump, a tar of ``MEDIA_ROOT`` and a manifest saying what both
hold; and a restore drill that restores the dump into a fresh temporary database and compares.

One backup is a directory ``psks-<YYYYmmdd-HHMMSS>/`` under the destination:

    database.dump   ``pg_dump --format=custom`` (``pg_restore`` restores it whole, or table by table)
    media.tar.gz    every file under MEDIA_ROOT except ``imports/`` (uploads waiting at most a day for their
                    confirmation: they hold NIKs and must not outlive that day in a backup)
    manifest.json   per table its row count and an md5 of its rows; per media file its size and sha256

The fingerprints and the dump are taken in one snapshot (``pg_export_snapshot`` + ``pg_dump --snapshot``), so the
manifest describes exactly what the dump holds even while the portal keeps writing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg2
from django.conf import settings
from django.db import connections
from django.utils import timezone
from psycopg2 import sql

DUMP, MEDIA, MANIFEST = "database.dump", "media.tar.gz", "manifest.json"
MEDIA_EXCLUDED = ("imports",)  # top-level folders of MEDIA_ROOT left out of backups
# Every session that fingerprints renders rows the same way, whatever the server's defaults.
_SESSION = "SET TIME ZONE 'UTC'; SET DateStyle TO ISO, YMD; SET IntervalStyle TO postgres; SET bytea_output TO hex"


class BackupError(Exception):
    """A backup or a restore drill could not be made; the message says why."""


@dataclass
class DrillReport:
    """What a restore drill compared, and every difference it found (empty when the backup restores exactly)."""

    tables: int = 0
    rows: int = 0
    files: int = 0
    differences: list[str] = field(default_factory=list)
    database: str = ""  # the temporary database, when it was kept

    @property
    def ok(self) -> bool:
        return not self.differences


# --- connections and commands ---------------------------------------------------------------------------------------


def _params(alias: str = "default") -> dict:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise BackupError("Cadangan dan uji pemulihan hanya untuk PostgreSQL (DATABASE_URL=postgres://…).")
    params = connection.get_connection_params()
    return {k: params[k] for k in ("dbname", "user", "password", "host", "port") if params.get(k) not in (None, "")}


def _client_env(params: dict, dbname: str | None = None) -> dict:
    """pg_dump/pg_restore read the connection from the environment: no password on a command line."""
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
    env = {**os.environ, **{names[k]: str(v) for k, v in params.items()}}
    if dbname:
        env["PGDATABASE"] = dbname
    return env


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"Program {command[0]} tidak ditemukan (paket postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 - fixed program names
    if result.returncode != 0:
        raise BackupError(f"{command[0]} gagal: {result.stderr.strip()[-2000:]}")


def client_versions(params: dict | None = None) -> dict[str, str]:
    """The versions of pg_dump, pg_restore and the server: pg_dump refuses a server newer than itself, and a dump
    restores only with a pg_restore at least as new as the pg_dump that made it (keep all three on one major)."""
    params = params or _params()
    versions = {}
    for program in ("pg_dump", "pg_restore"):
        found = shutil.which(program)
        output = subprocess.run([found, "--version"], capture_output=True, text=True).stdout if found else ""  # noqa: S603
        found_version = re.search(r"\(PostgreSQL\) (\d+(?:\.\d+)*)", output)
        versions[program] = found_version.group(1) if found_version else ""
    with _connect(params) as cursor:
        cursor.execute("SHOW server_version")
        versions["server"] = cursor.fetchone()[0].split()[0]
    return versions


@contextmanager
def _connect(params: dict, *, snapshot: bool = False) -> Iterator:
    """A cursor on a new connection: autocommit, or with ``snapshot`` one read-only repeatable-read transaction."""
    connection = psycopg2.connect(**params)
    if snapshot:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
    else:
        connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(_SESSION)
            yield cursor
    finally:
        connection.close()


# --- fingerprints ---------------------------------------------------------------------------------------------------


def table_fingerprints(cursor) -> dict[str, dict]:
    """Per table of the database: its row count and the md5 of the sorted md5s of its rows (as text)."""
    cursor.execute(
        "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
        "ORDER BY 1, 2"
    )
    fingerprints = {}
    for schema, table in cursor.fetchall():
        cursor.execute(
            sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') "
                "FROM (SELECT md5(t::text) AS h FROM {} AS t) AS rows"
            ).format(sql.Identifier(schema, table))
        )
        rows, digest = cursor.fetchone()
        fingerprints[f"{schema}.{table}"] = {"rows": rows, "md5": digest}
    return fingerprints


def media_fingerprints(root: Path) -> dict[str, dict]:
    """Per file under ``root`` (as a relative POSIX path): its size and sha256."""
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        found[path.relative_to(root).as_posix()] = {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}
    return found


def _media_files(root: Path) -> dict[str, dict]:
    if not root.is_dir():
        return {}
    return {
        name: value for name, value in media_fingerprints(root).items() if name.split("/", 1)[0] not in MEDIA_EXCLUDED
    }


# --- backup ---------------------------------------------------------------------------------------------------------


def backup(*, destination: Path, media_root: Path | None = None, now: datetime | None = None) -> Path:
    """Make one backup directory under ``destination`` and return it."""
    params = _params()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    target = Path(destination) / f"psks-{stamp}"
    if target.exists():
        raise BackupError(f"{target} sudah ada.")
    partial = target.with_name(target.name + ".sebagian")
    partial.mkdir(parents=True, mode=0o700)
    try:
        with _connect(params, snapshot=True) as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = table_fingerprints(cursor)
            # The exporting transaction stays open until pg_dump has taken the same snapshot.
            _run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={partial / DUMP}"],
                _client_env(params),
            )
        files = _media_files(media_root)
        with tarfile.open(partial / MEDIA, "w:gz") as archive:
            for name in files:
                archive.add(media_root / name, arcname=name, recursive=False)
        manifest = {
            "created_at": timezone.localtime(now or timezone.now()).isoformat(),
            "database": params.get("dbname", ""),
            "versions": client_versions(params),
            "tables": tables,
            "media": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target


def read_manifest(backup_dir: Path) -> dict:
    path = Path(backup_dir) / MANIFEST
    if not path.is_file() or not (Path(backup_dir) / DUMP).is_file():
        raise BackupError(f"{backup_dir} bukan direktori cadangan ({MANIFEST} dan {DUMP} tidak ada).")
    return json.loads(path.read_text())


# --- restore drill --------------------------------------------------------------------------------------------------


def restore_drill(*, backup_dir: Path, keep_database: bool = False) -> DrillReport:
    """Restore the dump into a new temporary database and the media into a temporary folder; compare both with the
    manifest. The database is dropped afterwards unless ``keep_database`` (its name is then in the report)."""
    backup_dir = Path(backup_dir)
    manifest = read_manifest(backup_dir)
    params = _params()
    report = DrillReport()
    name = f"psks_pemulihan_{secrets.token_hex(6)}"
    with _connect(params) as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
    try:
        _run(
            ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", f"--dbname={name}", str(backup_dir / DUMP)],
            _client_env(params, name),
        )
        with _connect({**params, "dbname": name}) as cursor:
            restored = table_fingerprints(cursor)
        report.differences += _compare("tabel", manifest["tables"], restored)
        report.tables = len(restored)
        report.rows = sum(t["rows"] for t in restored.values())
        with tempfile.TemporaryDirectory(prefix="psks-pemulihan-") as folder:
            with tarfile.open(backup_dir / MEDIA, "r:gz") as archive:
                archive.extractall(folder, filter="data")
            files = media_fingerprints(Path(folder))
        report.differences += _compare("berkas", manifest["media"], files)
        report.files = len(files)
    finally:
        if keep_database:
            report.database = name
        else:
            drop_database(name, params)
    return report


def drop_database(name: str, params: dict | None = None) -> None:
    if not name.startswith("psks_pemulihan_"):
        raise BackupError(f"Hanya basis data uji pemulihan yang boleh dihapus di sini, bukan {name}.")
    with _connect(params or _params()) as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _compare(kind: str, expected: dict[str, dict], found: dict[str, dict]) -> list[str]:
    missing = sorted(set(expected) - set(found))
    differences = [f"{kind} {n}: ada di manifest, tidak ada setelah dipulihkan" for n in missing]
    differences += [f"{kind} {n}: tidak ada di manifest" for n in sorted(set(found) - set(expected))]
    for n in sorted(set(expected) & set(found)):
        if expected[n] != found[n]:
            differences.append(f"{kind} {n}: manifest {expected[n]}, setelah dipulihkan {found[n]}")
    return differences
