"""Completeness: which kecamatan handed in the report of a period, per child area, and which have not (with how far
past the deadline). Counted in the database (GROUP BY on one ancestor column), a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from psks_portal import periods
from psks_portal.models import Wilayah
from registry.selectors import active_tksk_names, kecamatan_with_active_tksk
from reporting.models import SUBMITTED_STATES, Report, State
from reporting.selectors.rollups import CHILD_LEVEL_FIELD, child_column, children_of, report_unit, wilayah_q, within


@dataclass
class CompletenessRow:
    """Reports of one period in one area: expected (all kecamatan / those with an active TKSK) and handed in."""

    wilayah: Wilayah | None
    kecamatan: int = 0
    with_tksk: int = 0
    submitted: int = 0
    on_time: int = 0
    verified: int = 0
    accepted: int = 0
    not_reporting: int = 0
    revision: int = 0
    draft: int = 0

    @property
    def late(self) -> int:
        return self.submitted - self.on_time

    @property
    def not_submitted(self) -> int:
        return self.kecamatan - self.submitted - self.not_reporting

    def share(self, part: int, of: int | None = None) -> float | None:
        whole = self.kecamatan if of is None else of
        return None if not whole else round(100 * part / whole, 1)

    def add(self, other: CompletenessRow) -> None:
        for name in ("kecamatan", "with_tksk", "submitted", "on_time", "verified", "accepted", "not_reporting",
                     "revision", "draft"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))


def completeness(*, wilayah: Wilayah | None, period: periods.Period) -> tuple[list[CompletenessRow], CompletenessRow]:
    """The period's reports per child area (a kecamatan is its own row): two GROUP BY queries, and the total row."""
    wilayah = report_unit(wilayah)
    level = wilayah.level if wilayah else None
    if level == Wilayah.KECAMATAN:
        areas, area_column, report_column = [wilayah], "code", "kecamatan"
    else:
        areas = children_of(wilayah)
        area_column, report_column = CHILD_LEVEL_FIELD[level], child_column("kecamatan", wilayah)
    expected = (
        Wilayah.objects.filter(wilayah_q(wilayah), level=Wilayah.KECAMATAN)
        .values_list(area_column)
        .annotate(n=Count("code"), tksk=Count("code", filter=Q(code__in=Subquery(kecamatan_with_active_tksk()))))
        .order_by()
    )
    handed_in = list(SUBMITTED_STATES)
    reports = (
        Report.objects.filter(within("kecamatan", wilayah), period=period.id)
        .values_list(report_column)
        .annotate(
            submitted=Count("pk", filter=Q(state__in=handed_in)),
            on_time=Count("pk", filter=Q(state__in=handed_in, days_late=0)),
            verified=Count("pk", filter=Q(state__in=[State.VERIFIED, State.ACCEPTED])),
            accepted=Count("pk", filter=Q(state=State.ACCEPTED)),
            not_reporting=Count("pk", filter=Q(state=State.NOT_REPORTING)),
            revision=Count("pk", filter=Q(state=State.REVISION)),
            draft=Count("pk", filter=Q(state=State.DRAFT)),
        )
        .order_by()
    )
    rows = {area.code: CompletenessRow(area) for area in areas}
    for code, n, tksk in expected:
        if code in rows:
            rows[code].kecamatan, rows[code].with_tksk = n, tksk
    for code, *counts in reports:
        if code in rows:
            row = rows[code]
            (row.submitted, row.on_time, row.verified, row.accepted, row.not_reporting, row.revision,
             row.draft) = counts  # fmt: skip
    total = CompletenessRow(wilayah)
    for row in rows.values():
        total.add(row)
    return list(rows.values()), total


@dataclass
class MissingReport:
    kecamatan: Wilayah
    state: str | None
    has_tksk: bool
    tksk_name: str
    due_date: date
    days_overdue: int


def missing_reports(
    *, wilayah: Wilayah | None, period: periods.Period, today: date, due: dict[str, date], limit: int = 1000
) -> list[MissingReport]:
    """Kecamatan in ``wilayah`` whose report for ``period`` is not handed in (no report, draft or revision) and not
    marked as not reporting, with how many days past the deadline it is. ``due`` gives the deadline per provinsi."""
    handed_in = [*SUBMITTED_STATES, State.NOT_REPORTING]
    state = Report.objects.filter(kecamatan=OuterRef("code"), period=period.id).values("state")[:1]
    rows = list(
        Wilayah.objects.filter(wilayah_q(report_unit(wilayah)), level=Wilayah.KECAMATAN)
        .exclude(Exists(Report.objects.filter(kecamatan=OuterRef("code"), period=period.id, state__in=handed_in)))
        .annotate(
            report_state=Subquery(state),
            has_tksk=Exists(kecamatan_with_active_tksk().filter(wilayah_id=OuterRef("code"))),
        )
        .select_related("parent")
        .order_by("code")[:limit]
    )
    names = active_tksk_names([k.code for k in rows if k.has_tksk])
    result = []
    for kec in rows:
        deadline = due[kec.provinsi_id]
        result.append(
            MissingReport(
                kecamatan=kec,
                state=kec.report_state,
                has_tksk=kec.has_tksk,
                tksk_name=names.get(kec.code, ""),
                due_date=deadline,
                days_overdue=max(0, (today - deadline).days),
            )
        )
    return result
