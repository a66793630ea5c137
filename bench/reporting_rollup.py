"""Benchmark: the provincial roll-ups and the completeness screen on the province-sized data set (PostgreSQL).

    DATABASE_URL=postgres://root@127.0.0.1:5432/psks_bench_province .venv/bin/python bench/reporting_rollup.py
    .venv/bin/python bench/reporting_rollup.py --runs 9 --explain    # more runs; EXPLAIN ANALYZE summaries

DATABASE_URL defaults to the URL above. The data set (Jawa Barat, 1.9 million PMKS figures, see ``bench/province.py``)
is built on the first run (two to three minutes) and reused afterwards.

Each roll-up of ``reporting.selectors`` (the whole call: child areas, figures, and the report states shown beside
them) is timed against hand-written SQL computing the same figures with the same semantics, measured in the same run
and interleaved with it (median of ``--runs`` after a warm-up); the results are asserted identical. Two raw forms for
the PMKS stock: "plain", the straightforward query (each kecamatan's last handed-in month as ``max(start)``, joined to
the figures, one ``GROUP BY GROUPING SETS`` for the cells and the category totals), and "tuned" (the figure months
narrowed first through ``month = ANY(ARRAY(...))``, the cells in a subquery that runs in parallel, the totals grouped
from the cells). The ratio is taken against the faster. Targets (issue 5): the provincial annual PMKS roll-up within
1.5x of the raw query and under 0.5 s. The PSKS and activity roll-ups read few rows, so there the portal's fixed cost
(child areas, report states: 3 small queries) weighs more in the ratio. The machine is shared: the load average is
printed, and ratios (not seconds) are what compares across runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from province import DEFAULT_URL, ensure_province  # noqa: E402

TARGET_RATIO, TARGET_SECONDS = 1.5, 0.5


# -- hand-written SQL ------------------------------------------------------------------------------------------------

# Each kecamatan's last month of the period whose monthly report is handed in.
LAST_MONTHS = """
    SELECT kecamatan_id, max(start) AS month FROM reporting_report
    WHERE period_kind = 'M' AND start BETWEEN %(start)s AND %(end)s AND state = ANY(%(states)s)
    GROUP BY kecamatan_id
"""
PMKS_SQL = """
    WITH last AS ({last})
    SELECT GROUPING(w.kabupaten_id), w.kabupaten_id, f.category_id, sum(f.total), sum(f.male), sum(f.female)
    FROM last
    JOIN psks_portal_wilayah w ON w.kecamatan_id = last.kecamatan_id
    JOIN pmks_pmksfigure f ON f.desa_id = w.code AND f.month = last.month
    WHERE w.provinsi_id = %(provinsi)s AND f.category_id = ANY(%(categories)s)
    GROUP BY GROUPING SETS ((w.kabupaten_id, f.category_id), (f.category_id))
"""
# Tuned by hand: the figure months narrowed first (an array, so an index condition on (month, category)), the cells
# in a subquery that PostgreSQL can run in parallel (GROUPING SETS cannot), the category totals summed from the cells.
PMKS_TUNED_SQL = """
    SELECT GROUPING(kabupaten_id), kabupaten_id, category_id, sum(total), sum(male), sum(female)
    FROM (
        SELECT w.kabupaten_id, f.category_id, sum(f.total) AS total, sum(f.male) AS male, sum(f.female) AS female
        FROM pmks_pmksfigure f
        JOIN psks_portal_wilayah w ON w.code = f.desa_id
        JOIN ({last}) last ON last.kecamatan_id = w.kecamatan_id AND last.month = f.month
        WHERE w.provinsi_id = %(provinsi)s AND f.category_id = ANY(%(categories)s)
          AND f.month = ANY(ARRAY(SELECT DISTINCT month FROM ({last}) months))
        GROUP BY 1, 2
    ) cells
    GROUP BY GROUPING SETS ((kabupaten_id, category_id), (category_id))
"""
PSKS_SQL = """
    WITH last AS (
        SELECT DISTINCT ON (kecamatan_id) id FROM reporting_report
        WHERE period_kind = 'M' AND start BETWEEN %(start)s AND %(end)s AND state = ANY(%(states)s)
        ORDER BY kecamatan_id, start DESC
    )
    SELECT GROUPING(w.kabupaten_id), w.kabupaten_id, p.kind_id, sum(p.count), NULL, NULL
    FROM last
    JOIN reporting_pskscount p ON p.report_id = last.id
    JOIN psks_portal_wilayah w ON w.code = p.desa_id
    WHERE w.provinsi_id = %(provinsi)s
    GROUP BY GROUPING SETS ((w.kabupaten_id, p.kind_id), (p.kind_id))
