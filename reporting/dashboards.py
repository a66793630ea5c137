"""The dashboard of a wilayah for one month: report completeness per child area (submitted / on time / verified),
PMKS by category with the 12-month trend, TKSK coverage, and the child areas to drill into.

Everything comes from the roll-up selectors (``reporting.selectors``), in a fixed number of queries whatever the size of
the wilayah. PMKS figures are stocks: the trend shows each month's own total, never a sum of months, and counts only
the months whose report is handed in (as the roll-ups do). A read-only viewer (Pimpinan) never sees a PMKS figure of
1–4, nor one that would give such a figure away through a total shown beside it: the dashboard shows the margins of
each month's child areas × categories table, and hides what ``psks_portal.disclosure.protect`` hides of that table
(so the same month is masked alike here, in the trend of a later month, and in the chart data).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Sum
from django.utils.translation import gettext as _

from pmks.models import Category, PmksFigure
from pmks.selectors import active_catalogue
from psks_portal import disclosure, periods
from psks_portal.models import Wilayah
from reporting import selectors
from reporting.models import Report
from reporting.recaps import smallcells
from reporting.selectors import CompletenessRow

TREND_MONTHS = 12
TREND_SERIES = 6  # categories drawn in the trend chart (the largest this month); the table has them all


@dataclass(frozen=True)
class Count:
    """A PMKS figure as a viewer may see it: ``mask`` replaces a withheld figure ("1–4", or "×" for one hidden only so
    that a total cannot give a small one away)."""

    value: int | None
    mask: str = ""

    @property
    def shown(self) -> str:
        if self.value is None:
            return "—"
        if self.mask:
            return self.mask
        return f"{self.value:,}".replace(",", ".")

    @property
    def chart(self) -> int | None:
        """The value for a chart: nothing where the table shows "—" or a mask."""
        return None if self.mask else self.value


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


def pmks_trend(
    *, wilayah: Wilayah | None, month: periods.Period, categories: list[Category], accepted_only: bool
) -> tuple[list[periods.Period], dict[object, dict[tuple[str, int], int]]]:
    """Each month's own PMKS figures by child area and category over the ``TREND_MONTHS`` months ending with
    ``month`` (one GROUP BY): ``{month start: {(child code, category): total}}``.

    A kecamatan-month counts when that month's report is handed in — what ``selectors.pmks_rollup`` gives for a single
    month — so each month equals the month's roll-up; months are never added together.
    """
    months = [month.shift(-back) for back in range(TREND_MONTHS - 1, -1, -1)]
    handed_in = Report.objects.filter(
        kecamatan=OuterRef("desa__kecamatan"),
        period_kind=periods.MONTH,
        start=OuterRef("month"),
        state__in=selectors.handed_in_states(accepted_only),
    )
    rows = (
        PmksFigure.objects.filter(
            selectors.within("desa", wilayah),
            month__gte=months[0].start,
            month__lte=month.start,
            category__in=categories,
        )
        .filter(Exists(handed_in))
        .values_list("month", selectors.child_column("desa", wilayah), "category_id")
        .annotate(n=Sum("total"))
        .order_by()
    )
    by_month: dict[object, dict[tuple[str, int], int]] = {m.start: {} for m in months}
    for start, child, category_id, n in rows:
        by_month[start][(child, category_id)] = n
    return months, by_month


@dataclass
class MonthFigures:
    """One month's PMKS figures of a wilayah: per child area and category, and their margins."""

    children: list[Wilayah]
    per_child: dict[str, int]
    per_category: dict[int, int]
    total: int | None
    cells: dict[tuple[str, int], int] = field(default_factory=dict)


