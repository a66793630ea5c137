"""PMKS figures for a wilayah: categories × child areas for one month, and the 12-month trend (GROUP BY in SQL).

Figures are stocks: a month's table sums desa into their child areas for that month only; the trend shows each
month's own total, never a sum of months. Small counts (1–4) are suppressed for read-only viewers (Pimpinan, public
screens) so that nobody can be recognised in a small area (UU 27/2022).

Suppression is primary *and* complementary (``psks_portal.disclosure``): a row with one hidden cell would give it back
as its total minus the shown cells, so more cells (and totals) are hidden until no hidden value can be recomputed from
the row and column totals. Small cells show as “1–4”, cells hidden to protect them as “×”. The 12-month trend shows
each month's column totals, so it hides exactly the column totals that month's own table hides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum

from pmks.figures import previous_month
from pmks.models import Category, PmksFigure
from psks_portal import disclosure
from psks_portal.models import Wilayah

SMALL_CELL_MAX = disclosure.SMALL
SMALL_SHOWN = f"1–{SMALL_CELL_MAX}"
PROTECTING_SHOWN = "×"  # hidden only so that a small cell cannot be recomputed from the totals
# The column naming a figure's row in the table of a wilayah of each level; a desa is its own only row.
CHILD_COLUMN = {None: "desa__provinsi", 1: "desa__kabupaten", 2: "desa__kecamatan", 3: "desa", 4: "desa"}


def display(value: int | None, *, hidden: str | None = None, suppressed: bool = False) -> str:
    """A figure as a viewer may see it: '—' for no data, '1–4' for a small cell, '×' for a cell hidden to protect
    a small one."""
    if value is None:
        return "—"
    if hidden == disclosure.COMPLEMENTARY and value > SMALL_CELL_MAX:
        return PROTECTING_SHOWN
    if hidden or (suppressed and 0 < value <= SMALL_CELL_MAX):
        return SMALL_SHOWN
    return f"{value:,}".replace(",", ".")


Key = tuple[str | None, int | None]  # (child code, category pk); None stands for the totals row / totals column


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
    hidden: dict[Key, str] = field(default_factory=dict)  # what suppression hides: PRIMARY or COMPLEMENTARY

    def shown(self, value: int | None, key: Key | None = None) -> str:
        """The figure at ``key`` as a viewer may see it (see ``display``)."""
        return display(value, hidden=self.hidden.get(key) if key else None, suppressed=self.suppressed)

    def cell(self, child: str, category: int) -> str:
        return self.shown(self.cells.get((child, category)), (child, category))

    def row_total(self, child: str) -> str:
        return self.shown(self.row_totals.get(child), (child, None))

    def column_total(self, category: int) -> str:
        return self.shown(self.column_totals.get(category), (None, category))

    def grand(self) -> str:
        return self.shown(self.grand_total or None, (None, None))


def _figures(wilayah: Wilayah | None):
    return PmksFigure.objects.in_wilayah(wilayah)


def _children(wilayah: Wilayah | None) -> list[Wilayah]:
    """The table's rows: the child areas, or for a desa (which has none) the desa itself."""
    if wilayah is not None and wilayah.level == Wilayah.DESA:
        return [wilayah]
    return list(Wilayah.objects.filter(parent=wilayah) if wilayah else Wilayah.objects.filter(level=1))


def protected(children: list[str], categories: list[int], cells: dict[tuple[str, int], int]) -> dict[Key, str]:
    """The cells and totals to hide in a children × categories table (``psks_portal.disclosure.protect``).

    Rows are the children in the given order, then any other child code found in ``cells`` (sorted), so the same data
    gives the same answer wherever it is shown (the table, the trend).
    """
    extra = sorted({child for child, _ in cells} - set(children))
    return disclosure.protect_table([*children, *extra], categories, cells)


def pmks_table(*, wilayah: Wilayah | None, month: date, categories: list[Category], suppress: bool) -> Table:
    """One month's figures by child area and category, with row, column and grand totals (one GROUP BY query).

    With ``suppress`` the table knows which cells and totals to hide (primary and complementary suppression).
    """
    level = wilayah.level if wilayah else None
    table = Table(wilayah, month, categories, _children(wilayah), suppressed=suppress)
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
    if suppress:
        table.hidden = protected([c.code for c in table.children], [c.pk for c in categories], table.cells)
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


def trend_hidden(
    *, wilayah: Wilayah | None, months: list[date], categories: list[Category], children: list[Wilayah]
) -> dict[tuple[date, int], str]:
    """For each month of a trend, the category totals that month's own suppressed table hides (one GROUP BY query).

    The trend shows the totals row of every month's table: showing a total that the month's table hides as “×”
    would give its small cells back.
    """
    level = wilayah.level if wilayah else None
    rows = (
        _figures(wilayah)
        .filter(month__in=months, category__in=categories)
        .values_list("month", CHILD_COLUMN[level], "category_id")
        .annotate(n=Sum("total"))
        .order_by()
    )
    by_month: dict[date, dict[tuple[str, int], int]] = {m: {} for m in months}
    for month, child, category_id, n in rows:
        by_month[month][(child, category_id)] = n
    codes, pks = [c.code for c in children], [c.pk for c in categories]
    hidden = {}
    for month, cells in by_month.items():
        for (child, category), kind in protected(codes, pks, cells).items():
            if child is None and category is not None:
                hidden[(month, category)] = kind
    return hidden


def trend_rows(
    *, wilayah: Wilayah | None, month: date, categories: list[Category], children: list[Wilayah], suppress: bool
) -> tuple[list[date], list[tuple[Category, list[str]]]]:
    """The 12-month trend as shown: the months, and per category the displayed value of each month."""
    months, values = pmks_trend(wilayah=wilayah, month=month, categories=categories)
    hidden = trend_hidden(wilayah=wilayah, months=months, categories=categories, children=children) if suppress else {}
    return months, [
        (c, [display(values.get((m, c.pk)), hidden=hidden.get((m, c.pk)), suppressed=suppress) for m in months])
        for c in categories
    ]
