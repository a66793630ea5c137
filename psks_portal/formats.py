"""How a number and a date are written for people, in one place (the template filters ``angka`` and ``tanggal``
call these; so do messages, documents and files written for reading)."""

from __future__ import annotations

from datetime import date, datetime

from psks_portal.periods import MONTH_NAMES

NO_DATA = "—"


def angka(value) -> str:
    """1.234 (dots between thousands), 87,5 (a decimal comma); ``NO_DATA`` for nothing."""
    if value is None or value == "":
        return NO_DATA
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return str(value)


def tanggal(value) -> str:
    """10 Desember 2026 (a datetime with its time: 10 Desember 2026 14.32); empty for nothing."""
    if isinstance(value, datetime):
        return f"{tanggal(value.date())} {value:%H.%M}"
    if isinstance(value, date):
        return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"
    return "" if value is None else str(value)
