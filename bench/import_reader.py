"""Benchmark: reading a 20,000-row × 14-column roster (XLSX), and what a zip bomb costs each reader.

Times, best of ``--runs`` interleaved runs: the home-made streaming XLSX reader the portal used before python-calamine
(``psks_portal/tabular.py`` as of commit de0782c, loaded from git), openpyxl in read-only mode, python-calamine alone,
and the portal's reader (``psks_portal.tabular.read_table``: the guards that stream the sheet XML, then calamine, then
rows keyed by column). Ratios are to calamine alone in the same run. Then the 131 KB workbook whose one row holds 4.5
million cells, each reader in a fresh process, with its peak resident memory (VmHWM).

    .venv/bin/python bench/import_reader.py              # 20,000 rows, 3 runs
    .venv/bin/python bench/import_reader.py --rows 5000 --runs 5
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
OLD_READER_COMMIT = "de0782c"
BOMB_CELLS = 4_500_000

CHILD = """
import json, os, sys
sys.path.insert(0, sys.argv[3])


def high_water_mb():
    # VmHWM belongs to this process's memory since exec; ru_maxrss would carry the parent's peak over (Linux).
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM:")).split()[1]) / 1024


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psks_portal.settings")
import django
django.setup()
from pathlib import Path
which, path = sys.argv[1], Path(sys.argv[2])
before = high_water_mb()
outcome = "read"
try:
    if which == "calamine":
        import python_calamine
        with python_calamine.CalamineWorkbook.from_path(str(path)) as workbook:
            for _ in workbook.get_sheet_by_index(0).iter_rows():
                pass
    else:
        from psks_portal.tabular import ImportFileError, read_table
        from registry.io import PERSON_COLUMNS
        try:
            list(read_table(path, filename=path.name, columns=PERSON_COLUMNS).rows)
        except ImportFileError as exc:
            outcome = "refused: " + str(exc)[:60]
except Exception as exc:
    outcome = "error: " + type(exc).__name__
print(json.dumps({"before_mb": before, "peak_mb": high_water_mb(), "outcome": outcome}))
"""


def roster(path: Path, count: int) -> None:
    from registry_import import HEADERS, synthetic_rows, write_xlsx

    desa = [f"32.74.0{k}.100{d}" for k in range(1, 6) for d in range(1, 5)]
    write_xlsx(path, HEADERS, [[row[h] for h in HEADERS] for row in synthetic_rows(count, desa)])


def bomb(path: Path) -> None:
    from tests.core.test_tabular import xlsx

    cell, chunk = b"<c><v>1</v></c>", 10_000
    xlsx(path, [b'<row r="1">', *[cell * chunk] * (BOMB_CELLS // chunk), b"</row>"])


def old_reader():
    """The home-made reader, from git (it is no longer in the tree)."""
    source = subprocess.run(
        ["git", "show", f"{OLD_READER_COMMIT}:psks_portal/tabular.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    target = Path(tempfile.mkdtemp()) / "tabular_de0782c.py"
    target.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("tabular_de0782c", target)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def best(func, runs: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = func()
        times.append(time.perf_counter() - started)
    return min(times), rows


def main(count: int, runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psks_portal.settings")
    import django

    django.setup()
    import python_calamine
    from openpyxl import load_workbook

    from psks_portal.tabular import read_table
    from registry.io import PERSON_COLUMNS

    tmp = Path(tempfile.mkdtemp())
    path = tmp / "roster.xlsx"
    roster(path, count)
    old = old_reader()

    def home_made() -> int:
        return sum(1 for _ in old._xlsx_rows(path, 80 << 20))

    def openpyxl_read_only() -> int:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            return sum(1 for _ in workbook.active.iter_rows(values_only=True))
        finally:
            workbook.close()

    def calamine() -> int:
        with python_calamine.CalamineWorkbook.from_path(str(path)) as workbook:
            return sum(1 for _ in workbook.get_sheet_by_index(0).iter_rows())

    def portal() -> int:
        return sum(1 for _ in read_table(path, filename=path.name, columns=PERSON_COLUMNS).rows) + 1  # + header

    readers = (
        ("calamine alone", calamine),
        ("portal reader (guards + calamine)", portal),
        ("home-made reader (de0782c)", home_made),
        ("openpyxl read-only", openpyxl_read_only),
    )
    results = {label: float("inf") for label, _ in readers}
    for _ in range(runs):  # interleaved, so that a busy moment on a shared machine hits every reader alike
        for label, func in readers:
            seconds, rows = best(func, 1)
            assert rows == count + 1, (label, rows)
            results[label] = min(results[label], seconds)
    base = results["calamine alone"]
    size = path.stat().st_size / 1024
    print(f"\nreading {count:,} rows × 14 columns (XLSX written by openpyxl, {size:,.0f} KB), best of {runs}")
    for label, seconds in results.items():
        print(f"  {label:<36} {seconds:6.2f} s   × {seconds / base:5.2f} of calamine alone")
    home = results["home-made reader (de0782c)"]
    print(f"  portal reader / home-made reader          {results['portal reader (guards + calamine)'] / home:5.2f}")

    bomb_path = tmp / "bom.xlsx"
    bomb(bomb_path)
    size = bomb_path.stat().st_size / 1024
    print(f"\nthe zip bomb ({size:,.0f} KB, one row of {BOMB_CELLS:,} cells), a fresh process each")
    for which in ("calamine", "portal"):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, which, str(bomb_path), str(ROOT)],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=ROOT,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {"outcome": done.stderr}
        print(
            f"  {which:<10} peak {result.get('peak_mb', 0):7.1f} MB (at start {result.get('before_mb', 0):5.1f} MB)"
            f"  {result['outcome']}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    main(args.rows, args.runs)