"""
ACTIVITY_SQL = """
    SELECT GROUPING(w.kabupaten_id), w.kabupaten_id, a.kind, count(*), sum(a.participants_male),
           sum(a.participants_female)
    FROM reporting_activity a
    JOIN reporting_report r ON r.id = a.report_id
    JOIN psks_portal_wilayah w ON w.code = r.kecamatan_id
    WHERE w.provinsi_id = %(provinsi)s AND r.period_kind = 'M' AND r.start BETWEEN %(start)s AND %(end)s
      AND r.state = ANY(%(states)s)
    GROUP BY GROUPING SETS ((w.kabupaten_id, a.kind), (a.kind))
"""


def raw(sql: str, params: dict):
    from django.db import connection

    def run() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def as_figures(rows: list[tuple]) -> tuple[dict, dict]:
    """Raw GROUPING SETS rows → ({(child, key): (total, male, female)}, {key: (total, male, female)})."""
    cells, totals = {}, {}
    for is_total, child, key, total, male, female in rows:
        value = (int(total), None if male is None else int(male), None if female is None else int(female))
        if is_total:
            totals[key] = value
        else:
            cells[(child, key)] = value
    return cells, totals


def rollup_figures(rollup) -> tuple[dict, dict]:
    cells = {k: (f.total, f.male, f.female) for k, f in rollup.cells.items()}
    totals = {k: (f.total, f.male, f.female) for k, f in rollup.column_totals.items()}
    return cells, totals


# -- timing ----------------------------------------------------------------------------------------------------------


def interleaved(functions: dict, runs: int) -> dict[str, float]:
    """Median seconds of each function, after one warm-up; the order rotates every round so drift hits all alike."""
    for fn in functions.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in functions}
    names = list(functions)
    for i in range(runs):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            started = time.perf_counter()
            functions[name]()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def queries_of(fn) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return captured.captured_queries


def explain(sql: str, params=None) -> list[str]:
    """The plan's main nodes and the execution time, from EXPLAIN (ANALYZE, BUFFERS)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        lines = [row[0] for row in cursor.fetchall()]
    keep = ("Scan", "Join", "Aggregate", "Sort Method", "Nested Loop", "Execution Time", "JIT")
    return [line[:150] for line in lines if any(k in line for k in keep) and "Buffers" not in line]


def compare(label: str, portal, raws: dict, runs: int, *, check, targets: bool = False) -> dict[str, float]:
    """Time ``portal`` against the raw queries, assert identical figures, print one line."""
    portal_result = portal()
    for name, fn in raws.items():
        check(portal_result, fn(), name)
    timings = interleaved({"portal": portal, **raws}, runs)
    best_name = min(raws, key=timings.get)
    ratio = timings["portal"] / timings[best_name]
    raw_text = ", ".join(f"{name} {timings[name]:.3f} s" for name in raws)
    verdict = ""
    if targets:
        ok = ratio <= TARGET_RATIO and timings["portal"] < TARGET_SECONDS
        verdict = f"  [target ≤ {TARGET_RATIO}x and < {TARGET_SECONDS} s: {'met' if ok else 'MISSED'}]"
    print(
        f"{label:<44} portal {timings['portal']:.3f} s  raw: {raw_text}  ratio {ratio:.2f}x (to {best_name}){verdict}"
    )
    return timings


def check_figures(portal_rollup, raw_rows, name: str) -> None:
    portal_cells, portal_totals = rollup_figures(portal_rollup)
    raw_cells, raw_totals = as_figures(raw_rows)
    assert portal_cells == raw_cells, f"cells differ from {name}"
    assert portal_totals == raw_totals, f"category totals differ from {name}"
    assert portal_cells, "empty roll-up"


def check_counts(portal_rollup, raw_rows, name: str) -> None:
    """PSKS counts have no sex split: compare totals only."""
    raw_cells, raw_totals = as_figures(raw_rows)
    assert {k: f.total for k, f in portal_rollup.cells.items()} == {k: v[0] for k, v in raw_cells.items()}, name
    assert {k: f.total for k, f in portal_rollup.column_totals.items()} == {k: v[0] for k, v in raw_totals.items()}


