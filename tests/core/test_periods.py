"""Period arithmetic: ids, dates, months, containment, navigation and deadlines (a pure module, no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psks_portal import periods
from psks_portal.periods import MONTH, QUARTER, SEMESTER, YEAR, Period, PeriodError


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026M03", date(2026, 3, 1), date(2026, 3, 31), "Maret 2026"),
        ("2024M02", date(2024, 2, 1), date(2024, 2, 29), "Februari 2024"),  # leap year
        ("2026M12", date(2026, 12, 1), date(2026, 12, 31), "Desember 2026"),
        ("2026Q1", date(2026, 1, 1), date(2026, 3, 31), "Triwulan I 2026"),
        ("2026Q4", date(2026, 10, 1), date(2026, 12, 31), "Triwulan IV 2026"),
        ("2026S1", date(2026, 1, 1), date(2026, 6, 30), "Semester I 2026"),
        ("2026S2", date(2026, 7, 1), date(2026, 12, 31), "Semester II 2026"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "Tahun 2026"),
    ],
)
def test_it_parses_ids_into_dates_and_labels(text, start, end, label):
    period = periods.parse(text)
    assert (period.start, period.end, period.label, period.id) == (start, end, label, text)


@pytest.mark.parametrize("text", ["", "2026M13", "2026M00", "2026Q5", "2026S3", "26M01", "2026X1", "2026-03", None])
def test_it_refuses_ids_that_name_no_period(text):
    with pytest.raises(PeriodError):
        periods.parse(text)


def test_it_accepts_lower_case_and_one_digit_months():
    assert periods.parse("2026m3").id == "2026M03"


def test_months_of_a_period_and_their_parents():
    q2 = periods.parse("2026Q2")
    assert [m.id for m in q2.months()] == ["2026M04", "2026M05", "2026M06"]
    assert periods.parse("2026M05").parent(QUARTER) == q2
    assert periods.parse("2026M05").parent(SEMESTER).id == "2026S1"
    assert periods.parse("2026Q3").parent(YEAR).id == "2026"
    with pytest.raises(PeriodError):
        q2.parent(MONTH)
    assert periods.parse("2026").contains(q2) and not q2.contains(periods.parse("2026M07"))


def test_navigation_crosses_years():
    assert periods.parse("2026M01").previous().id == "2025M12"
    assert periods.parse("2025M12").next().id == "2026M01"
    assert periods.parse("2026Q1").shift(-1).id == "2025Q4"
    assert periods.parse("2026S2").next().id == "2027S1"
    assert periods.parse("2026").shift(3).id == "2029"


def test_deadlines_and_days_late():
    march = periods.parse("2026M03")
    assert march.due_date(10) == date(2026, 4, 10)
    assert march.days_late(date(2026, 4, 10), 10) == 0
    assert march.days_late(date(2026, 4, 13), 10) == 3
    assert march.days_late(date(2026, 3, 31), 10) == 0
    assert periods.parse("2026M02").due_date(10) == date(2026, 3, 10)
    assert periods.last_closed(MONTH, date(2026, 1, 5)).id == "2025M12"


period_strategy = st.builds(
    lambda year, kind, n: Period(year, kind, n % (12 // periods.MONTHS_IN[kind]) + 1),
    st.integers(periods.FIRST_YEAR, periods.LAST_YEAR),
    st.sampled_from([MONTH, QUARTER, SEMESTER, YEAR]),
    st.integers(0, 11),
)


@given(period_strategy)
def test_ids_round_trip_and_months_tile_the_period(period):
    assert periods.parse(period.id) == period
    months = period.months()
    assert months[0].start == period.start and months[-1].end == period.end
    assert len(months) == periods.MONTHS_IN[period.kind]
    for a, b in zip(months, months[1:], strict=False):
        assert (b.start - a.end).days == 1


@given(period_strategy, st.integers(-50, 50))
def test_shifting_there_and_back_is_the_identity(period, steps):
    assert period.shift(steps).shift(-steps) == period
    if steps > 0:
        assert period.shift(steps).start > period.end


@pytest.mark.parametrize("text", ["1900M01", "1999M12", "2101", "9999M12", "9999"])
def test_ids_outside_the_reporting_years_are_refused_with_a_message(text):
    with pytest.raises(PeriodError, match="Tahun laporan harus antara 2000 dan 2100"):
        Period.parse(text)


def test_the_first_and_last_reporting_years_still_have_a_year_of_history_and_a_deadline():
    first, last = Period.parse("2000M01"), Period.parse("2100M12")
    assert first.shift(-11).id == "1999M02" and first.previous().id == "1999M12"
    assert last.due_date(31) == date(2101, 1, 31)
