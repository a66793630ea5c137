"""What is published of the PMKS figures, and to whom: one basis rule, one disclosure step, one rendering.

Every screen and file that shows PMKS figures of a wilayah (the PMKS table, the dashboard, the roll-up page, the report
page, the recaps) gets them here or from the roll-ups beside this module, so two screens never disagree:

* **Basis** (``published_basis``): which reports' figures count. A read-only viewer (``roles.suppresses_small_cells``)
  always gets the published basis — reports accepted by the provinsi — whatever the page was asked; others may choose
  "all handed in" (submitted, verified or accepted). Drafts are never published.
* **Disclosure** (``publish``): the child areas × keys table with its totals; for a read-only viewer the positions
  ``psks_portal.disclosure.protect`` hides, computed on the whole table (every child area and every key, in one
  order), so whichever part a screen prints, it hides the same figures.
* **Rendering**: ``PublishedTable.shown`` (``disclosure.shown``): "—" for no data, "×" for a hidden figure, else the
  number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Sum

from pmks.models import Category, PmksFigure
from psks_portal import disclosure, periods, roles
from psks_portal.models import Wilayah
from reporting.models import Report
from reporting.selectors.rollups import Rollup, child_column, children_of, handed_in_states, within

TREND_MONTHS = 12
PROTECTION_CACHE_SECONDS = 3600


def published_basis(user, accepted_only: bool) -> bool:
    """The basis a user gets: ``True`` (accepted reports only) for a read-only viewer whatever was asked, else what
    was asked (``False``: everything handed in)."""
    return True if roles.suppresses_small_cells(user) else accepted_only


def key_of(item) -> Hashable:
    """The cell key of a roll-up's column item (a category's or kind's pk, or the item itself)."""
    return getattr(item, "pk", item)


@dataclass
class PublishedTable:
    """Child areas (rows) × keys (columns) with row, column and grand totals, and what a viewer may not see.

    ``None`` stands for the totals row or the totals column. Totals are sums of the cells (every total equals the sum
    of its parts); a total of nothing is ``None`` ("—")."""

    rows: list[str]
    columns: list[Hashable]
    cells: dict[tuple[str, Hashable], int]
    suppressed: bool = False
    hidden: dict[tuple[str | None, Hashable | None], str] = field(default_factory=dict)
    row_totals: dict[str, int] = field(default_factory=dict)
    column_totals: dict[Hashable, int] = field(default_factory=dict)
    grand_total: int | None = None

    def value(self, row: str | None, column: Hashable | None) -> int | None:
        if row is None and column is None:
            return self.grand_total
        if row is None:
            return self.column_totals.get(column)
        if column is None:
            return self.row_totals.get(row)
        return self.cells.get((row, column))

    def is_hidden(self, row: str | None, column: Hashable | None) -> bool:
        return (row, column) in self.hidden

    def shown(self, row: str | None, column: Hashable | None) -> str:
        """The figure at (row, column) as this viewer may see it."""
        return disclosure.shown(self.value(row, column), hidden=self.is_hidden(row, column))

    def chart(self, row: str | None, column: Hashable | None) -> int | None:
        """The value a chart may draw: nothing where the table shows "—" or "×"."""
        return None if self.is_hidden(row, column) else self.value(row, column)

    @property
    def masked(self) -> bool:
        return bool(self.hidden)


def publish(*, rows: Sequence[str], columns: Sequence[Hashable], cells: dict, suppress: bool) -> PublishedTable:
    """The table as published: totals summed from the cells; with ``suppress`` the positions to hide."""
    table = PublishedTable(list(rows), list(columns), {}, suppressed=suppress)
    row_set, column_set = set(table.rows), set(table.columns)
    for (row, column), value in cells.items():
        if row in row_set and column in column_set and value is not None:
            table.cells[(row, column)] = value
            table.row_totals[row] = table.row_totals.get(row, 0) + value
            table.column_totals[column] = table.column_totals.get(column, 0) + value
    table.grand_total = sum(table.column_totals.values()) if table.column_totals else None
    if suppress:
        table.hidden = protection(table.rows, table.columns, table.cells)
    return table


