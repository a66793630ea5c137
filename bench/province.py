"""A province-sized synthetic data set on PostgreSQL, built once and reused by the benchmarks.

The real wilayah of Jawa Barat (32) from the shipped Kemendagri fixtures, the PMKS and registry catalogues, and a
seeded, synthetic year 2026: PMKS figures for every desa × the 26 categories of Permensos 08/2012 × 12 months (about
1.9 million rows, split by sex for categories counted in persons, total = male + female), one monthly TKSK report per
kecamatan and month in a realistic mix of states (most accepted; December still partly verified, submitted, in draft
or revision; vacant seats marked not reporting) with varied lateness, several activities per report, the PSKS present
per desa frozen with every handed-in report, and an active TKSK in most kecamatan. Synthetic people only.

    DATABASE_URL=postgres://root@127.0.0.1:5432/psks_bench_province .venv/bin/python bench/province.py [--rebuild]

The database is created when missing (through ``BENCH_PG_ADMIN``, default the ``postgres`` database of the same
server) and is never dropped: a complete build is recognised by a marker in the database comment and by its row
counts, so a rerun takes a few seconds. A database that holds portal data without the marker is refused, and so are
the shared names ``test``, ``postgres`` and ``root``. From another benchmark:

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from province import DEFAULT_URL, ensure_province

    summary = ensure_province(os.environ.get("DATABASE_URL", DEFAULT_URL))  # then run Django on that URL
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://root@127.0.0.1:5432/psks_bench_province"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN")
RESERVED_DATABASES = {"test", "postgres", "root", "template0", "template1"}

VERSION = 1
SEED = 2026
YEAR = 2026
PROVINSI = "32"
CATALOGUE = "permensos-08-2012"
DEADLINE_DAYS = 10
MARKER = f"psks-bench-province v{VERSION} seed {SEED} year {YEAR} provinsi {PROVINSI}"
MARKER_PREFIX = "psks-bench-province "
JAKARTA = ZoneInfo("Asia/Jakarta")

# The state of a kecamatan's monthly report by how many months before December it lies: the recent months are still
# moving through the workflow, older ones are nearly all accepted. (accepted, verified, submitted, revision, draft,
# not_reporting) — vacant TKSK seats are not reporting every month on top of this.
STATES = ("accepted", "verified", "submitted", "revision", "draft", "not_reporting")
STATE_MIX = {
    0: (55, 18, 10, 4, 8, 5),
    1: (82, 8, 3, 2, 2, 3),
    2: (92, 3, 1, 1, 1, 2),
}
STATE_MIX_OLDER = (96, 1, 0.5, 0.5, 0, 2)
VACANT_SHARE = 0.03
HANDED_IN = {"submitted", "verified", "accepted"}
SUBMITTED_ONCE = HANDED_IN | {"revision"}

# Typical stock per desa of a category (mean of an exponential draw); community categories are 0/1 per desa.
CATEGORY_SCALE = {
    "FM": 160, "LUT": 28, "PD": 14, "PRSE": 18, "KBSP": 9, "ABT": 6, "AT": 4, "PMBS": 5, "TS": 3, "KTK": 3,
    "ODHA": 1, "NAPZA": 1, "KTRAF": 0.5, "BWBLP": 1, "ABH": 1, "AJ": 1, "ADK": 2, "AKTK": 1, "AMPK": 2,
    "GEL": 1, "PENG": 1, "PEM": 1, "KM": 1,
}  # fmt: skip
COMMUNITY_SHARE = {"KBA": 0.08, "KBS": 0.05, "KAT": 0.02}
# PSKS present per desa (mean count) frozen with each handed-in report.
PSKS_SCALE = {"psm": 3, "karang-taruna": 1, "tagana": 1, "lks": 1.2, "wpks": 0.6, "keluarga-pioner": 0.4}
ACTIVITY_KINDS = (
    ("pendataan", 30), ("bimbingan", 18), ("koordinasi", 20), ("pendampingan", 16),
    ("penjangkauan", 6), ("rujukan", 5), ("bencana", 2), ("monitoring", 10),
)  # fmt: skip
PLACES = ("Balai desa", "Kantor kecamatan", "Rumah warga", "Posyandu", "Aula kecamatan", "Masjid", "Sekolah")
FIRST_NAMES = ("Asep", "Ujang", "Dede", "Cecep", "Euis", "Neneng", "Iis", "Yayan", "Rina", "Tati", "Agus", "Lilis",
               "Wawan", "Entin", "Dadang", "Nining", "Ade", "Imas", "Jajang", "Eti")  # fmt: skip
LAST_NAMES = ("Sutisna", "Suryana", "Hidayat", "Kurniawan", "Rahmawati", "Sopian", "Mulyana", "Permana",
              "Nurhayati", "Saepudin", "Setiawan", "Maryani", "Gunawan", "Komariah", "Supriatna")  # fmt: skip


@dataclass
class ProvinceSummary:
    """What the data set holds. ``built`` is False when an existing build was reused."""

    database_url: str
    provinsi: str
    year: int
    catalogue: str
    kabupaten: int
    kecamatan: int
    desa: int
    categories: int
    figures: int
    reports: int
    reports_by_state: dict[str, int]
    activities: int
    psks_counts: int
    tksk: int
    built: bool
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)


# -- parent side: create the database, run the build in a child process with DATABASE_URL set ------------------------


def ensure_province(database_url: str = DEFAULT_URL, *, rebuild: bool = False) -> ProvinceSummary:
    """Build the data set in ``database_url`` (created when missing), or reuse a complete earlier build."""
    import psycopg2

    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"bench/province.py needs PostgreSQL, not {parts.scheme!r}")
    name = parts.path.lstrip("/")
    if not name or name in RESERVED_DATABASES:
        raise SystemExit(f"Refusing to build the province data set in the shared database {name!r}.")
    admin_url = PG_ADMIN_URL or urlunsplit(parts._replace(path="/postgres"))
    admin = psycopg2.connect(admin_url)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    args = [sys.executable, __file__, "--child", *(["--rebuild"] if rebuild else [])]
    env = dict(os.environ, DATABASE_URL=database_url)
    done = subprocess.run(args, env=env, check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return ProvinceSummary(**json.loads(done.stdout.strip().splitlines()[-1]))


# -- child side: Django on the bench database ----------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"[province] {message}", file=sys.stderr, flush=True)


def child(rebuild: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psks_portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/province.py needs PostgreSQL")
    started = time.perf_counter()
    marker = _comment()
    ours = bool(marker) and marker.startswith(MARKER_PREFIX)
    if not ours and _has_portal_data():
        raise SystemExit(
            f"Database {connection.settings_dict['NAME']!r} holds portal data that bench/province.py did not write; "
            "point DATABASE_URL at a database of its own."
        )
    if ours and (rebuild or marker != MARKER):
        _wipe()
    call_command("migrate", verbosity=0)
    if not rebuild and marker == MARKER and _complete():
        summary = _summary(built=False, seconds=time.perf_counter() - started, steps={})
    else:
        if _has_portal_data():
            _wipe()
            call_command("migrate", verbosity=0)
        _set_comment(MARKER + " (building)")
        steps = build()
        _set_comment(MARKER)
        summary = _summary(built=True, seconds=time.perf_counter() - started, steps=steps)
    print(json.dumps(asdict(summary)))


def _comment() -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def _set_comment(text: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"COMMENT ON DATABASE {name} IS %s", [text])


def _has_portal_data() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('psks_portal_wilayah') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT EXISTS (SELECT 1 FROM psks_portal_wilayah)")
        return cursor.fetchone()[0]


def _wipe() -> None:
    from django.db import connection

    _log("dropping the earlier build (schema public)")
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def _expected() -> dict[str, int]:
    from django.conf import settings

    from psks_portal.services import read_wilayah_source

    rows = read_wilayah_source(settings.WILAYAH_FIXTURE_DIR, [PROVINSI])
    by_level = {level: sum(1 for r in rows if r.level == level) for level in (1, 2, 3, 4)}
    return {
        "kabupaten": by_level[2],
        "kecamatan": by_level[3],
        "desa": by_level[4],
        "figures": by_level[4] * 26 * 12,
        "reports": by_level[3] * 12,
    }


def _counts() -> dict[str, int]:
    from django.db.models import Count

    from pmks.models import PmksFigure
    from psks_portal.models import Wilayah
    from reporting.models import Report

    levels = dict(Wilayah.objects.filter(provinsi_id=PROVINSI).values_list("level").annotate(n=Count("pk")).order_by())
    return {
        "kabupaten": levels.get(2, 0),
        "kecamatan": levels.get(3, 0),
        "desa": levels.get(4, 0),
        "figures": PmksFigure.objects.count(),
        "reports": Report.objects.filter(period_kind="M", start__year=YEAR).count(),
    }


def _complete() -> bool:
    counts, expected = _counts(), _expected()
    if counts != expected:
        _log(f"earlier build incomplete: {counts} != {expected}")
    return counts == expected


def _summary(*, built: bool, seconds: float, steps: dict[str, float]) -> ProvinceSummary:
    from django.conf import settings
    from django.db.models import Count

    from pmks.models import Category
    from registry.models import Assignment
    from reporting.models import Activity, PsksCount, Report

    counts = _counts()
    by_state = dict(Report.objects.values_list("state").annotate(n=Count("pk")).order_by("state"))
    db = settings.DATABASES["default"]
    return ProvinceSummary(
        database_url=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        provinsi=PROVINSI,
        year=YEAR,
        catalogue=CATALOGUE,
        kabupaten=counts["kabupaten"],
        kecamatan=counts["kecamatan"],
        desa=counts["desa"],
        categories=Category.objects.filter(catalogue__code=CATALOGUE).count(),
        figures=counts["figures"],
        reports=counts["reports"],
        reports_by_state=by_state,
        activities=Activity.objects.count(),
        psks_counts=PsksCount.objects.count(),
        tksk=Assignment.objects.filter(holds_tksk_seat=True).count(),
        built=built,
        seconds=round(seconds, 2),
        steps=steps,
    )


# -- the build ------------------------------------------------------------------------------------------------------


def build() -> dict[str, float]:
    """Load wilayah and catalogues, then the synthetic year; returns seconds per step."""
    from django.conf import settings

    from pmks.services import catalogue_load as pmks_catalogue_load
    from psks_portal.models import Wilayah
    from psks_portal.services import wilayah_load
    from registry.services import catalogue_load as registry_catalogue_load

    steps: dict[str, float] = {}

    def step(name: str, started: float) -> float:
        steps[name] = round(time.perf_counter() - started, 2)
        _log(f"{name}: {steps[name]:.1f} s")
        return time.perf_counter()

    rng = random.Random(SEED)
    t = time.perf_counter()
    wilayah_load(directory=settings.WILAYAH_FIXTURE_DIR, only=[PROVINSI])
    pmks_catalogue_load()
    registry_catalogue_load()
    t = step("wilayah and catalogues", t)
    kecamatan = list(Wilayah.objects.filter(provinsi_id=PROVINSI, level=3).order_by("code"))
    desa_of: dict[str, list[str]] = {k.code: [] for k in kecamatan}
    for code, kec in (
        Wilayah.objects.filter(provinsi_id=PROVINSI, level=4).order_by("code").values_list("code", "kecamatan_id")
    ):
        desa_of[kec].append(code)
    tksk = _tksk(rng, kecamatan, desa_of)
    t = step("TKSK people and assignments", t)
    reports = _reports(rng, kecamatan, tksk)
    t = step("reports", t)
    _figures(rng, kecamatan, desa_of)
    t = step("PMKS figures (COPY)", t)
    _activities(rng, reports, desa_of)
    t = step("activities (COPY)", t)
    _psks_counts(rng, reports, desa_of, tksk)
    t = step("PSKS counts (COPY)", t)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    step("VACUUM ANALYZE", t)
    return steps


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _tksk(rng: random.Random, kecamatan, desa_of) -> dict[str, str]:
    """An active TKSK in most kecamatan (the rest are vacant seats); returns kecamatan code → TKSK name."""
    from registry.models import Assignment, AssignmentStatus, Kind, Person

    kind = Kind.objects.get(code="tksk")
    people, seats = [], []
    for i, kec in enumerate(kecamatan):
        if rng.random() < VACANT_SHARE:
            continue
        sex = rng.choice("LP")
        birth = date(1968, 1, 1) + timedelta(days=rng.randrange(0, 30 * 365))
        day = birth.day + (40 if sex == "P" else 0)
        # Synthetic NIK: the kecamatan's digits, the birth date, then a running number so every NIK is unique.
        nik = f"{kec.code.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{i:04d}"
        people.append(
            Person(
                nik=nik,
                name=_name(rng),
                sex=sex,
                birth_place="Bandung",
                birth_date=birth,
                education=rng.choice([30, 30, 40, 50]),
                desa_id=rng.choice(desa_of[kec.code]),
                facts={"sehat": True},
            )
        )
        seats.append(kec.code)
    Person.objects.bulk_create(people, batch_size=2000)
    assignments = [
        Assignment(
            person=person,
            kind=kind,
            wilayah_id=code,
            start_date=date(2019 + rng.randrange(0, 6), 1, 2),
            sk_number=f"SYNTH/{i:04d}/TKSK",
            status=AssignmentStatus.ACTIVE,
            # bulk_create skips save(), which keeps this mirror of "active TKSK" in step.
            holds_tksk_seat=True,
        )
        for i, (person, code) in enumerate(zip(people, seats, strict=True))
    ]
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    return {code: person.name for person, code in zip(people, seats, strict=True)}


def _state(rng: random.Random, month: int, vacant: bool) -> str:
    if vacant:
        return "not_reporting"
    return rng.choices(STATES, weights=STATE_MIX.get(12 - month, STATE_MIX_OLDER))[0]


def _reports(rng: random.Random, kecamatan, tksk: dict[str, str]) -> list:
    from psks_portal import periods
    from reporting.models import Report

    reports = []
    for month in range(1, 13):
        period = periods.Period(YEAR, periods.MONTH, month)
        due = period.due_date(DEADLINE_DAYS)
        for kec in kecamatan:
            state = _state(rng, month, kec.code not in tksk)
            days_late = first = last = camat_date = None
            if state in SUBMITTED_ONCE:
                days_late = 0 if rng.random() < 0.65 else min(60, 1 + int(rng.expovariate(1 / 6)))
                sent = due + timedelta(days=days_late if days_late else -rng.randrange(0, 10))
                hour, minute = rng.randrange(8, 17), rng.randrange(60)
                first = datetime(sent.year, sent.month, sent.day, hour, minute, tzinfo=JAKARTA)
                last = first + timedelta(days=rng.randrange(0, 4)) if state != "submitted" else first
                camat_date = sent - timedelta(days=1)
            reports.append(
                Report(
                    kecamatan_id=kec.code,
                    period=period.id,
                    period_kind=periods.MONTH,
                    start=period.start,
                    end=period.end,
                    state=state,
                    tksk_name=tksk.get(kec.code, ""),
                    summary="Laporan bulanan sintetis untuk uji kinerja." if state != "not_reporting" else "",
                    obstacles=rng.choice(["", "Akses jalan ke beberapa dusun rusak.", "Data desa belum lengkap."]),
                    camat_name=f"Camat {kec.name.title()}" if camat_date else "",
                    camat_date=camat_date,
                    due_date=due,
                    first_submitted_at=first,
                    submitted_at=last,
                    days_late=days_late,
                    last_comment="Kursi TKSK kosong." if state == "not_reporting" else "",
                )
            )
    return Report.objects.bulk_create(reports, batch_size=2000)


def _copy(table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    """COPY tab-separated ``lines`` into ``table``; ``\\N`` is NULL."""
    from django.db import connection

    buffer = io.StringIO("".join(lines))
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _figures(rng: random.Random, kecamatan, desa_of) -> None:
    """Every desa × category × month, as stocks drifting from month to month; rows are written month by month,
    kecamatan by kecamatan, the order in which the entry grid would have saved them."""
    from pmks.models import Category

    categories = list(Category.objects.filter(catalogue__code=CATALOGUE).order_by("number"))
    assert len(categories) == 26
    desa = [d for kec in kecamatan for d in desa_of[kec.code]]
    # Per desa × category: the current value and the share of men (percent; None = not split by sex).
    values: list[int] = []
    male_share: list[int | None] = []
    for _d in desa:
        for cat in categories:
            if cat.code in COMMUNITY_SHARE:
                values.append(1 if rng.random() < COMMUNITY_SHARE[cat.code] else 0)
            else:
                values.append(int(rng.expovariate(1 / CATEGORY_SCALE[cat.code])))
            if cat.unit != "person":
                male_share.append(None)
            elif cat.sex == "P":
                male_share.append(0)
            else:
                male_share.append(rng.randrange(40, 61))
    ids = [c.pk for c in categories]
    stamp = datetime(YEAR, 1, 1, tzinfo=JAKARTA).isoformat()
    columns = ("desa_id", "category_id", "month", "male", "female", "total", "source", "comment", "updated_at")
    steps = (-1, 0, 0, 0, 0, 0, 1)
    for month in range(1, 13):
        first = date(YEAR, month, 1).isoformat()
        lines = []
        i = 0
        for d in desa:
            for cat_id in ids:
                value = values[i]
                if month > 1:
                    value = max(0, value + rng.choice(steps))
                    values[i] = value
                share = male_share[i]
                if share is None:
                    lines.append(f"{d}\t{cat_id}\t{first}\t\\N\t\\N\t{value}\tmanual\t\t{stamp}\n")
                else:
                    male = value * share // 100
                    lines.append(f"{d}\t{cat_id}\t{first}\t{male}\t{value - male}\t{value}\tmanual\t\t{stamp}\n")
                i += 1
        _copy("pmks_pmksfigure", columns, lines)
        _log(f"  figures of {first}: {len(lines):,}")


def _activities(rng: random.Random, reports, desa_of) -> None:
    kinds, weights = zip(*ACTIVITY_KINDS, strict=True)
    columns = ("report_id", "date", "kind", "place", "desa_id", "participants_male", "participants_female",
               "result", "attachment", "attachment_kind")  # fmt: skip
    lines = []
    for report in reports:
        if report.state == "not_reporting":
            continue
        days = (report.end - report.start).days + 1
        for _ in range(rng.randint(2, 8)):
            day = report.start + timedelta(days=rng.randrange(days))
            desa = rng.choice(desa_of[report.kecamatan_id]) if rng.random() < 0.8 else "\\N"
            male, female = rng.randrange(0, 40), rng.randrange(0, 45)
            kind = rng.choices(kinds, weights=weights)[0]
            lines.append(
                f"{report.pk}\t{day.isoformat()}\t{kind}\t{rng.choice(PLACES)}\t{desa}\t{male}\t{female}\t"
                f"Kegiatan terlaksana, {male + female} peserta.\t\t\n"
            )
    _copy("reporting_activity", columns, lines)


def _psks_counts(rng: random.Random, reports, desa_of, tksk: dict[str, str]) -> None:
    """PSKS present per desa and type, frozen with every report that was handed in at least once."""
    from registry.models import Kind

    kinds = dict(Kind.objects.filter(code__in=[*PSKS_SCALE, "tksk"]).values_list("code", "pk"))
    base = {
        (d, code): int(rng.expovariate(1 / scale) + 0.5)
        for kec in desa_of
        for d in desa_of[kec]
        for code, scale in PSKS_SCALE.items()
    }
    tksk_desa = {kec: rng.choice(desa_of[kec]) for kec in sorted(tksk)}
    lines = []
    for report in reports:  # month by month, as written
        if report.state not in SUBMITTED_ONCE:
            continue
        for d in desa_of[report.kecamatan_id]:
            for code in PSKS_SCALE:
                n = base[(d, code)]
                if rng.random() < 0.02:
                    n = base[(d, code)] = n + 1
                if n:
                    lines.append(f"{report.pk}\t{d}\t{kinds[code]}\t{n}\n")
            if tksk_desa.get(report.kecamatan_id) == d:
                lines.append(f"{report.pk}\t{d}\t{kinds['tksk']}\t1\n")
    _copy("reporting_pskscount", ("report_id", "desa_id", "kind_id", "count"), lines)


def main(argv: list[str]) -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    summary = ensure_province(url, rebuild="--rebuild" in argv)
    print(json.dumps(asdict(summary), indent=2))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(rebuild="--rebuild" in sys.argv[2:])
    else:
        main(sys.argv[1:])
