"""PMKS figures for a wilayah: categories × child areas for one month, and the 12-month trend (GROUP BY in SQL).

Figures are stocks: a month's table sums desa into their child areas for that month only; the trend shows each
month's own total, never a sum of months. Small counts (1–4) are suppressed for read-only viewers (Pimpinan, public
screens) so that nobody can be recognised in a small area (UU 27/2022).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum

from pmks.figures import previous_month
from pmks.models import Category, PmksFigure
from psks_portal.models import Wilayah

SMALL_CELL_MAX = 4
CHILD_COLUMN = {None: "desa__provinsi", 1: "desa__kabupaten", 2: "desa__kecamatan", 3: "desa"}


@dataclass
class Table:
    wilayah: Wilayah | None
    month: date
    categories: list[Category]
    children: list[Wilayah]
    cells: dict[tuple[str, int], int] = field(default_factory=dict)
    row_totals: dict[str, int] = field(default_factory=dict)
    column_totals: dict[int, int] = field(default_factory=dict)
    grand_total: int = 0
    suppressed: bool = False

    def shown(self, value: int | None) -> str:
        """The figure as a viewer may see it: '—' for no data, '1–4' when small cells are hidden."""
        if value is None:
            return "—"
        if self.suppressed and 0 < value <= SMALL_CELL_MAX:
            return f"1–{SMALL_CELL_MAX}"
        return f"{value:,}".replace(",", ".")


def _figures(wilayah: Wilayah | None):
    return PmksFigure.objects.in_wilayah(wilayah)


def pmks_table(*, wilayah: Wilayah | None, month: date, categories: list[Category], suppress: bool) -> Table:
    """One month's figures by child area and category, with row, column and grand totals (one GROUP BY query)."""
    level = wilayah.level if wilayah else None
    children = list(Wilayah.objects.filter(parent=wilayah) if wilayah else Wilayah.objects.filter(level=1))
    table = Table(wilayah, month, categories, children, suppressed=suppress)
    child_column = CHILD_COLUMN[level]
    rows = (
        _figures(wilayah)
        .filter(month=month, category__in=categories)
        .values_list(child_column, "category_id")
        .annotate(n=Sum("total"))
        .order_by()
    )
    for child, category_id, n in rows:
        table.cells[(child, category_id)] = n
        table.row_totals[child] = table.row_totals.get(child, 0) + n
        table.column_totals[category_id] = table.column_totals.get(category_id, 0) + n
    table.grand_total = sum(table.column_totals.values())
    return table


def pmks_trend(*, wilayah: Wilayah | None, month: date, categories: list[Category], months: int = 12):
    """Each month's total per category for the wilayah over the last ``months`` months (ending with ``month``)."""
    series_months = [month]
    for _ in range(months - 1):
        series_months.insert(0, previous_month(series_months[0]))
    rows = (
        _figures(wilayah)
        .filter(month__gte=series_months[0], month__lte=month, category__in=categories)
        .values_list("month", "category_id")
        .annotate(n=Sum("total"))
        .order_by()
    )
    values = {(m, c): n for m, c, n in rows}
    return series_months, values