def month_figures(children: list[Wilayah], cells: dict[tuple[str, int], int]) -> MonthFigures:
    """The margins of a month's cells, summed from the cells (so every total is the sum of its parts)."""
    codes = {c.code for c in children}
    per_child: dict[str, int] = {}
    per_category: dict[int, int] = {}
    for (child, category), n in cells.items():
        if child in codes:
            per_child[child] = per_child.get(child, 0) + n
            per_category[category] = per_category.get(category, 0) + n
    total = sum(per_category.values()) if per_category else None
    return MonthFigures(children, per_child, per_category, total, cells)


def pmks_month(
    *, wilayah: Wilayah | None, month: periods.Period, categories: list[Category], accepted_only: bool
) -> MonthFigures:
    """The month's roll-up; a desa is read from its kecamatan's roll-up (the desa is one of its child areas)."""
    if wilayah is not None and wilayah.level == Wilayah.DESA:
        rollup = selectors.pmks_rollup(
            wilayah=wilayah.parent, period=month, categories=categories, accepted_only=accepted_only
        )
        children = [wilayah]
    else:
        rollup = selectors.pmks_rollup(
            wilayah=wilayah, period=month, categories=categories, accepted_only=accepted_only
        )
        children = rollup.children
    return month_figures(children, {key: figure.total for key, figure in rollup.cells.items()})


def withheld(figures: MonthFigures, categories: list[Category]) -> dict[tuple[str, str], str]:
    """The small-cell rule on the margins the dashboard shows (per child area, per category, the total): those that
    ``disclosure.protect`` hides in the month's child areas × categories table."""
    codes, keys = [c.code for c in figures.children], [c.pk for c in categories]
    masks = {}
    for (code, key), kind in disclosure.protect_table(codes, keys, figures.cells).items():
        text = smallcells.PRIMARY_TEXT if kind == disclosure.PRIMARY else smallcells.SECONDARY_TEXT
        if code is None and key is None:
            masks[("jumlah", "")] = text
        elif code is None:
            masks[("kategori", str(key))] = text
        elif key is None:
            masks[("wilayah", code)] = text
    return masks


def dashboard_build(
    *, wilayah: Wilayah | None, month: periods.Period, accepted_only: bool, suppress: bool
) -> Dashboard:
    """Everything the dashboard of ``wilayah`` shows for ``month`` (a monthly period)."""
    completeness_rows, completeness_total = selectors.completeness(wilayah=wilayah, period=month)
    by_code = {row.wilayah.code: row for row in completeness_rows if row.wilayah is not None}
    catalogue = active_catalogue()
    board = Dashboard(wilayah, month, accepted_only, suppress, [], completeness_total, has_catalogue=bool(catalogue))
    categories = list(catalogue.categories.order_by("number")) if catalogue else []
    figures = pmks_month(wilayah=wilayah, month=month, categories=categories, accepted_only=accepted_only)
    masks = withheld(figures, categories) if suppress else {}
    per_child = board.per_child_completeness
    for child in figures.children:
        completeness = by_code.get(child.code) if per_child else None
        pmks = Count(figures.per_child.get(child.code), masks.get(("wilayah", child.code), ""))
        board.children.append(ChildArea(child, completeness, pmks))
    if categories:
        board.trend_months, trend = pmks_trend(
            wilayah=wilayah, month=month, categories=categories, accepted_only=accepted_only
        )
        # Each earlier month is masked as its own dashboard masks it: a later trend must not give back a figure
        # that month hid to protect a small one.
        past = []
        for m in board.trend_months[:-1]:
            earlier = month_figures(figures.children, trend[m.start])
            past.append((earlier, withheld(earlier, categories) if suppress else {}))
        for category in categories:
            key = ("kategori", str(category.pk))
            current = Count(figures.per_category.get(category.pk), masks.get(key, ""))
            points = [Count(f.per_category.get(category.pk), m.get(key, "")) for f, m in past]
            # The last point is this month's figure: it is masked exactly as the figure is.
            board.categories.append(CategoryLine(category, current, [*points, current]))
        board.pmks_total = Count(figures.total, masks.get(("jumlah", ""), ""))
    return board