def publish_rollup(rollup: Rollup, *, suppress: bool) -> PublishedTable:
    """A roll-up's cells (their totals) as published."""
    return publish(
        rows=[child.code for child in rollup.children],
        columns=[key_of(k) for k in rollup.keys],
        cells={key: figure.total for key, figure in rollup.cells.items()},
        suppress=suppress,
    )


def protection(rows: list[str], columns: list[Hashable], cells: dict) -> dict:
    """``disclosure.protect_table`` of the whole table, remembered for an hour (it is a pure function of the
    figures, and the same table is shown on several pages and to several viewers)."""
    if not cells or not rows or not columns:
        return {}
    matrix = repr([[cells.get((r, c), 0) for c in columns] for r in rows])
    key = "disclosure:" + hashlib.sha256(matrix.encode()).hexdigest()
    positions = cache.get(key)
    if positions is None:
        positions = disclosure.protect([[cells.get((r, c), 0) for c in columns] for r in rows])
        cache.set(key, positions, PROTECTION_CACHE_SECONDS)
    row_keys, column_keys = [*rows, None], [*columns, None]
    return {(row_keys[i], column_keys[j]): kind for (i, j), kind in positions.items()}


# -- the PMKS figures of a wilayah month by month -----------------------------------------------------------------


def pmks_months(
    *, wilayah: Wilayah | None, months: list[periods.Period], categories: list[Category], accepted_only: bool
) -> dict[date, dict[tuple[str, int], int]]:
    """Each month's own PMKS figures by child area and category (one GROUP BY): ``{month start: {(child code,
    category pk): total}}``.

    A kecamatan-month counts when that month's report is handed in — what ``pmks_rollup`` gives for a single month
    (a test holds the two equal) — so each month is the month's roll-up; months are never added together. A desa is
    its own only child area.
    """
    handed_in = Report.objects.filter(
        kecamatan=OuterRef("desa__kecamatan"),
        period_kind=periods.MONTH,
        start=OuterRef("month"),
        state__in=handed_in_states(accepted_only),
    )
    rows = (
        PmksFigure.objects.filter(
            within("desa", wilayah),
            month__in=[m.start for m in months],
            category__in=categories,
        )
        .filter(Exists(handed_in))
        .values_list("month", child_column("desa", wilayah), "category_id")
        .annotate(n=Sum("total"))
        .order_by()
    )
    by_month: dict[date, dict[tuple[str, int], int]] = {m.start: {} for m in months}
    for start, child, category_id, n in rows:
        by_month[start][(child, category_id)] = n
    return by_month


@dataclass
class PmksMonth:
    """A wilayah's PMKS figures for one month as published, with the months before it (the trend): one table per
    month, each masked as that month's own table is (a later trend never gives back what a month hid)."""

    wilayah: Wilayah | None
    month: periods.Period
    children: list[Wilayah]
    categories: list[Category]
    months: list[periods.Period]
    tables: list[PublishedTable]

    @property
    def table(self) -> PublishedTable:
        """The month itself (the last of the trend)."""
        return self.tables[-1]

    def trend(self, category: Category) -> list[str]:
        """The category's total in each month, as shown."""
        return [t.shown(None, category.pk) for t in self.tables]

    @property
    def masked(self) -> bool:
        return any(t.masked for t in self.tables)


def pmks_month(
    *,
    wilayah: Wilayah | None,
    month: periods.Period,
    categories: list[Category],
    accepted_only: bool,
    suppress: bool,
    trend: int = TREND_MONTHS,
) -> PmksMonth:
    """The published PMKS table of ``wilayah`` (child areas × categories; a desa is its own row) for ``month`` and
    the ``trend`` months ending with it."""
    children = [wilayah] if wilayah is not None and wilayah.level == Wilayah.DESA else children_of(wilayah)
    months = [month.shift(-back) for back in range(trend - 1, -1, -1)]
    figures = pmks_months(wilayah=wilayah, months=months, categories=categories, accepted_only=accepted_only)
    rows, columns = [c.code for c in children], [c.pk for c in categories]
    tables = [publish(rows=rows, columns=columns, cells=figures[m.start], suppress=suppress) for m in months]
    return PmksMonth(wilayah, month, children, categories, months, tables)
