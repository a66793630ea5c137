"""Plausible dates for people and records: what a form or an import accepts as a birth date or a date of record.

A date field accepts anything from 0001-01-01 to 9999-12-31; a birth date before 1900 or in the future, or a PMKS
record identified before Indonesia's social services existed, is a typing error, not data.
"""

from __future__ import annotations

from datetime import date

EARLIEST = date(1900, 1, 1)  # birth dates and any other past date of a person or a document
EARLIEST_IDENTIFIED = date(1945, 8, 17)  # a person recorded as PMKS by an Indonesian social service


def past_date_problem(value: date | None, *, label: str, today: date, earliest: date = EARLIEST) -> str | None:
    """Why ``value`` is not a plausible past date (Indonesian), or ``None`` when it is (or is empty)."""
    if value is None:
        return None
    if value > today:
        return f"{label} {_shown(value)} ada di masa depan."
    if value < earliest:
        return f"{label} {_shown(value)} terlalu lama; paling awal {_shown(earliest)}."
    return None


def _shown(value: date) -> str:
    # strftime's %Y writes the year 1 as "1" on some platforms.
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"
