"""Benchmark: loading the whole wilayah tree (91,599 rows) on SQLite and PostgreSQL.

Reports the portal's loader (read + validate the CSVs, diff against the database, bulk writes) as a ratio to a
baseline measured in the same run: a plain ``bulk_create`` of the same, already-parsed rows into an empty table.

    .venv/bin/python bench/wilayah_load.py            # both databases (PostgreSQL on 127.0.0.1:5432, user root)
    .venv/bin/python bench/wilayah_load.py sqlite     # one of them
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://root@127.0.0.1:5432/postgres")


def run_one() -> None:
    """Runs inside a child process whose DATABASE_URL points at an empty, migrated database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psks_portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from psks_portal.models import Wilayah
    from psks_portal.services import _build, read_wilayah_source, wilayah_load

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    first = wilayah_load(directory=settings.WILAYAH_FIXTURE_DIR)
    assert sum(first.created.values()) == 91_599
    t_first = time.perf_counter() - started
    started = time.perf_counter()
    second = wilayah_load(directory=settings.WILAYAH_FIXTURE_DIR)
    t_second = time.perf_counter() - started
    assert not second.changed_anything and Wilayah.objects.count() == 91_599

    rows = sorted(read_wilayah_source(settings.WILAYAH_FIXTURE_DIR), key=lambda r: r.level)
    objs = [_build(r, "Kepmendagri 300.2.2-2138/2025") for r in rows]
    Wilayah.history.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM psks_portal_wilayah")
    started = time.perf_counter()
    Wilayah.objects.bulk_create(objs, batch_size=5000)
    t_base = time.perf_counter() - started
    vendor = connection.vendor
    print(
        f"{vendor:<10} first load {t_first:6.2f} s  second load {t_second:5.2f} s (no change)  "
        f"baseline bulk_create {t_base:5.2f} s  ratio first/baseline {t_first / t_base:4.2f}  "
        f"rows {Wilayah.objects.count():,}"
    )


def main(which: list[str]) -> None:
    python = sys.executable
    if "sqlite" in which:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3")
            subprocess.run([python, __file__, "--child"], env=env, check=True, cwd=ROOT)
    if "postgresql" in which:
        import psycopg2

        admin = psycopg2.connect(PG_ADMIN_URL)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS psks_bench")
            cursor.execute("CREATE DATABASE psks_bench")
        try:
            url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/psks_bench"
            subprocess.run([python, __file__, "--child"], env=dict(os.environ, DATABASE_URL=url), check=True, cwd=ROOT)
        finally:
            with admin.cursor() as cursor:
                cursor.execute("DROP DATABASE IF EXISTS psks_bench")
            admin.close()


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        run_one()
    else:
        main(sys.argv[1:] or ["sqlite", "postgresql"])
