"""Roll-ups of stocks and flows, with hand-computed expectations.

Kejaksan (32.74.01) and Lemahwungkuk (32.74.02) are in Kota Cirebon (32.74); Ciamis (32.07.01) in Kabupaten Ciamis
(32.07); all in Jawa Barat (32). Figures are stocks: a quarter takes each kecamatan's last handed-in month.
"""

from __future__ import annotations

import pytest

from psks_portal import periods
from psks_portal.models import Wilayah
from reporting import selectors
from reporting.models import State
from tests.reporting.conftest import activity, category, desa_of, make_report, put

pytestmark = pytest.mark.django_db

KEJAKSAN, LEMAHWUNGKUK, CIAMIS = "32.74.01", "32.74.02", "32.07.01"


def w(code: str | None) -> Wilayah | None:
    return Wilayah.objects.get(code=code) if code else None


def test_a_quarter_takes_the_last_handed_in_month_not_the_sum_of_months(tree, catalogue):
    k1, k2 = desa_of(KEJAKSAN)
    lut = category("LUT")
    # Kejaksan: Jan 10, Feb 12, Mar 15 (March still a draft) → the quarter's stock is February's 12 + 3 = 15.
    for month, state in (("2026M01", State.ACCEPTED), ("2026M02", State.ACCEPTED), ("2026M03", State.DRAFT)):
        make_report(KEJAKSAN, month, state)
    for month, a, b in (("2026M01", 7, 3), ("2026M02", 9, 3), ("2026M03", 11, 4)):
        put(k1, "LUT", month, a, male=2)
        put(k2, "LUT", month, b)
    rollup = selectors.pmks_rollup(wilayah=w("32.74"), period=periods.parse("2026Q1"), categories=[lut])
    assert rollup.cell(KEJAKSAN, lut.pk).total == 12
    assert rollup.cell(KEJAKSAN, lut.pk).male == 2  # only k1 splits by sex
    assert rollup.column_totals[lut.pk].total == 12
    # Summing the months would give 7+3+9+3+11+4 = 37; even the handed-in months summed give 22.
    assert rollup.grand_total.total != 22
    # With "all submitted" a submitted March counts.
    from reporting.models import Report

    Report.objects.filter(period="2026M03").update(state=State.SUBMITTED)
    assert (
        selectors.pmks_rollup(wilayah=w("32.74"), period=periods.parse("2026Q1"), categories=[lut], accepted_only=False)
        .cell(KEJAKSAN, lut.pk)
        .total
        == 15
    )
    assert (
        selectors.pmks_rollup(wilayah=w("32.74"), period=periods.parse("2026Q1"), categories=[lut], accepted_only=True)
        .cell(KEJAKSAN, lut.pk)
        .total
        == 12
    )


def test_totals_at_each_level_are_the_sum_of_their_children(tree, catalogue):
    fm = category("FM")
    for kec, values in ((KEJAKSAN, (4, 6)), (LEMAHWUNGKUK, (10, 1)), (CIAMIS, (100, 23))):
        make_report(kec, "2026M06", State.ACCEPTED)
        for desa, value in zip(desa_of(kec), values, strict=True):
            put(desa, "FM", "2026M06", value)
    period = periods.parse("2026S1")
    national = selectors.pmks_rollup(wilayah=None, period=period, categories=[fm])
    provinsi = selectors.pmks_rollup(wilayah=w("32"), period=period, categories=[fm])
    kota = selectors.pmks_rollup(wilayah=w("32.74"), period=period, categories=[fm])
    assert national.cell("32", fm.pk).total == 144 == provinsi.grand_total.total
    assert provinsi.cell("32.74", fm.pk).total == 21 == kota.grand_total.total
    assert provinsi.cell("32.07", fm.pk).total == 123
    assert kota.cell(KEJAKSAN, fm.pk).total == 10 and kota.cell(LEMAHWUNGKUK, fm.pk).total == 11
    kec = selectors.pmks_rollup(wilayah=w(KEJAKSAN), period=period, categories=[fm])
    assert sorted(f.total for f in kec.cells.values()) == [4, 6]


def test_activities_are_flows_and_sum_over_the_months(tree, catalogue):
    jan = make_report(KEJAKSAN, "2026M01", State.ACCEPTED)
    feb = make_report(KEJAKSAN, "2026M02", State.ACCEPTED)
    mar = make_report(KEJAKSAN, "2026M03", State.SUBMITTED)
    activity(jan, 5, male=3, female=4)
    activity(feb, 6, male=1, female=1)
    activity(feb, 7, kind="rujukan", male=0, female=2)
    activity(mar, 8, male=10, female=10)
    rollup = selectors.activity_rollup(wilayah=w("32.74"), period=periods.parse("2026Q1"))
    data = rollup.cell(KEJAKSAN, "pendataan")
    assert (data.total, data.male, data.female) == (2, 4, 5)
    assert rollup.grand_total.total == 3
    everything = selectors.activity_rollup(wilayah=w("32.74"), period=periods.parse("2026Q1"), accepted_only=False)
    assert everything.grand_total.total == 4 and everything.grand_total.male == 14


def test_completeness_counts_expected_submitted_on_time_and_lists_the_missing(tree, catalogue):
    make_report(KEJAKSAN, "2026M03", State.VERIFIED, days_late=0)
    make_report(LEMAHWUNGKUK, "2026M03", State.SUBMITTED, days_late=4)
    period = periods.parse("2026M03")
    rows, total = selectors.completeness(wilayah=w("32.74"), period=period)
    kota_kecamatan = Wilayah.objects.filter(parent_id="32.74").count()
    assert total.kecamatan == kota_kecamatan and total.submitted == 2 and total.on_time == 1 and total.verified == 1
    by_code = {r.wilayah.code: r for r in rows}
    assert by_code[KEJAKSAN].verified == 1 and by_code[LEMAHWUNGKUK].late == 1
    provinsi_rows, provinsi_total = selectors.completeness(wilayah=w("32"), period=period)
    assert {r.wilayah.code for r in provinsi_rows} == {"32.07", "32.74"}
    assert provinsi_total.submitted == 2
    from datetime import date

    missing = selectors.missing_reports(
        wilayah=w("32.74"), period=period, today=date(2026, 4, 15), due={"32": date(2026, 4, 10)}
    )
    assert len(missing) == kota_kecamatan - 2
    assert all(m.days_overdue == 5 for m in missing)


def test_a_desa_rolls_up_to_its_own_figures(tree, catalogue):
    k1, k2 = desa_of(KEJAKSAN)
    fm = category("FM")
    make_report(KEJAKSAN, "2026M05", State.ACCEPTED)
    put(k1, "FM", "2026M05", 8)
    put(k2, "FM", "2026M05", 3)
    rollup = selectors.pmks_rollup(wilayah=w(k1), period=periods.parse("2026M05"), categories=[fm])
    assert [c.code for c in rollup.children] == [k1]
    assert rollup.cell(k1, fm.pk).total == 8 and rollup.grand_total.total == 8
    assert rollup.states[KEJAKSAN].count(State.ACCEPTED) == 1


def test_activities_of_a_desa_are_those_of_its_kecamatan(tree, catalogue):
    report = make_report(KEJAKSAN, "2026M05", State.ACCEPTED)
    activity(report, 3, male=2, female=5)
    rollup = selectors.activity_rollup(wilayah=w(desa_of(KEJAKSAN)[0]), period=periods.parse("2026M05"))
    assert [c.code for c in rollup.children] == [KEJAKSAN] and rollup.grand_total.female == 5
