"""Figures derived from the by-name register follow the register's history: each person counts as they stood at
the end of the month — status, desa, categories, the category's age rule on that day — not as they stand today.

Ani (the TKSK of Kejaksan) derives October and November 2026 for Kejaksan. History dates are set by hand, as if each
change had been made on that day."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from pmks import selectors
from pmks.models import Category, PmksRecord
from pmks.services import catalogue_load
from psks_portal import periods
from psks_portal.models import Wilayah

pytestmark = pytest.mark.django_db

KEJAKSAN, DESA, OTHER_KEC_DESA = "32.74.01", "32.74.01.1001", "32.74.02.1001"
OCTOBER, NOVEMBER = periods.parse("2026M10"), periods.parse("2026M11")


@pytest.fixture
def catalogue(tree):
    catalogue_load()


def _cat(code: str) -> Category:
    return Category.objects.get(catalogue__code="permensos-08-2012", code=code)


def _on(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _record(name, *, sex="L", desa=DESA, categories, identified, born, status="baru", entered=None) -> PmksRecord:
    record = PmksRecord.objects.create(
        name=name, sex=sex, desa_id=desa, status=status, identified_on=identified, birth_date=born
    )
    record.categories.set(categories)
    record.history.update(history_date=_on(entered or identified))
    return record


def _change(record: PmksRecord, day: date, **values) -> None:
    fresh = PmksRecord.objects.get(pk=record.pk)
    latest = fresh.history.order_by("-history_date", "-history_id").first().history_id
    for name, value in values.items():
        setattr(fresh, name, value)
    fresh.save()
    fresh.history.filter(history_id__gt=latest).update(history_date=_on(day))


def _derived(period: periods.Period, categories: list[Category]) -> dict:
    grid = selectors.Grid(
        Wilayah.objects.get(code=KEJAKSAN), period, list(Wilayah.objects.filter(parent_id=KEJAKSAN)), categories
    )
    return {key: cell.total for key, cell in selectors.register_cells(grid).items() if cell.total}


def test_a_case_closed_in_november_still_counts_in_october(catalogue):
    lut = _cat("LUT")
    record = _record("Mbah Karto", categories=[lut], identified=date(2026, 9, 10), born=date(1950, 1, 1))
    _change(record, date(2026, 11, 15), status="selesai")
    # Today the case is closed; October is derived as it stood on 31 October.
    assert _derived(OCTOBER, [lut]) == {(DESA, lut.pk): 1}
    assert _derived(NOVEMBER, [lut]) == {}


def test_a_case_reopened_counts_again_from_the_month_it_was_reopened(catalogue):
    lut = _cat("LUT")
    record = _record("Mbah Sarinah", sex="P", categories=[lut], identified=date(2026, 8, 1), born=date(1950, 1, 1))
    _change(record, date(2026, 9, 20), status="selesai")
    _change(record, date(2026, 11, 3), status="ditangani")
    assert _derived(OCTOBER, [lut]) == {}
    assert _derived(NOVEMBER, [lut]) == {(DESA, lut.pk): 1}


def test_a_child_leaves_a_childrens_category_when_too_old_at_the_months_end(catalogue):
    abt = _cat("ABT")  # 0–5 years
    _record("Anak", categories=[abt], identified=date(2026, 6, 1), born=date(2020, 11, 20))
    assert _derived(OCTOBER, [abt]) == {(DESA, abt.pk): 1}  # 5 years old on 31 October
    assert _derived(NOVEMBER, [abt]) == {}  # 6 on 30 November


def test_a_person_who_moved_counts_where_they_lived_at_the_months_end(catalogue):
    lut = _cat("LUT")
    record = _record("Pindah", categories=[lut], identified=date(2026, 7, 1), born=date(1950, 1, 1))
    _change(record, date(2026, 11, 10), desa_id=OTHER_KEC_DESA)
    assert _derived(OCTOBER, [lut]) == {(DESA, lut.pk): 1}
    assert _derived(NOVEMBER, [lut]) == {}


def test_a_record_entered_later_counts_from_when_it_was_identified(catalogue):
    lut = _cat("LUT")
    _record("Terlambat dicatat", categories=[lut], identified=date(2026, 10, 5), born=date(1950, 1, 1),
            entered=date(2026, 12, 2))  # fmt: skip
    assert _derived(OCTOBER, [lut]) == {(DESA, lut.pk): 1}


def test_a_category_added_later_does_not_reach_back(catalogue):
    lut, pd = _cat("LUT"), _cat("PD")
    record = _record("Dua kategori", categories=[lut], identified=date(2026, 9, 1), born=date(1950, 1, 1))
    before = record.history.order_by("-history_id").first().history_id
    record.categories.add(pd)
    record.history.filter(history_id__gt=before).update(history_date=_on(date(2026, 11, 20)))
    assert _derived(OCTOBER, [lut, pd]) == {(DESA, lut.pk): 1}
    assert _derived(NOVEMBER, [lut, pd]) == {(DESA, lut.pk): 1, (DESA, pd.pk): 1}
