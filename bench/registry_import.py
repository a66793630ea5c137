"""Benchmark: importing a 10,000-row person roster (XLSX) through the pipeline (``pipeline.apply``, persons).

Reports rows per second and peak memory (tracemalloc) of the portal's import — read and check the file, validate every
row, match against the database, bulk writes of people, their roles and their history rows — against a baseline
measured in the same run: a plain ``bulk_create`` of the same, already-built Person and Assignment rows into empty
tables. For comparison it also runs django-import-export on the same people (persons only, no roles, no history):
its default mode and its bulk mode. Target: the portal's import at 1,000 rows/s or more.

    .venv/bin/python bench/registry_import.py              # PostgreSQL on 127.0.0.1:5432, user root
    .venv/bin/python bench/registry_import.py sqlite       # or SQLite
    .venv/bin/python bench/registry_import.py --rows 2000  # another size
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://root@127.0.0.1:5432/postgres")
BENCH_DB = "psks_bench_registry_import"
REPEAT = 3
KINDS = ["PSM", "Tagana", "Pendamping PKH", "WPKS", "Penyuluh Sosial", "Kader RBM", "TKS", "Pekerja Sosial"]
EDUCATION = ["SD", "SLTP", "SLTA", "SLTA", "SLTA", "D3", "S1", "S1", "S2"]
HEADERS = [
    "NIK",
    "Nama",
    "Jenis Kelamin",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Pendidikan",
    "Kode Desa",
    "Alamat",
    "Jenis",
    "Status ASN",
    "Golongan",
    "No. HP",
    "Nomor SK",
    "Tanggal SK",
]


def synthetic_rows(count: int, desa: list[str]) -> list[dict]:
    """Synthetic people with NIKs consistent with sex and birth date, spread over the given desa."""
    rng = random.Random(2026)
    rows, serials = [], {}
    for n in range(count):
        code = rng.choice(desa)
        sex = rng.choice("LP")
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40))
        key = (code[:8], sex, born)
        serials[key] = serials.get(key, 0) + 1
        day = born.day + (40 if sex == "P" else 0)
        nik = f"{code[:8].replace('.', '')}{day:02d}{born.month:02d}{born.year % 100:02d}{serials[key]:04d}"
        rows.append(
            {
                "NIK": nik,
                "Nama": f"Warga Sintetis {n + 1}",
                "Jenis Kelamin": sex,
                "Tempat Lahir": "Bandung",
                "Tanggal Lahir": born,
                "Pendidikan": rng.choice(EDUCATION),
                "Kode Desa": code,
                "Alamat": f"Jl. Contoh No. {n % 200 + 1} RT {n % 9 + 1:02d}",
                "Jenis": rng.choice(KINDS),
                "Status ASN": "Non-ASN",
                "Golongan": "",
                "No. HP": f"08{rng.randrange(10**9, 10**10)}",
                "Nomor SK": f"460/{n + 1}/Dinsos/2025",
                "Tanggal SK": date(2025, 1, 2),
            }
        )
    return rows


def write_xlsx(path: Path, headers: list[str], rows: list[list]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def measured(label: str, rows: int, func, *, memory: bool = False, repeat: int = 1, reset=None) -> dict:
    """Time ``func`` (best of ``repeat`` runs, ``reset`` before each); with ``memory``, its tracemalloc peak."""
    runs = []
    for _ in range(repeat):
        if reset is not None:
            reset()
        runs.append(_measured_once(label, rows, func, memory=memory))
    return min(runs, key=lambda r: r["seconds"])


def _measured_once(label: str, rows: int, func, *, memory: bool) -> dict:
    gc.collect()
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    func()
    seconds = time.perf_counter() - started
    peak = 0
    if memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"label": label, "seconds": seconds, "rate": rows / seconds, "peak_mb": peak / 1_048_576}


def run_one(count: int) -> None:
    """Runs inside a child process whose DATABASE_URL points at an empty database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psks_portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from import_export import fields, resources, widgets

    from psks_portal.models import Role, User, Wilayah
    from psks_portal.services import wilayah_load
    from psks_portal.tabular import pipeline
    from registry import io as imports
    from registry.models import Assignment, Person
    from registry.services import catalogue_load

    call_command("migrate", verbosity=0)
    wilayah_load(directory=settings.WILAYAH_FIXTURE_DIR, only=["32"])
    catalogue_load()
    user = User.objects.create_user("bench", role=Role.ADMIN_PROVINSI, wilayah=Wilayah.objects.get(code="32"))
    desa = list(Wilayah.objects.filter(level=Wilayah.DESA).values_list("code", flat=True))
    rows = synthetic_rows(count, desa)
    tmp = Path(tempfile.mkdtemp())
    roster = tmp / "roster.xlsx"
    write_xlsx(roster, HEADERS, [[row[h] for h in HEADERS] for row in rows])

    def wipe() -> None:
        with connection.cursor() as cursor:
            for model in (Assignment.history.model, Assignment, Person.history.model, Person):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - table names from models

    def portal_import() -> None:
        result = pipeline.apply(imports.PERSONS, path=roster, filename="roster.xlsx", user=user)
        assert result.counts["baru"] == count, result.error_rows[:3]

    def portal_second() -> None:
        result = pipeline.apply(imports.PERSONS, path=roster, filename="roster.xlsx", user=user)
        assert result.counts["tidak_berubah"] == count

    def portal_preview() -> None:
        pipeline.dry_run(imports.PERSONS, path=roster, filename="roster.xlsx", user=user)

    # Best of three on a shared machine; the tables are emptied before each run of the first import.
    first = measured("portal import (first)", count, portal_import, repeat=REPEAT, reset=wipe)
    assert Person.objects.count() == count and Assignment.objects.count() == count
    history = Person.history.count() + Assignment.history.count()
    second = measured("portal import (second, no change)", count, portal_second, repeat=REPEAT)
    assert Person.history.count() + Assignment.history.count() == history
    preview = measured("portal preview (dry run)", count, portal_preview, repeat=REPEAT)
    person_values = [
        {f.attname: getattr(p, f.attname) for f in Person._meta.concrete_fields if f.attname != "id"}
        for p in Person.objects.order_by("pk")
    ]
    role_values = [
        (a.person.nik, a.kind_id, a.wilayah_id, a.sk_number, a.sk_date, a.holds_tksk_seat)
        for a in Assignment.objects.select_related("person").order_by("pk")
    ]

    # The baseline writes the very rows the import wrote (same values), built beforehand.
    def baseline():
        """Model instances built beforehand (not timed); the timed part is the two bulk_create calls."""
        people = {values["nik"]: Person(**values) for values in person_values}
        roles = [
            Assignment(person=people[nik], kind_id=kind, wilayah_id=w, sk_number=n, sk_date=d, holds_tksk_seat=s)
            for nik, kind, w, n, d, s in role_values
        ]

        def go() -> None:
            with transaction.atomic():
                Person.objects.bulk_create(list(people.values()), batch_size=pipeline.BATCH_SIZE)
                Assignment.objects.bulk_create(roles, batch_size=pipeline.BATCH_SIZE)

        return go

    runs = []
    for _ in range(REPEAT):
        wipe()
        runs.append(measured("baseline bulk_create", count, baseline()))
    base = min(runs, key=lambda r: r["seconds"])
    wipe()
    first_mem = measured("portal import (first)", count, portal_import, memory=True)
    wipe()
    base_mem = measured("baseline bulk_create", count, baseline(), memory=True)
    wipe()

    # django-import-export on the same people, with model-ready values (its widgets do not know "SLTA" or "Non-ASN").
    education = {v: k for k, v in imports.EDUCATION_CODES.items()}
    ie_headers = [
        "nik",
        "name",
        "sex",
        "birth_place",
        "birth_date",
        "education",
        "desa",
        "address",
        "phone",
        "asn_status",
    ]
    ie_file = tmp / "roster-ie.xlsx"
    write_xlsx(
        ie_file,
        ie_headers,
        [
            [
                r["NIK"],
                r["Nama"],
                r["Jenis Kelamin"],
                r["Tempat Lahir"],
                r["Tanggal Lahir"],
                int(education[r["Pendidikan"]]),
                r["Kode Desa"],
                r["Alamat"],
                r["No. HP"],
                "non_asn",
            ]
            for r in rows
        ],
    )

    def ie_run(bulk: bool):
        class PersonResource(resources.ModelResource):
            desa = fields.Field(attribute="desa", column_name="desa", widget=widgets.ForeignKeyWidget(Wilayah, "code"))

            class Meta:
                model = Person
                fields = tuple(ie_headers)
                import_id_fields = ("nik",)
                use_bulk = bulk
                batch_size = pipeline.BATCH_SIZE

        def go() -> None:
            import tablib

            with ie_file.open("rb") as handle:
                dataset = tablib.Dataset().load(handle, format="xlsx")
            result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
            assert not result.has_errors()
            assert Person.objects.count() == count

        return go

    ie_default = measured("django-import-export default", count, ie_run(False))
    wipe()
    ie_bulk = measured("django-import-export use_bulk", count, ie_run(True))
    wipe()

    size_kb = roster.stat().st_size / 1024
    print(f"\n{connection.vendor}: {count:,} person rows (each with one role), XLSX {size_kb:,.0f} KB")
    for r in (first, second, preview, base, ie_default, ie_bulk):
        print(f"  {r['label']:<36} {r['seconds']:6.2f} s  {r['rate']:8,.0f} rows/s")
    print(
        f"  peak memory (tracemalloc): portal import {first_mem['peak_mb']:6.1f} MB, "
        f"baseline bulk_create {base_mem['peak_mb']:6.1f} MB"
    )
    print("  ratios:")
    print(f"    portal import time / baseline time           {first['seconds'] / base['seconds']:5.2f}")
    print(f"    portal rows/s / target 1,000                 {first['rate'] / 1000:5.2f}")
    print(f"    portal rows/s / import-export default        {first['rate'] / ie_default['rate']:5.2f}")
    print(f"    portal rows/s / import-export use_bulk       {first['rate'] / ie_bulk['rate']:5.2f}")
    print(f"    portal peak memory / baseline peak memory    {first_mem['peak_mb'] / base_mem['peak_mb']:5.2f}")


def main(which: list[str], rows: int) -> None:
    python = sys.executable
    child = [python, __file__, "--child", "--rows", str(rows)]
    if "sqlite" in which:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3")
            subprocess.run(child, env=env, check=True, cwd=ROOT)
    if "postgresql" in which:
        import psycopg2

        admin = psycopg2.connect(PG_ADMIN_URL)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            cursor.execute(f"CREATE DATABASE {BENCH_DB}")
        try:
            url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + BENCH_DB
            subprocess.run(child, env=dict(os.environ, DATABASE_URL=url), check=True, cwd=ROOT)
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("databases", nargs="*", help="sqlite and/or postgresql (default: postgresql)")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        run_one(args.rows)
    elif set(args.databases) - {"sqlite", "postgresql"}:
        parser.error("databases: sqlite, postgresql")
    else:
        main(args.databases or ["postgresql"], args.rows)
