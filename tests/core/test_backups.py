"""Backups that restore: ``manage.py backup`` then ``manage.py restore_check`` on PostgreSQL — the dump is restored
into a fresh database, and every table's row count and content checksum and every media file's hash match.

The checks here are computed independently of ``psks_portal.backups``: per Django model table, the row count and
``md5(string_agg(t::text, ',' ORDER BY pk))`` on the live and the restored database; per media file, its bytes.
"""

from __future__ import annotations

import json
import tarfile
from datetime import date

import psycopg2
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg2 import sql

from pmks.models import PmksRecord
from pmks.services import catalogue_load as pmks_catalogue_load
from psks_portal import backups
from registry.services import catalogue_load as registry_catalogue_load
from reporting.models import Activity
from tests.registry.conftest import assign, make_person
from tests.reporting.conftest import make_report

POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump/pg_restore need PostgreSQL; run with DATABASE_URL=postgres://… (CI does)",
)


@pytest.fixture
def data(transactional_db, people, settings, tmp_path):
    """Committed data (pg_dump sees only committed rows) and media files, one of them a pending import."""
    settings.MEDIA_ROOT = tmp_path / "media"
    registry_catalogue_load()
    pmks_catalogue_load()
    person = make_person(name="Warga Cadangan", desa="32.74.01.1001", phone="081234567890")
    assign(person, "psm")
    PmksRecord.objects.create(
        nik="",
        name="Warsini Cadangan",
        sex="P",
        birth_date=date(1950, 3, 1),
        desa_id="32.74.01.1001",
        identified_on=date(2026, 1, 5),
    )
    activity = Activity.objects.create(
        report=make_report("32.74.01", "2026M01"),
        date=date(2026, 1, 7),
        kind="pendataan",
        place="Balai desa",
        result="Tercatat",
    )
    activity.attachment.save("foto.png", ContentFile(b"\x89PNG uji lampiran"))
    pending = settings.MEDIA_ROOT / "imports" / "token-menunggu"
    pending.parent.mkdir(parents=True)
    pending.write_bytes(b"NIK 3274014101900001")
    return {"media": settings.MEDIA_ROOT, "attachment": activity.attachment.name, "backups": tmp_path / "cadangan"}


def _model_checksums(cursor) -> dict[str, tuple[int, str]]:
    result = {}
    for model in apps.get_models(include_auto_created=True):
        table, pk = model._meta.db_table, model._meta.pk.column
        cursor.execute(
            sql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t.{}), '')) FROM {} AS t").format(
                sql.Identifier(pk), sql.Identifier(table)
            )
        )
        result[table] = cursor.fetchone()
    return result


def _connect(dbname: str):
    params = connection.get_connection_params()
    conn = psycopg2.connect(
        dbname=dbname,
        user=params.get("user"),
        password=params.get("password"),
        host=params.get("host"),
        port=params.get("port"),
    )
    conn.autocommit = True
    conn.cursor().execute("SET TIME ZONE 'UTC'")
    return conn


@POSTGRES_ONLY
def test_a_backup_restores_into_a_fresh_database_with_every_row_and_file(data, capsys):
    call_command("backup", tujuan=data["backups"])
    [made] = data["backups"].iterdir()
    assert sorted(p.name for p in made.iterdir()) == ["database.dump", "manifest.json", "media.tar.gz"]
    assert "Cadangan dibuat" in capsys.readouterr().out

    call_command("restore_check", made, simpan_basis_data=True)
    output = capsys.readouterr().out
    assert "Pemulihan sama dengan cadangan" in output
    restored_name = output.split("Basis data sementara disimpan: ")[1].split()[0]
    try:
        live, restored = _connect(connection.settings_dict["NAME"]), _connect(restored_name)
        expected, found = _model_checksums(live.cursor()), _model_checksums(restored.cursor())
        live.close()
        restored.close()
    finally:
        backups.drop_database(restored_name)
    assert found == expected
    assert expected["registry_person"][0] == 1 and expected["pmks_pmksrecord"][0] == 1
    assert expected["psks_portal_user"][0] == 10 and expected["psks_portal_wilayah"][0] > 10

    with tarfile.open(made / "media.tar.gz") as archive:
        stored = {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}
    assert stored == {data["attachment"]: (data["media"] / data["attachment"]).read_bytes()}  # no imports/ file


@POSTGRES_ONLY
def test_the_drill_drops_its_database_and_reports_a_backup_that_does_not_match(data, capsys):
    made = backups.backup(destination=data["backups"])
    manifest = json.loads((made / "manifest.json").read_text())
    manifest["tables"]["public.registry_person"]["rows"] += 1
    manifest["media"][data["attachment"]]["sha256"] = "0" * 64
    (made / "manifest.json").write_text(json.dumps(manifest))
    before = _databases()
    with pytest.raises(CommandError, match="2 perbedaan"):
        call_command("restore_check", made)
    errors = capsys.readouterr().err
    assert "tabel public.registry_person" in errors and f"berkas {data['attachment']}" in errors
    assert _databases() == before  # the temporary database is gone


@POSTGRES_ONLY
def test_the_client_tools_match_the_server(db):
    versions = backups.client_versions()
    majors = {name: version.split(".")[0] for name, version in versions.items()}
    assert majors["server"].isdigit() and majors["pg_dump"] == majors["pg_restore"] == majors["server"], versions


@POSTGRES_ONLY
def test_a_backup_without_a_dump_is_refused(tmp_path, db):
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="bukan direktori cadangan"):
        call_command("restore_check", tmp_path)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal on the embedded SQLite database")
def test_on_sqlite_the_commands_say_they_need_postgresql(db, tmp_path):
    with pytest.raises(CommandError, match="hanya untuk PostgreSQL"):
        call_command("backup", tujuan=tmp_path)


def _databases() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'psks_pemulihan_%%'")
        return {row[0] for row in cursor.fetchall()}
