"""Locks on data that has been handed in: the core asks, the app that owns the lock answers.

A monthly TKSK report locks the PMKS figures of its kecamatan and month once it is submitted. The PMKS app must not
import the reporting app (dependencies point one way), so reporting registers a check here in its ``ready()`` and
the PMKS grid asks ``locked_reason`` before showing an editable grid or saving one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

LockCheck = Callable[[str, date], "str | None"]

_checks: list[LockCheck] = []


def register(check: LockCheck) -> None:
    """Add a check ``(kecamatan_code, month_start) -> reason or None``; registering twice has no effect."""
    if check not in _checks:
        _checks.append(check)


def locked_reason(kecamatan_code: str, month: date) -> str | None:
    """Why the kecamatan's data for the month may not be changed now, or ``None`` when it may."""
    for check in _checks:
        reason = check(kecamatan_code, month)
        if reason:
            return reason
    return None
