"""Benchmark: the eligibility roster of a provinsi (every role evaluated against its criteria) on PostgreSQL.

Reports ``registry.selectors.roster()`` for an Admin Provinsi as a ratio to a baseline measured in the same run: one
plain query fetching the same rows with the same joins (what any list page must pay at least).

    .venv/bin/python bench/registry_roster.py [rows]     # default 20,000 roles in Kota Cirebon + Kabupaten Ciamis
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://root@127.0.0.1:5432/postgres")


def child(rows: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psks_portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from psks_portal.models import Role, User, Wilayah
    from psks_portal.services import wilayah_load
    from registry.models import Assignment, Kind, Person, Training
    from registry.selectors import roster, roster_page
    from registry.services import catalogue_load

    call_command("migrate", verbosity=0)
    wilayah_load(directory=settings.WILAYAH_FIXTURE_DIR, only=["32.07", "32.74"])
    catalogue_load()
    rng = random.Random(7)
    desa = list(Wilayah.objects.filter(level=4).values_list("code", flat=True))
    kinds = list(Kind.objects.filter(subject="person").exclude(code="tksk"))
    people, assignments, trainings = [], [], []
    for i in range(rows):
        sex = rng.choice("LP")
        birth = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 50 * 365))
        code = rng.choice(desa)
        day = birth.day + (40 if sex == "P" else 0)
        # Bench data only: the last six digits are a running number so every NIK is unique.
        nik = f"{code.replace('.', '')[:6]}{day:02d}{birth.month:02d}{i:06d}"
        people.append(
            Person(
                nik=nik,
                name=f"Orang {i}",
                sex=sex,
                birth_place="X",
                birth_date=birth,
                education=rng.choice([20, 30, 50]),
                desa_id=code,
                facts={"sehat": True},
            )
        )
    Person.objects.bulk_create(people, batch_size=5000)
    for p in Person.objects.only("pk", "desa_id"):
        assignments.append(
            Assignment(person_id=p.pk, kind=rng.choice(kinds), wilayah_id=p.desa_id[:8], start_date=date(2019, 1, 1))
        )
        if rng.random() < 0.5:
            trainings.append(Training(person_id=p.pk, category="pelatihan_psm", name="PSM", date=date(2018, 1, 1)))
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    Training.objects.bulk_create(trainings, batch_size=5000)
    admin = User.objects.create(username="bench.admin", role=Role.ADMIN_PROVINSI, wilayah_id="32")

    def baseline():
        return list(
            Assignment.objects.select_related("person__desa__kecamatan", "kind__parent", "wilayah").values_list(
                "pk",
                "person__name",
                "person__birth_date",
                "kind__name",
                "wilayah__name",
                "person__desa__kecamatan__name",
            )
        )

    def portal():
        return roster(admin, on=date(2026, 11, 23))

    def portal_filtered_page():
        page, total = roster_page(admin, page=1, eligibility_status="tidak_memenuhi", on=date(2026, 11, 23))
        return list(range(total))

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        cProfile.runctx("portal()", globals(), locals(), "/tmp/roster.prof")
        pstats.Stats("/tmp/roster.prof").sort_stats("cumtime").print_stats(25)
        return
    for fn in (baseline, portal):
        fn()  # warm up
    timings = {}
    for name, fn in (("baseline", baseline), ("portal", portal), ("page", portal_filtered_page)):
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - started)
        timings[name] = (best, len(result))
    (b, nb), (p, np_) = timings["baseline"], timings["portal"]
    print(
        f"roles {np_:,}  baseline fetch {b:.3f} s  portal roster with eligibility {p:.3f} s  ratio {p / b:.1f}x  "
        f"({np_ / p:,.0f} roles/s evaluated)"
    )
    assert nb == np_
    pg, n_ineligible = timings["page"]
    print(
        f"first page of the 'tidak memenuhi syarat' filter ({n_ineligible:,} of {np_:,} roles): {pg:.3f} s, "
        f"ratio {pg / b:.1f}x the baseline fetch of all roles"
    )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    import psycopg2

    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS psks_bench_roster")
        cursor.execute("CREATE DATABASE psks_bench_roster")
    try:
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/psks_bench_roster"
        subprocess.run(
            [sys.executable, __file__, "--child", str(rows)],
            env=dict(os.environ, DATABASE_URL=url),
            check=True,
            cwd=ROOT,
        )
    finally:
        with admin.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS psks_bench_roster")
        admin.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]))
    else:
        main()
