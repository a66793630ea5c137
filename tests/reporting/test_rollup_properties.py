"""Property-based roll-up tests: generated wilayah trees, report states and figures.

For every generated case the expected figures are computed here, in plain Python, from the generated data (each
kecamatan's last handed-in month of the period, summed over its desa) — not by calling the code under test — and
the roll-ups must match at every level; every total must equal the sum of its parts.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmks.models import Category, PmksFigure
from psks_portal import periods
from psks_portal import wilayah_codes as codes
from psks_portal.models import Wilayah
from reporting import selectors
from reporting.models import Activity, Report, State

pytestmark = pytest.mark.django_db

STATES = [State.DRAFT, State.SUBMITTED, State.REVISION, State.VERIFIED, State.ACCEPTED, State.NOT_REPORTING]
PERIODS = ["2026M02", "2026Q1", "2026S1", "2026"]


def _wilayah(code: str, name: str) -> Wilayah:
    parsed = codes.parse(code)
    parts = code.split(".")
    return Wilayah(
        code=code,
        name=name,
        level=parsed.level,
        kind=parsed.kind,
        parent_id=".".join(parts[:-1]) or None,
        provinsi_id=parts[0],
        kabupaten_id=".".join(parts[:2]) if len(parts) >= 2 else None,
        kecamatan_id=".".join(parts[:3]) if len(parts) >= 3 else None,
    )


# A tree: provinsi → kabupaten → kecamatan → number of desa.
tree_strategy = st.lists(  # provinsi
    st.lists(st.lists(st.integers(1, 3), min_size=1, max_size=3), min_size=1, max_size=2),  # kabupaten → kecamatan
    min_size=1,
    max_size=2,
)


@st.composite
def cases(draw):
    shape = draw(tree_strategy)
    rows, kecamatan, desa_of = [], [], {}
    for p, kabupaten in enumerate(shape, start=1):
        prov = f"9{p}"
        rows.append(_wilayah(prov, f"Provinsi Uji {p}"))
        for k, kecs in enumerate(kabupaten, start=1):
            kab = f"{prov}.{k:02d}"
            rows.append(_wilayah(kab, f"Kabupaten Uji {p}{k}"))
            for c, n_desa in enumerate(kecs, start=1):
                kec = f"{kab}.{c:02d}"
                rows.append(_wilayah(kec, f"Kecamatan Uji {p}{k}{c}"))
                kecamatan.append(kec)
                desa_of[kec] = [f"{kec}.{2000 + d}" for d in range(1, n_desa + 1)]
                rows.extend(_wilayah(d, f"Desa {d}") for d in desa_of[kec])
    # Per kecamatan and month (Jan–Jul 2026): a report state (or none) and, for each desa, a figure (or none).
    months = [f"2026M{m:02d}" for m in range(1, 8)]
    reports = {(kec, m): draw(st.sampled_from([None, *STATES])) for kec in kecamatan for m in months}
    values = {
        (d, m): draw(st.one_of(st.none(), st.tuples(st.integers(0, 40), st.integers(0, 40))))
        for kec in kecamatan
        for d in desa_of[kec]
        for m in months
    }
    activities = {(kec, m): draw(st.integers(0, 2)) for kec in kecamatan for m in months}
    return rows, kecamatan, desa_of, months, reports, values, activities


def _expected(kecamatan, desa_of, reports, values, period, accepted_only):
    """Hand-rolled semantics: a kecamatan's stock is its desa values in the last handed-in month of the period."""
    handed_in = {State.ACCEPTED} if accepted_only else {State.SUBMITTED, State.VERIFIED, State.ACCEPTED}
    in_period = [m.id for m in period.months()]
    by_desa: dict[str, tuple[int, int]] = {}
    for kec in kecamatan:
        months = [m for m in in_period if reports.get((kec, m)) in handed_in]
        if not months:
            continue
        last = months[-1]
        for d in desa_of[kec]:
            if values.get((d, last)) is not None:
                by_desa[d] = values[(d, last)]
    return by_desa


@pytest.fixture
def lut(catalogue):
    return Category.objects.get(catalogue__code="permensos-08-2012", code="LUT")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases(), period_id=st.sampled_from(PERIODS), accepted_only=st.booleans())
