"""Reporting test data: reports and figures written straight to the database (the workflow has its own tests)."""

from __future__ import annotations

from datetime import date

from pmks.models import Category, PmksFigure
from psks_portal import periods
from psks_portal.models import Wilayah
from reporting.models import Activity, Report, State


def category(code: str) -> Category:
    return Category.objects.get(catalogue__code="permensos-08-2012", code=code)


def make_report(kecamatan: str, period: str, state: str = State.DRAFT, *, days_late: int | None = None) -> Report:
    p = periods.parse(period)
    return Report.objects.create(
        kecamatan_id=kecamatan,
        period=p.id,
        period_kind=p.kind,
        start=p.start,
        end=p.end,
        state=state,
        due_date=p.due_date(10),
        days_late=days_late if days_late is not None else (0 if state not in (State.DRAFT,) else None),
    )


def put(desa: str, code: str, month: str, total: int, male: int | None = None) -> PmksFigure:
    """A figure for a desa: ``male`` given → split by sex (female = total − male)."""
    female = None if male is None else total - male
    return PmksFigure.objects.create(
        desa_id=desa, category=category(code), month=periods.parse(month).start, total=total, male=male, female=female
    )


def activity(report: Report, day: int, kind: str = "pendataan", male: int = 0, female: int = 0) -> Activity:
    return Activity.objects.create(
        report=report,
        date=date(report.start.year, report.start.month, day),
        kind=kind,
        place="Balai desa",
        participants_male=male,
        participants_female=female,
        result="Tercatat",
    )


def desa_of(kecamatan: str, n: int = 2) -> list[str]:
    return list(Wilayah.objects.filter(parent_id=kecamatan).order_by("code").values_list("code", flat=True)[:n])
