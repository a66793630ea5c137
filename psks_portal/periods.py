"""Reporting periods: month (the grain), triwulan, semester and year — pure arithmetic, no Django.

Ids: ``2026M03`` (March 2026), ``2026Q1`` (triwulan I), ``2026S1`` (semester I), ``2026`` (the year). Every period
knows its first and last day, its months, and the period of another kind that contains it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTH, QUARTER, SEMESTER, YEAR = "M", "Q", "S", "Y"
KINDS = (MONTH, QUARTER, SEMESTER, YEAR)
MONTHS_IN = {MONTH: 1, QUARTER: 3, SEMESTER: 6, YEAR: 12}
KIND_NAMES = {MONTH: "Bulanan", QUARTER: "Triwulanan", SEMESTER: "Semesteran", YEAR: "Tahunan"}
MONTH_NAMES = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
ROMAN = ("I", "II", "III", "IV")
# The years a period id may name (``parse``). Arithmetic (``shift``, ``previous``) works on 1900–9999.
FIRST_YEAR, LAST_YEAR = 2000, 2100

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:(?P<kind>[MQS])(?P<index>\d{1,2}))?$")


class PeriodError(ValueError):
    """A period id that does not name a period."""


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period. ``index`` is the month (1–12), triwulan (1–4), semester (1–2), or 1 for a year."""

    year: int
    kind: str
    index: int

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise PeriodError(f"Jenis periode tidak dikenal: {self.kind!r}")
        if not 1 <= self.index <= 12 // MONTHS_IN[self.kind]:
            raise PeriodError(f"Nomor periode di luar rentang: {self.kind}{self.index}")
        if not 1900 <= self.year <= 9999:
            raise PeriodError(f"Tahun di luar rentang: {self.year}")

    # -- construction ---------------------------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026M03`` / ``2026Q1`` / ``2026S2`` / ``2026`` → Period; ``PeriodError`` for anything else."""
        match = _PATTERN.match((text or "").strip().upper())
        if not match:
            raise PeriodError(f"Periode tidak dikenal: {text!r} (contoh: 2026M03, 2026Q1, 2026S1, 2026)")
        year = int(match["year"])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            # Well inside the arithmetic's own range, so a trend or "previous period" of any parsed period exists.
            raise PeriodError(f"Tahun laporan harus antara {FIRST_YEAR} dan {LAST_YEAR}: {text!r}")
        if match["kind"] is None:
            return cls(year, YEAR, 1)
        return cls(year, match["kind"], int(match["index"]))

    @classmethod
    def month_of(cls, day: date) -> Period:
        return cls(day.year, MONTH, day.month)

    @classmethod
    def containing(cls, day: date, kind: str) -> Period:
        """The period of ``kind`` that contains ``day``."""
        return cls(day.year, kind, (day.month - 1) // MONTHS_IN[kind] + 1)

    # -- identity ---------------------------------------------------------------------------------------------------

    @property
    def id(self) -> str:
        if self.kind == YEAR:
            return f"{self.year}"
        if self.kind == MONTH:
            return f"{self.year}M{self.index:02d}"
        return f"{self.year}{self.kind}{self.index}"

    def __str__(self) -> str:
        return self.id

    @property
    def label(self) -> str:
        """Indonesian label: "Maret 2026", "Triwulan I 2026", "Semester II 2026", "Tahun 2026"."""
        if self.kind == MONTH:
            return f"{MONTH_NAMES[self.index - 1]} {self.year}"
        if self.kind == QUARTER:
            return f"Triwulan {ROMAN[self.index - 1]} {self.year}"
        if self.kind == SEMESTER:
            return f"Semester {ROMAN[self.index - 1]} {self.year}"
        return f"Tahun {self.year}"

    # -- dates -------------------------------------------------------------------------------------------------------

    @property
    def first_month(self) -> int:
        return (self.index - 1) * MONTHS_IN[self.kind] + 1

    @property
    def last_month(self) -> int:
        return self.first_month + MONTHS_IN[self.kind] - 1

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def months(self) -> list[Period]:
        """The months of the period, in order."""
        return [Period(self.year, MONTH, m) for m in range(self.first_month, self.last_month + 1)]

    def month_starts(self) -> list[date]:
        return [date(self.year, m, 1) for m in range(self.first_month, self.last_month + 1)]

    def contains(self, other: Period | date) -> bool:
        if isinstance(other, Period):
            return self.start <= other.start and other.end <= self.end
        return self.start <= other <= self.end

    def parent(self, kind: str) -> Period:
        """The period of ``kind`` that contains this one (a month's triwulan, a triwulan's year...)."""
        if MONTHS_IN[kind] < MONTHS_IN[self.kind]:
            raise PeriodError(f"{self.id} tidak termuat dalam satu periode {kind}")
        return Period.containing(self.start, kind)

    # -- navigation -------------------------------------------------------------------------------------------------

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods later (earlier when negative), of the same kind."""
        per_year = 12 // MONTHS_IN[self.kind]
        position = self.year * per_year + (self.index - 1) + steps
        return Period(position // per_year, self.kind, position % per_year + 1)

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def due_date(self, days_after_end: int) -> date:
        """The deadline: ``days_after_end`` days after the last day (10 → the 10th of the next month)."""
        return self.end + timedelta(days=days_after_end)

    def days_late(self, submitted_on: date, days_after_end: int) -> int:
        """0 when submitted by the deadline, else the number of days after it."""
        return max(0, (submitted_on - self.due_date(days_after_end)).days)


def parse(text: str) -> Period:
    return Period.parse(text)


def current(kind: str, today: date) -> Period:
    return Period.containing(today, kind)


def last_closed(kind: str, today: date) -> Period:
    """The most recent period of ``kind`` that has ended by ``today`` (what a TKSK reports on now)."""
    return Period.containing(today, kind).previous()
