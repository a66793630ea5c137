"""Benchmark: the provincial PMKS recap as PDF and XLSX, and the XLSX export of a 100,000-row person roster.

    DATABASE_URL=postgres://root@127.0.0.1:5432/psks_bench_province .venv/bin/python bench/recap_exports.py
    .venv/bin/python bench/recap_exports.py --runs 5 --heavy-runs 2     # more runs
    .venv/bin/python bench/recap_exports.py --no-detail                 # without the detailed recap (2 minutes less)

DATABASE_URL defaults to the URL above. The data set (Jawa Barat, see ``bench/province.py``) is built on the first run
(two to three minutes); this benchmark adds 100,000 synthetic people with one role each to it (once, about a minute;
recognised afterwards by their address ``Jl. Sintetis Bench …``): 25,000 domiciled in Kecamatan Cibinong (32.01.01),
25,000 more in the rest of Kabupaten Bogor (32.01) and 50,000 in the other kabupaten/kota, so the roster export can be
asked for about 25,000, 50,000 and 100,000 rows with the list page's own wilayah filter.

Cases (issue 6), each against a baseline measured in the same run and interleaved with it:

* the provincial annual PMKS recap (``reporting.recaps.service.render_recap``: Admin Provinsi of Jawa Barat, 2026,
  accepted reports only, rows per kabupaten/kota, L/P/Jml columns, no detail sections — the recap page's defaults) as
  PDF (target under 10 s and under 500 MB peak) and as XLSX (target under 5 s);
* the same recap with one section per kabupaten/kota listing its kecamatan (``detail`` = kecamatan, 28 sections,
  682 table rows), PDF and XLSX: shown against the same targets for information only — the targets are for the recap
  above;
* ``registry.io.person_export`` (the roster's XLSX download: ``selectors.roster`` with the eligibility of every
  role, then ``psks_portal.tabular.write_xlsx``) for about 25,000, 50,000 and 100,000 rows; target: peak memory must
  not grow with rows (here: the peak at 100k at most 1.2x the peak at 25k).

Baselines: for a PDF, WeasyPrint rendering plain HTML tables of the same size — every table part of the recap with the
same rows, columns and cell texts, one header row, no letterhead, classes or bundled fonts; for a recap XLSX, an
openpyxl write-only workbook with the same sheets, rows and values, no styles; for the roster, one streamed query of the
same rows (same joins and order; the two eligibility columns filled with a fixed text) written by openpyxl write-only
to disk. The baselines' inputs (the recap document, the HTML) are prepared before the clock starts; the portal is
timed for the whole call (roll-ups, document, rendering, writing).

Every run is a fresh child process (``--case NAME``), so each peak memory (VmHWM, the process's peak resident set,
including Django and the imports: "start MB" is the resident set just before the timed call) is that of one case.
Seconds are the median of the runs, peak MB the highest. The files made are read back (pypdf page count, openpyxl
read-only row count) so that a case cannot pass on an empty file. The machine is shared: the load average is printed,
and ratios (not seconds) are what compares across runs.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from province import DEFAULT_URL, FIRST_NAMES, LAST_NAMES, RESERVED_DATABASES, ensure_province  # noqa: E402

PROVINSI = "32"
YEAR = "2026"
BENCH_USER = "bench.recap.admin"
KECAMATAN_LEVEL = 3  # Wilayah.KECAMATAN: the detailed recap's per-kabupaten sections list kecamatan

# Where the synthetic people live: (wilayah whose roster is exported, people placed in it outside the smaller ones).
ROSTER_MARK = "Jl. Sintetis Bench"
ROSTER_SEED = 6
ROSTER_SPLIT = (("32.01.01", 25_000), ("32.01", 25_000), (PROVINSI, 50_000))
ROSTER_PEOPLE = sum(n for _, n in ROSTER_SPLIT)
FLAT_MEMORY = 1.2  # "must not grow with rows": peak at the largest export ≤ this × the peak at the smallest

PDF_SECONDS, PDF_MB, XLSX_SECONDS = 10.0, 500.0, 5.0


@dataclass(frozen=True)
class Case:
    name: str
    label: str
    kind: str  # "recap" or "roster"
    fmt: str = "xlsx"
    detail: int = 0
    scope: str = PROVINSI  # the roster's wilayah filter
    baseline: bool = False
    heavy: bool = False  # runs --heavy-runs times instead of --runs
    seconds: float | None = None  # target
    peak_mb: float | None = None  # target
    info: bool = False  # target shown for information only


def cases(detail: bool) -> list[tuple[Case, Case]]:
    """(portal, baseline) pairs in the order they run."""
    pairs = [
        (
            Case("pdf", "recap PDF (by kabupaten, L/P)", "recap", "pdf", seconds=PDF_SECONDS, peak_mb=PDF_MB),
            Case("pdf-base", "  baseline: WeasyPrint plain tables", "recap", "pdf", baseline=True),
        ),
        (
            Case("xlsx", "recap XLSX (by kabupaten, L/P)", "recap", "xlsx", seconds=XLSX_SECONDS),
            Case("xlsx-base", "  baseline: openpyxl write-only", "recap", "xlsx", baseline=True),
        ),
    ]
    if detail:
        k = KECAMATAN_LEVEL
        pairs += [
            (
                Case("pdf-kec", "recap PDF + kecamatan sections", "recap", "pdf", k, heavy=True,
                     seconds=PDF_SECONDS, peak_mb=PDF_MB, info=True),
                Case("pdf-kec-base", "  baseline: WeasyPrint plain tables", "recap", "pdf", k, baseline=True,
                     heavy=True),
            ),
            (
                Case("xlsx-kec", "recap XLSX + kecamatan sections", "recap", "xlsx", k, heavy=True,
                     seconds=XLSX_SECONDS, info=True),
                Case("xlsx-kec-base", "  baseline: openpyxl write-only", "recap", "xlsx", k, baseline=True,
                     heavy=True),
            ),
        ]  # fmt: skip
    for scope, _ in ROSTER_SPLIT:
        pairs.append(
            (
                Case(f"roster-{scope}", f"roster XLSX, {scope}", "roster", scope=scope, heavy=True),
                Case(f"roster-{scope}-base", "  baseline: query + write-only", "roster", scope=scope,
                     baseline=True, heavy=True),
            )
        )  # fmt: skip
    return pairs


# -- child side: one case in this process ------------------------------------------------------------------------


def memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process in MB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class QueryCounter:
    """Counts the SQL queries run (``connection.execute_wrapper``), without keeping them."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def setup_django() -> None:
    """Django on the bench database (never the project's SQLite file or a shared database)."""
    url = os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_URL
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"} or parts.path.lstrip("/") in RESERVED_DATABASES:
        raise SystemExit(f"bench/recap_exports.py runs on a PostgreSQL bench database, not {url!r}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psks_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def bench_user():
    """An Admin Provinsi of Jawa Barat (created once; no usable password)."""
    from psks_portal.models import Role, User

    user, created = User.objects.get_or_create(
        username=BENCH_USER,
        defaults={"role": Role.ADMIN_PROVINSI, "wilayah_id": PROVINSI, "full_name": "Admin Bench Jawa Barat"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def timed(call) -> tuple[object, dict]:
    from django.db import connection

    counter = QueryCounter()
    start_mb = memory_mb("VmRSS")
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = call()
    seconds = time.perf_counter() - started
    return result, {"seconds": seconds, "peak_mb": memory_mb("VmHWM"), "start_mb": start_mb, "queries": counter.count}


def recap_case(case: Case, out: Path) -> dict:
    from psks_portal import periods
    from psks_portal.models import Wilayah
    from reporting.recaps import service

    user, jabar, period = bench_user(), Wilayah.objects.get(code=PROVINSI), periods.Period.parse(YEAR)
    options = {"detail": case.detail, "by_sex": True}
    if case.fmt == "pdf":
        import weasyprint  # noqa: F401 - imported before the clock starts, as in a running server
    else:
        import openpyxl  # noqa: F401
    if not case.baseline:
        made, result = timed(
            lambda: service.render_recap(
                user=user, recap="pmks", wilayah=jabar, period=period, fmt=case.fmt, accepted_only=True,
                options=options, target=out,
            )
        )  # fmt: skip
        # How much of it is the document (roll-ups and sections, no writer): measured again after the peak was read.
        started = time.perf_counter()
        service.build_document(
            user=user, recap="pmks", wilayah=jabar, period=period, accepted_only=True, options=options
        ).materialise()
        return {**result, "rows": made.rows, "document_s": time.perf_counter() - started}
    document = service.build_document(
        user=user, recap="pmks", wilayah=jabar, period=period, accepted_only=True, options=options
    ).materialise()
    rows = sum(s.data_rows for s in document.sections)
    if case.fmt == "pdf":
        from weasyprint import HTML

        text = plain_html(document)
        _, result = timed(lambda: HTML(string=text).write_pdf(out))
    else:
        sheets = plain_sheets(document)
        _, result = timed(lambda: write_plain_xlsx(sheets, out))
    return {**result, "rows": rows}


def plain_html(document) -> str:
    """The recap's tables as plain HTML: the same parts (the portal's column split), rows and cell texts."""
    from reporting.recaps import pdf

    sections = list(document.sections)
    page = pdf.orientation(sections)
    budget = (pdf.PORTRAIT_MM if page == "portrait" else pdf.LANDSCAPE_MM) * pdf.SAFETY
    out = [
        "<!doctype html><html><head><meta charset='utf-8'><style>",
        f"@page {{ size: A4 {page}; margin: 12mm }} body {{ font-size: 6.6pt }}",
        "table { border-collapse: collapse; margin-bottom: 3mm } th, td { border: .5pt solid #444; padding: .5mm }",
        "</style></head><body>",
    ]
    for section in sections:
        columns = section.measured()
        wide = sum(c.pdf_mm for c in columns) > budget
        for indexes in section.parts(budget) if wide else [list(range(len(columns)))]:
            out.append("<table><thead><tr>")
            out += [f"<th>{html.escape(columns[i].flat_header)}</th>" for i in indexes]
            out.append("</tr></thead><tbody>")
            for row in section.display_rows(indexes):
                out.append("<tr>" + "".join(f"<td>{html.escape(c.text)}</td>" for c in row.cells) + "</tr>")
            out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out)


def plain_sheets(document) -> list[list[list]]:
    """Each section as one header row and its rows' values (withheld figures as their text)."""
    return [
        [[c.flat_header for c in section.columns]]
        + [[v if v is None or isinstance(v, int | float) else str(v) for v in row.values] for row in section.rows]
        for section in document.sections
    ]


def write_plain_xlsx(sheets: list[list[list]], out: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for n, rows in enumerate(sheets, start=1):
        sheet = workbook.create_sheet(f"Bagian {n}")
        for row in rows:
            sheet.append(row)
    workbook.save(out)


def roster_case(case: Case, out: Path) -> dict:
    import openpyxl  # noqa: F401 - imported before the clock starts

    from psks_portal.models import Wilayah
    from registry import io as imports

    user, wilayah = bench_user(), Wilayah.objects.get(code=case.scope)
    if not case.baseline:
        export, result = timed(
            lambda: imports.person_export(user=user, fmt="xlsx", filters={"wilayah": wilayah.code}, wilayah=wilayah)
        )
        out.write_bytes(export.content)  # after the peak was read
        return {**result, "rows": export.rows}
    rows, result = timed(lambda: streamed_roster_xlsx(wilayah.code, out))
    return {**result, "rows": rows}


def streamed_roster_xlsx(code: str, out: Path) -> int:
    """The roster's rows (people domiciled in ``code``, their roles, the same order) from one query on a server-side
    cursor, straight into an openpyxl write-only sheet on disk."""
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce, NullIf
    from openpyxl import Workbook

    from registry.models import Assignment

    fields = (
        "person__nik", "person__name", "person__sex", "person__birth_place", "person__birth_date",
        "person__education", "person__desa_id", "person__address", "kind_short", "person__asn_status",
        "person__golongan", "person__phone", "sk_number", "sk_date", "person__desa__name",
        "person__desa__kecamatan__name", "wilayah__name", "status",
    )  # fmt: skip
    level_field = ("provinsi", "kabupaten", "kecamatan")[code.count(".")]
    qs = (
        Assignment.objects.filter(**{f"person__desa__{level_field}_id": code})
        .annotate(kind_short=Coalesce(NullIf(F("kind__abbreviation"), Value("")), F("kind__name")))
        .order_by("person__name", "person_id", "kind__sort_order", "pk")
        .values_list(*fields)
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append([*fields, "kelayakan", "keterangan"])
    rows = 0
    for values in qs.iterator(chunk_size=5000):
        sheet.append([*values, "Memenuhi syarat", ""])
        rows += 1
    workbook.save(out)
    return rows


def child_case(name: str, out: Path) -> None:
    setup_django()
    case = next(c for pair in cases(detail=True) for c in pair if c.name == name)
    result = recap_case(case, out) if case.kind == "recap" else roster_case(case, out)
    print(json.dumps(result))


# -- child side: the synthetic roster --------------------------------------------------------------------------------


def prepare() -> None:
    """The bench user and the 100,000 synthetic people (made once); prints the roster size of each exported scope."""
    setup_django()
    from psks_portal.models import Wilayah
    from registry.models import Assignment, Person
    from registry.selectors import roster_assignments

    user = bench_user()
    started = time.perf_counter()
    marked = Person.objects.filter(address__startswith=ROSTER_MARK)
    made = marked.count() != ROSTER_PEOPLE or Assignment.objects.filter(person__in=marked).count() != ROSTER_PEOPLE
    if made:
        build_roster_people()
    rows = {}
    for scope, _ in ROSTER_SPLIT:
        rows[scope] = roster_assignments(user, wilayah=Wilayah.objects.get(code=scope)).count()
    print(json.dumps({"rows": rows, "built": made, "seconds": time.perf_counter() - started}))


def build_roster_people() -> None:
    from django.db import connection, transaction

    from psks_portal import nik as nik_rules
    from psks_portal.models import Wilayah
    from registry.models import Assignment, AssignmentStatus, Education, Kind, Person, Training, TrainingCategory

    print(f"[recap_exports] making {ROSTER_PEOPLE:,} synthetic people (once)", file=sys.stderr, flush=True)
    rng = random.Random(ROSTER_SEED)
    desa = Wilayah.objects.filter(provinsi_id=PROVINSI, level=4).order_by("code").values_list("code", "kecamatan_id")
    places, inner = [], set()
    for scope, count in ROSTER_SPLIT:  # the smaller scopes first; each later one excludes them
        pool = [(d, k) for d, k in desa if d.startswith(scope + ".") and not any(d.startswith(s + ".") for s in inner)]
        places += [rng.choice(pool) for _ in range(count)]
        inner.add(scope)
    kinds = list(Kind.objects.filter(subject="person").exclude(code="tksk").order_by("pk"))
    educations = [int(e) for e in Education.values]
    existing = set(Person.objects.values_list("nik", flat=True))
    serials: dict[str, int] = {}
    people, roles, trainings = [], [], []
    for i, (desa_code, kecamatan) in enumerate(places):
        sex = rng.choice("LP")
        birth = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 44 * 365))
        day = birth.day + (40 if sex == "P" else 0)
        prefix = f"{kecamatan.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        while True:  # the next free serial of this kecamatan and birth date
            serials[prefix] = serials.get(prefix, 0) + 1
            nik = f"{prefix}{serials[prefix]:04d}"
            if nik not in existing:
                break
        parsed = nik_rules.parse(nik)
        assert not nik_rules.consistency_problems(parsed, sex=sex, birth_date=birth), nik
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if rng.random() < 0.5:
            name += f" {rng.choice(LAST_NAMES)}"
        people.append(
            Person(
                nik=nik, name=name, sex=sex, birth_place=rng.choice(("Bogor", "Bandung", "Garut", "Cirebon")),
                birth_date=birth, education=rng.choice(educations), desa_id=desa_code,
                address=f"{ROSTER_MARK} No. {i + 1}", phone=f"08{rng.randrange(10**9, 10**10)}",
                facts={"sehat": True},
            )
        )  # fmt: skip
        start = date(2015, 1, 2) + timedelta(days=rng.randrange(0, 10 * 365))
        roles.append((rng.choice(kinds), kecamatan, start, f"BENCH/{i + 1:06d}/SK"))
    with transaction.atomic():
        with connection.cursor() as cursor:  # an earlier, partial set (no signals, no history: raw deletes)
            marked = f"SELECT id FROM {Person._meta.db_table} WHERE address LIKE %s"
            for model in (Training, Assignment):
                cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE person_id IN ({marked})", [ROSTER_MARK + "%"])
            cursor.execute(f"DELETE FROM {Person._meta.db_table} WHERE address LIKE %s", [ROSTER_MARK + "%"])
        Person.objects.bulk_create(people, batch_size=5000)
        assignments = []
        for person, (kind, kecamatan, start, sk) in zip(people, roles, strict=True):
            assignments.append(
                Assignment(person=person, kind=kind, wilayah_id=kecamatan, start_date=start, sk_number=sk,
                           sk_date=start, status=AssignmentStatus.ACTIVE)
            )  # fmt: skip
            if rng.random() < 0.4:
                trainings.append(
                    Training(person=person, category=rng.choice(TrainingCategory.values), name="Pelatihan dasar",
                             date=start - timedelta(days=rng.randrange(30, 900)))
                )  # fmt: skip
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        Training.objects.bulk_create(trainings, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_person; ANALYZE registry_assignment; ANALYZE registry_training")


# -- parent side -------------------------------------------------------------------------------------------------


def run_child(args: list[str], env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_file(case: Case, path: Path, rows: int) -> str:
    """Read the file back: a PDF's pages, an XLSX's rows holding a number (data and total rows)."""
    if case.fmt == "pdf":
        from pypdf import PdfReader

        pages = len(PdfReader(path).pages)
        assert pages >= max(1, rows // 100), f"{case.name}: {pages} pages for {rows} rows"
        return f"{pages} pages"
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        if case.kind == "roster":
            lines = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True)) - 1
            assert lines == rows, f"{case.name}: {lines} rows in the file, {rows} expected"
            return f"{lines:,} rows"
        numeric = sum(
            1
            for sheet in workbook.worksheets
            for line in sheet.iter_rows(values_only=True)
            if any(isinstance(v, int | float) and not isinstance(v, bool) for v in line)
        )
        assert numeric >= rows, f"{case.name}: {numeric} rows with figures, {rows} data rows expected"
        sheets = len(workbook.worksheets)
        return f"{sheets} sheet{'s' if sheets > 1 else ''}, {numeric:,} rows with figures"
    finally:
        workbook.close()


def measure(pair: tuple[Case, Case], runs: int, env: dict, directory: Path) -> dict[str, dict]:
    """Run the portal case and its baseline ``runs`` times each, alternating which goes first."""
    samples: dict[str, list[dict]] = {c.name: [] for c in pair}
    for i in range(runs):
        for case in pair if i % 2 == 0 else pair[::-1]:
            out = directory / f"{case.name}-{i}.{case.fmt}"
            result = run_child(["--case", case.name, "--out", str(out)], env)
            result["check"] = check_file(case, out, result["rows"])
            out.unlink()
            samples[case.name].append(result)
    return {
        name: {
            "seconds": statistics.median(s["seconds"] for s in runs_of),
            "peak_mb": max(s["peak_mb"] for s in runs_of),
            "start_mb": min(s["start_mb"] for s in runs_of),
            "queries": runs_of[-1]["queries"],
            "document_s": statistics.median(s.get("document_s", 0) for s in runs_of),
            "rows": runs_of[-1]["rows"],
            "check": runs_of[-1]["check"],
            "runs": len(runs_of),
        }
        for name, runs_of in samples.items()
    }


def verdict(case: Case, result: dict) -> tuple[str, str]:
    """The target as text and PASS/FAIL (lower case for a target shown for information only)."""
    wanted, ok = [], True
    if case.seconds is not None:
        wanted.append(f"< {case.seconds:g} s")
        ok &= result["seconds"] < case.seconds
    if case.peak_mb is not None:
        wanted.append(f"< {case.peak_mb:g} MB")
        ok &= result["peak_mb"] < case.peak_mb
    if not wanted:
        return "", ""
    word = "PASS" if ok else "FAIL"
    if case.info:
        return ", ".join(wanted) + " (info)", word.lower()
    return ", ".join(wanted), word


HEADER = (
    f"{'case':<36} {'rows':>7} {'runs':>4} {'seconds':>8} {'doc s':>6} {'peak MB':>8} {'start MB':>8} "
    f"{'x base s':>8} {'x base MB':>9} {'queries':>7}  {'target':<24} {'':<5} check"
)


def line(case: Case, result: dict, base: dict | None) -> str:
    target, ok = verdict(case, result)
    ratio_s = f"{result['seconds'] / base['seconds']:.2f}x" if base else ""
    ratio_mb = f"{result['peak_mb'] / base['peak_mb']:.2f}x" if base else ""
    document = f"{result['document_s']:.2f}" if result["document_s"] else ""
    return (
        f"{case.label:<36} {result['rows']:>7,} {result['runs']:>4} {result['seconds']:>8.2f} {document:>6} "
        f"{result['peak_mb']:>8.0f} {result['start_mb']:>8.0f} {ratio_s:>8} {ratio_mb:>9} {result['queries']:>7,}  "
        f"{target:<24} {ok:<5} {result['check']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the two target recaps and their baselines")
    parser.add_argument("--heavy-runs", type=int, default=1, help="runs of the detailed recaps and the roster exports")
    parser.add_argument("--no-detail", action="store_true", help="skip the recap with kecamatan sections")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        child_case(args.case, args.out)
        return
    if args.prepare:
        prepare()
        return

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    summary = ensure_province(url)
    env = dict(os.environ, DATABASE_URL=url)
    roster = run_child(["--prepare"], env)
    print(
        f"Jawa Barat: {summary.kabupaten} kabupaten/kota, {summary.kecamatan} kecamatan, {summary.desa:,} desa; "
        f"{summary.figures:,} PMKS figures of {summary.year}; {summary.reports:,} monthly reports "
        f"({'built' if summary.built else 'reused'} in {summary.seconds:.1f} s); roster rows "
        + ", ".join(f"{scope} {n:,}" for scope, n in roster["rows"].items())
        + f" ({'made' if roster['built'] else 'reused'} in {roster['seconds']:.1f} s)"
    )
    load = os.getloadavg()
    print(
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs; "
        f"median of {args.runs} runs ({args.heavy_runs} for the detailed recaps and the rosters), "
        "each run a fresh process\n"
    )
    print(HEADER)
    started = time.perf_counter()
    roster_peaks: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="recap-exports-") as directory:
        for portal, base in cases(detail=not args.no_detail):
            results = measure((portal, base), args.heavy_runs if portal.heavy else args.runs, env, Path(directory))
            print(line(portal, results[portal.name], results[base.name]))
            print(line(base, results[base.name], None), flush=True)
            if portal.kind == "roster":
                roster_peaks[portal.scope] = (results[portal.name]["peak_mb"], results[base.name]["peak_mb"])

    (small, _), (large, _) = ROSTER_SPLIT[0], ROSTER_SPLIT[-1]
    rows_small, rows_large = roster["rows"][small], roster["rows"][large]
    for who, index in (("portal", 0), ("baseline", 1)):
        peaks = [roster_peaks[scope][index] for scope, _ in ROSTER_SPLIT]
        slope = round((peaks[-1] - peaks[0]) / max((rows_large - rows_small) / 10_000, 1), 1) or 0.0
        growth = peaks[-1] / peaks[0]
        shown = " → ".join(f"{p:.0f}" for p in peaks)
        ok = "PASS" if growth <= FLAT_MEMORY else "FAIL"
        print(
            f"\nroster XLSX peak memory, {who}: {shown} MB for {' → '.join(f'{n:,}' for n in roster['rows'].values())}"
            f" rows ({growth:.2f}x, {slope:+.1f} MB per 10,000 rows); must not grow with rows "
            f"(≤ {FLAT_MEMORY}x): {ok if who == 'portal' else ok.lower()}",
            end="",
        )
    load = os.getloadavg()
    print(f"\n\nload average at the end {load[0]:.1f}; measured in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