def test_roll_ups_match_hand_computed_stocks_and_add_up_at_every_level(lut, case, period_id, accepted_only):
    rows, kecamatan, desa_of, months, reports, values, activities = case
    period = periods.parse(period_id)
    savepoint = transaction.savepoint()
    try:
        Wilayah.objects.bulk_create(sorted(rows, key=lambda w: w.level))
        report_objs = {}
        for (kec, m), state in reports.items():
            if state is not None:
                p = periods.parse(m)
                report_objs[(kec, m)] = Report.objects.create(
                    kecamatan_id=kec, period=m, period_kind="M", start=p.start, end=p.end, state=state,
                    due_date=p.due_date(10),
                )  # fmt: skip
        PmksFigure.objects.bulk_create(
            PmksFigure(desa_id=d, category=lut, month=periods.parse(m).start, male=v[0], female=v[1], total=sum(v))
            for (d, m), v in values.items()
            if v is not None
        )
        for (kec, m), n in activities.items():
            report = report_objs.get((kec, m))
            for i in range(n if report else 0):
                Activity.objects.create(
                    report=report, date=report.start, kind="pendataan", place="x", participants_male=i + 1,
                    participants_female=2, result="ok",
                )  # fmt: skip

        expected = _expected(kecamatan, desa_of, reports, values, period, accepted_only)

        def roll(code):
            wilayah = Wilayah.objects.get(code=code) if code else None
            return selectors.pmks_rollup(wilayah=wilayah, period=period, categories=[lut], accepted_only=accepted_only)

        def total_under(prefix: str) -> int:
            return sum(sum(v) for d, v in expected.items() if d.startswith(prefix + ".") or d == prefix)

        # Nationally (our generated provinsi only exist in this case's tree) and at every level below.
        national = roll(None)
        assert national.grand_total.total == sum(sum(v) for v in expected.values())
        assert national.grand_total.male == (sum(v[0] for v in expected.values()) if expected else None)
        for area in [w for w in rows if w.level < Wilayah.DESA]:
            rollup = roll(area.code)
            assert rollup.grand_total.total == total_under(area.code)
            # Every total is the sum of its parts: grand = Σ row totals = Σ column totals = Σ cells.
            assert rollup.grand_total.total == sum(f.total for f in rollup.row_totals.values())
            assert rollup.grand_total.total == sum(f.total for f in rollup.cells.values())
            for child in rollup.children:
                cell = rollup.cell(child.code, lut.pk)
                assert (cell.total if cell else 0) == total_under(child.code)

        # Flows: activities of handed-in months of the period, summed over months and areas.
        handed_in = {State.ACCEPTED} if accepted_only else {State.SUBMITTED, State.VERIFIED, State.ACCEPTED}
        in_period = {m.id for m in period.months()}
        flows = defaultdict(int)
        for (kec, m), n in activities.items():
            if m in in_period and reports.get((kec, m)) in handed_in:
                flows[kec[:2]] += n
        activity = selectors.activity_rollup(wilayah=None, period=period, accepted_only=accepted_only)
        assert activity.grand_total.total == sum(flows.values())
        for prov, n in flows.items():
            assert (activity.row_totals[prov].total if prov in activity.row_totals else 0) == n
    finally:
        transaction.savepoint_rollback(savepoint)


def test_a_quarter_of_stocks_is_not_the_sum_of_its_months(tree, lut):
    """Three accepted months of 10, 20 and 30: the quarter is 30; a sum over months (60) would fail here."""
    desa = "32.74.01.1001"
    for month, value in (("2026M01", 10), ("2026M02", 20), ("2026M03", 30)):
        p = periods.parse(month)
        Report.objects.create(
            kecamatan_id="32.74.01", period=month, period_kind="M", start=p.start, end=p.end, state=State.ACCEPTED,
            due_date=p.due_date(10),
        )  # fmt: skip
        PmksFigure.objects.create(desa_id=desa, category=lut, month=p.start, male=value, female=0, total=value)
    kota = Wilayah.objects.get(code="32.74")
    quarter = selectors.pmks_rollup(wilayah=kota, period=periods.parse("2026Q1"), categories=[lut])
    months = [
        selectors.pmks_rollup(wilayah=kota, period=periods.parse(m), categories=[lut]).grand_total.total
        for m in ("2026M01", "2026M02", "2026M03")
    ]
    assert months == [10, 20, 30]
    assert quarter.grand_total.total == 30 != sum(months)
