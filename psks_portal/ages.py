"""Pure age arithmetic: whole years on a reference date (a 29 February birthday counts on 1 March in common years)."""

from __future__ import annotations

from datetime import date


def age_on(birth: date, on: date) -> int:
    """Completed years at ``on``. Someone born on 29 February turns a year older on 1 March of a common year."""
    if on < birth:
        raise ValueError("Tanggal acuan sebelum tanggal lahir.")
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def years_between(start: date, end: date) -> float:
    """Whole and partial years between two dates (for experience), never negative."""
    if end <= start:
        return 0.0
    return age_on(start, end) + ((end - _anniversary(start, end)).days / 365.25)


def _anniversary(start: date, end: date) -> date:
    years = age_on(start, end)
    year = start.year + years
    try:
        return start.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 3, 1)
