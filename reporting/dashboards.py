"""The dashboard of a wilayah for one month: report completeness per child area (submitted / on time / verified),
PMKS by category with the 12-month trend, TKSK coverage, and the child areas to drill into.

Everything comes from the reporting selectors, in a fixed number of queries whatever the size of the wilayah. PMKS
figures are stocks: the trend shows each month's own total, never a sum of months, and counts only the months whose
report is handed in (as the roll-ups do). The PMKS figures are ``selectors.pmks_month`` — the same published tables as
the PMKS table page: the dashboard shows their margins (per child area, per category, the total), masked exactly as
that page masks them (a read-only viewer gets accepted reports only and never a hidden figure; the same month is
masked alike here, in the trend of a later month, and in the chart data).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from pmks.models import Category
from pmks.selectors import active_catalogue
from psks_portal import disclosure, periods
from psks_portal.models import Wilayah
from reporting import selectors
from reporting.selectors import CompletenessRow

TREND_MONTHS = 12
TREND_SERIES = 6  # categories drawn in the trend chart (the largest this month); the table has them all


@dataclass(frozen=True)
class Count:
    """A PMKS figure as a viewer may see it (``hidden``: withheld by the small-cell rule)."""

    value: int | None
    hidden: bool = False

    @classmethod
    def of(cls, table: selectors.PublishedTable, row: str | None, column: int | None) -> Count:
        return cls(table.value(row, column), table.is_hidden(row, column))

    @property
    def mask(self) -> bool:
        return self.hidden

    @property
    def shown(self) -> str:
        return disclosure.shown(self.value, hidden=self.hidden)

    @property
    def chart(self) -> int | None:
        """The value for a chart: nothing where the table shows "—" or "×"."""
        return None if self.hidden else self.value


@dataclass
class ChildArea:
    wilayah: Wilayah
    completeness: CompletenessRow | None
    pmks: Count

    @property
    def without_tksk(self) -> int | None:
        row = self.completeness
        return None if row is None else row.kecamatan - row.with_tksk

    @property
    def shares(self) -> dict[str, float | None]:
        """Percent of the area's kecamatan: reports submitted, on time, verified; kecamatan with a TKSK."""
        return _shares(self.completeness)


def _shares(row: CompletenessRow | None) -> dict[str, float | None]:
    if row is None:
        return {}
    return {
        "submitted": row.share(row.submitted),
        "on_time": row.share(row.on_time),
        "verified": row.share(row.verified),
        "with_tksk": row.share(row.with_tksk),
    }


@dataclass
class CategoryLine:
    category: Category
    month: Count
    trend: list[Count]


@dataclass
class Dashboard:
    wilayah: Wilayah | None
    month: periods.Period
    accepted_only: bool
    suppress: bool
    children: list[ChildArea]
    completeness: CompletenessRow
    categories: list[CategoryLine] = field(default_factory=list)
    trend_months: list[periods.Period] = field(default_factory=list)
    pmks_total: Count = field(default_factory=lambda: Count(None))
    has_catalogue: bool = True

    @property
    def level(self) -> int | None:
        return self.wilayah.level if self.wilayah else None

    @property
    def per_child_completeness(self) -> bool:
        """Below a kabupaten reports are one per kecamatan: no child area has a completeness of its own."""
        return self.level is None or self.level < Wilayah.KECAMATAN

    @property
    def shares(self) -> dict[str, float | None]:
        return _shares(self.completeness)

    @property
    def without_tksk(self) -> int:
        return self.completeness.kecamatan - self.completeness.with_tksk

    @property
    def masked(self) -> bool:
        """Some figure is withheld (the page explains the marks)."""
        counts = [self.pmks_total, *(c.pmks for c in self.children)]
        counts += [point for line in self.categories for point in (line.month, *line.trend)]
        return any(c.mask for c in counts)

    @property
    def has_pmks(self) -> bool:
        return any(line.month.value or any(c.value for c in line.trend) for line in self.categories)

    def chart_data(self) -> dict:
        """The numbers the charts draw (the same as the tables beside them), for ``json_script``."""
        rows = [c for c in self.children if c.completeness is not None]
        shares = [c.shares for c in rows]
        largest = sorted(self.categories, key=lambda line: -(line.month.chart or 0))[:TREND_SERIES]
        return {
            "text": {
                "submitted": _("Masuk"),
                "on_time": _("Tepat waktu"),
                "verified": _("Diverifikasi"),
                "with_tksk": _("Dengan TKSK aktif"),
                "without_tksk": _("Tanpa TKSK"),
                "total": _("Jumlah"),
            },
            "completeness": {
                "labels": [c.wilayah.name for c in rows],
                "submitted": [s["submitted"] for s in shares],
                "on_time": [s["on_time"] for s in shares],
                "verified": [s["verified"] for s in shares],
            },
            "coverage": {
                "labels": [c.wilayah.name for c in rows],
                "with": [c.completeness.with_tksk for c in rows],
                "without": [c.completeness.kecamatan - c.completeness.with_tksk for c in rows],
            },
            "categories": {
                "labels": [_category_label(line.category) for line in self.categories],
                "values": [line.month.chart for line in self.categories],
            },
            "trend": {
                "labels": [m.label for m in self.trend_months],
                "series": [
                    {"label": _category_label(line.category), "values": [c.chart for c in line.trend]}
                    for line in largest
                    if line.month.chart
                ],
            },
        }


def _category_label(category: Category) -> str:
    return f"{category.number:02d} {category.name}"


def dashboard_build(
    *, wilayah: Wilayah | None, month: periods.Period, accepted_only: bool, suppress: bool
) -> Dashboard:
    """Everything the dashboard of ``wilayah`` shows for ``month`` (a monthly period)."""
    completeness_rows, completeness_total = selectors.completeness(wilayah=wilayah, period=month)
    by_code = {row.wilayah.code: row for row in completeness_rows if row.wilayah is not None}
    catalogue = active_catalogue()
    board = Dashboard(wilayah, month, accepted_only, suppress, [], completeness_total, has_catalogue=bool(catalogue))
    categories = list(catalogue.categories.order_by("number")) if catalogue else []
    pmks = selectors.pmks_month(
        wilayah=wilayah, month=month, categories=categories, accepted_only=accepted_only, suppress=suppress,
        trend=TREND_MONTHS if categories else 1,
    )  # fmt: skip
    table = pmks.table
    per_child = board.per_child_completeness
    for child in pmks.children:
        completeness = by_code.get(child.code) if per_child else None
        board.children.append(ChildArea(child, completeness, Count.of(table, child.code, None)))
    if categories:
        board.trend_months = pmks.months
        for category in categories:
            points = [Count.of(t, None, category.pk) for t in pmks.tables]
            board.categories.append(CategoryLine(category, points[-1], points))
        board.pmks_total = Count.of(table, None, None)
    return board
