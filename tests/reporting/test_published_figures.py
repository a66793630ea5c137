"""What two screens publish of the same figures, together: nothing hidden can be worked out.

Hadi, a read-only Pimpinan of Kota Cirebon, looks at the kota's PMKS figures of March 2026 on every screen and file
that shows them: the PMKS table (asking for "all submitted" too), the dashboard of March (every basis it may be
asked for) and the trend of April's dashboard, the roll-up page for March and for the first triwulan (whose stock is
March's), and the recap file (asking for everything handed in and a split by sex). Hypothesis draws the figures of
the five kecamatan and the state of each kecamatan's March report.

Everything a number is printed for is collected, from every screen at once. The test then checks, computing the
expected figures itself:

* every number shown is the accepted figure (nothing of a report not accepted, no screen disagreeing with another);
* no figure of 1 to 4 is shown anywhere;
* the kota table's equations (rows, columns, totals) over everything shown, with a hidden figure at least 1, leave
  every hidden small figure an interval of at least five values (linear programming, SciPy) — so it can be neither
  recomputed nor narrowed to the small-count band.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmks.models import PmksFigure
from psks_portal import periods
from psks_portal.models import Wilayah
from reporting.models import Report, State
from reporting.recaps import service
from tests.core.test_disclosure import interval_lp
from tests.reporting.conftest import category, desa_of, make_report, put

pytestmark = pytest.mark.django_db

KOTA, MARCH, APRIL, QUARTER = "32.74", "2026M03", "2026M04", "2026Q1"
KECAMATAN = ["32.74.01", "32.74.02", "32.74.03", "32.74.04", "32.74.05"]
CODES = ["LUT", "FM", "PD", "KAT"]
STATES = [None, State.DRAFT, State.SUBMITTED, State.VERIFIED, State.REVISION, State.ACCEPTED]

counts = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 40))
worlds = st.fixed_dictionaries(
    {
        "states": st.lists(st.sampled_from(STATES), min_size=5, max_size=5),
        # per kecamatan, per category: the figure of its first desa and of its second
        "figures": st.lists(
            st.lists(st.tuples(counts, counts), min_size=len(CODES), max_size=len(CODES)), min_size=5, max_size=5
        ),
    }
)

Position = tuple  # ("cell", kecamatan, code) | ("row", kecamatan) | ("col", code) | ("grand",)


def _set_up(world: dict) -> dict[Position, int]:
    """Write the drawn figures and reports; return the accepted figures of the kota table (the truth)."""
    PmksFigure.objects.all().delete()
    Report.objects.all().delete()
    truth: dict[Position, int] = {}
    for kec, state, per_category in zip(KECAMATAN, world["states"], world["figures"], strict=True):
        if state is not None:
            make_report(kec, MARCH, state)
        desa = desa_of(kec)
        for code, (first, second) in zip(CODES, per_category, strict=True):
            for d, value in zip(desa, (first, second), strict=True):
                if value:
                    put(d, code, MARCH, value)
            if state == State.ACCEPTED and first + second:
                truth[("cell", kec, code)] = first + second
    for kec in KECAMATAN:
        row = sum(v for (kind, *key), v in truth.items() if kind == "cell" and key[0] == kec)
        if row:
            truth[("row", kec)] = row
    for code in CODES:
        column = sum(v for (kind, *key), v in truth.items() if kind == "cell" and key[1] == code)
        if column:
            truth[("col", code)] = column
    if any(kind == "cell" for kind, *_ in truth):
        truth[("grand",)] = sum(v for (kind, *_), v in truth.items() if kind == "cell")
    return truth


def _number(text: str) -> int | None:
    """A printed figure as a number; ``None`` for a hidden one ("×"); 0 for no data ("—", "–", empty)."""
    text = str(text).strip()
    if text in ("×",):
        return None
    if text in ("—", "–", ""):
        return 0
    return int(text.replace(".", ""))


class Seen:
    """Every number printed for each position, by screen."""

    def __init__(self):
        self.numbers: dict[Position, set[tuple[str, int]]] = {}

    def add(self, screen: str, position: Position, text: str) -> None:
        value = _number(text)
        if value is not None:
            self.numbers.setdefault(position, set()).add((screen, value))

    def known(self) -> dict[Position, int]:
        return {p: next(iter(values))[1] for p, values in self.numbers.items()}


def _codes() -> dict[int, str]:
    return {category(code).pk: code for code in CODES}


def _table_page(client, seen: Seen, **params) -> None:
    response = client.get(reverse("reporting:pmks_table"), {"wilayah": KOTA, "periode": MARCH, **params})
    assert response.status_code == 200
    context, screen = response.context, f"tabel {params}"
    wanted = {c.pk: c.code for c in context["categories"] if c.code in CODES}
    index = {pk: i for i, pk in enumerate(c.pk for c in context["categories"])}
    for child, values, total in context["rows"]:
        seen.add(screen, ("row", child.code), total)
        for pk, code in wanted.items():
            seen.add(screen, ("cell", child.code, code), values[index[pk]])
    for pk, code in wanted.items():
        seen.add(screen, ("col", code), context["totals"][index[pk]])
    seen.add(screen, ("grand",), context["grand_total"])
    # The trend's last month is March's totals row.
    for cat, values in context["trend_rows"]:
        if cat.code in CODES:
            seen.add(screen + " tren", ("col", cat.code), values[-1])


def _dashboard(client, seen: Seen, month: str, **params) -> None:
    response = client.get(reverse("reporting:dashboard"), {"wilayah": KOTA, "periode": month, **params})
    assert response.status_code == 200
    board, screen = response.context["board"], f"dasbor {month} {params}"
    if month == MARCH:
        for child in board.children:
            seen.add(screen, ("row", child.wilayah.code), child.pmks.shown)
        seen.add(screen, ("grand",), board.pmks_total.shown)
    for line in board.categories:
        if line.category.code in CODES:
            point = line.month if month == MARCH else line.trend[-2]  # April's trend shows March
            seen.add(screen, ("col", line.category.code), point.shown)
    charts = response.context["chart_data"]["categories"]
    for label, value in zip(charts["labels"], charts["values"], strict=True):
        code = label.split(" ", 1)[0]
        if month == MARCH and value is not None:
            name = next((c for c in CODES if f"{category(c).number:02d}" == code), None)
            if name:
                seen.add(screen + " grafik", ("col", name), str(value))


def _rollup(client, seen: Seen, period: str, **params) -> None:
    response = client.get(reverse("reporting:rollup"), {"wilayah": KOTA, "periode": period, "tab": "pmks", **params})
    assert response.status_code == 200
    context, screen, codes = response.context, f"rekap {period} {params}", _codes()
    keys = [c["key"] for c in context["columns"]]
    for row in context["rows"]:
        seen.add(screen, ("row", row["child"].code), row["total"])
        for key, cell in zip(keys, row["cells"], strict=True):
            if key in codes:
                seen.add(screen, ("cell", row["child"].code, codes[key]), cell["total"])
            assert cell["split"] is None  # no L/P equations for a read-only viewer
    for key, total in zip(keys, context["totals"], strict=True):
        if key in codes:
            seen.add(screen, ("col", codes[key]), total["total"])
    seen.add(screen, ("grand",), context["grand_total"])


def _recap_file(user, seen: Seen) -> None:
    made = service.render_recap(
        user=user, recap="pmks", wilayah=Wilayah.objects.get(code=KOTA), period=periods.parse(MARCH), fmt="csv",
        accepted_only=False, options={"by_sex": True, "detail": 0},
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(made.content.decode("utf-8-sig"))))
    header = rows[0]
    assert not any(h.endswith((" L", " P")) for h in header)
    labels = {f"{category(code).number:02d} {code}": code for code in CODES}
    for row in rows[1:]:
        if len(row) != len(header):
            continue
        line = dict(zip(header, row, strict=True))
        ident = line["Kode"]
        for label, code in labels.items():
            position = ("col", code) if ident == KOTA else ("cell", ident, code)
            seen.add("berkas rekap", position, line[label])
        seen.add("berkas rekap", ("grand",) if ident == KOTA else ("row", ident), line["Jumlah"])


def _relations() -> list[tuple[Position, list[Position]]]:
    """The kota table's published sums: each row, each column, and the totals."""
    relations = [(("row", k), [("cell", k, c) for c in CODES]) for k in KECAMATAN]
    relations += [(("col", c), [("cell", k, c) for k in KECAMATAN]) for c in CODES]
    relations.append((("grand",), [("row", k) for k in KECAMATAN]))
    relations.append((("grand",), [("col", c) for c in CODES]))
    return relations


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])  # fmt: skip
@given(world=worlds)
def test_no_hidden_figure_can_be_worked_out_from_every_screen_together(people, catalogue, login, world):
    truth = _set_up(world)
    client = login(people["hadi"])
    seen = Seen()
    _table_page(client, seen)
    _table_page(client, seen, dasar="dikirim")
    for params in ({}, {"status": "diterima"}, {"status": "dikirim"}):
        _dashboard(client, seen, MARCH, **params)
    _dashboard(client, seen, APRIL)
    for period in (MARCH, QUARTER):
        _rollup(client, seen, period)
        _rollup(client, seen, period, dasar="dikirim")
    _recap_file(people["hadi"], seen)

    # Every screen agrees, and shows the accepted figures only (no data = 0).
    for position, values in seen.numbers.items():
        assert {value for _screen, value in values} == {truth.get(position, 0)}, (position, values)
    known = seen.known()
    # No figure of 1 to 4 is printed anywhere.
    assert not [p for p, v in known.items() if 1 <= v <= 4]
    # The equations, with everything shown, leave every hidden small figure at least five possible values.
    values = {p: truth.get(p, 0) for rel in _relations() for p in (rel[0], *rel[1])}
    hidden = {p for p, v in values.items() if v > 0 and p not in known}
    for position in hidden:
        if 1 <= values[position] <= 4:
            low, high = interval_lp(values, _relations(), hidden, position)
            assert high - low >= 4, (position, values[position], low, high)