# -- the run ---------------------------------------------------------------------------------------------------------


def run(runs: int, show_plans: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psks_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from pmks.models import Category
    from psks_portal import periods
    from psks_portal.models import Wilayah
    from reporting import selectors
    from reporting.models import ACCEPTED_STATES, SUBMITTED_STATES

    jabar = Wilayah.objects.get(code="32")
    categories = list(Category.objects.filter(catalogue__code="permensos-08-2012").order_by("number"))
    year, quarter, december = periods.parse("2026"), periods.parse("2026Q4"), periods.parse("2026M12")

    def params(period, accepted_only: bool) -> dict:
        states = ACCEPTED_STATES if accepted_only else SUBMITTED_STATES
        return {
            "start": period.start,
            "end": period.end,
            "states": [str(s) for s in states],
            "provinsi": jabar.code,
            "categories": [c.pk for c in categories],
        }

    def pmks_case(label: str, period, accepted_only: bool, *, targets: bool = False) -> None:
        p = params(period, accepted_only)
        plain = PMKS_SQL.format(last=LAST_MONTHS)
        tuned = PMKS_TUNED_SQL.format(last=LAST_MONTHS)

        def portal():
            return selectors.pmks_rollup(
                wilayah=jabar, period=period, categories=categories, accepted_only=accepted_only
            )

        compare(
            label,
            portal,
            {"plain": raw(plain, p), "tuned": raw(tuned, p)},
            runs,
            check=check_figures,
            targets=targets,
        )
        if show_plans:
            captured = queries_of(portal)
            heaviest = max(captured, key=lambda q: float(q["time"]))
            print(f"    portal: {len(captured)} queries; EXPLAIN ANALYZE of the heaviest ({heaviest['time']} s):")
            print("\n".join("      " + line for line in explain(heaviest["sql"])))
            print("    raw (tuned):")
            print("\n".join("      " + line for line in explain(tuned, p)))

    pmks_case("PMKS 2026, accepted only (by kabupaten)", year, True, targets=True)
    pmks_case("PMKS 2026, all submitted", year, False)
    pmks_case("PMKS 2026Q4 (triwulan), accepted only", quarter, True)
    compare(
        "PSKS present 2026, accepted only",
        lambda: selectors.psks_rollup(wilayah=jabar, period=year, accepted_only=True),
        {"raw": raw(PSKS_SQL, params(year, True))},
        runs,
        check=check_counts,
    )
    compare(
        "activities 2026 (flows), accepted only",
        lambda: selectors.activity_rollup(wilayah=jabar, period=year, accepted_only=True),
        {"raw": raw(ACTIVITY_SQL, params(year, True))},
        runs,
        check=check_figures,
    )

    def screen():
        rows, total = selectors.completeness(wilayah=jabar, period=december)
        missing = selectors.missing_reports(
            wilayah=jabar, period=december, today=date(2027, 1, 20), due={jabar.code: december.due_date(10)}
        )
        return rows, total, missing

    rows, total, missing = screen()
    seconds = interleaved({"screen": screen}, runs)["screen"]
    print(
        f"{'completeness 2026M12 + missing reports':<44} portal {seconds:.3f} s  ({len(queries_of(screen))} queries; "
        f"{total.kecamatan} kecamatan, {total.submitted} submitted, {total.on_time} on time, "
        f"{total.accepted} accepted, {len(missing)} missing)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query after the warm-up (≥ 5)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE summaries")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    summary = ensure_province(url)
    os.environ["DATABASE_URL"] = url
    by_state = ", ".join(f"{state} {n:,}" for state, n in sorted(summary.reports_by_state.items()))
    print(
        f"Jawa Barat: {summary.kabupaten} kabupaten/kota, {summary.kecamatan} kecamatan, {summary.desa:,} desa; "
        f"{summary.figures:,} PMKS figures ({summary.categories} categories × 12 months of {summary.year}); "
        f"{summary.reports:,} monthly reports ({by_state}); {summary.activities:,} activities; "
        f"{summary.psks_counts:,} PSKS counts; {summary.tksk} active TKSK "
        f"({'built' if summary.built else 'reused'} in {summary.seconds:.1f} s)"
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; median of {max(args.runs, 5)} runs\n")
    run(max(args.runs, 5), args.explain)


if __name__ == "__main__":
    main()
