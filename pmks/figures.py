"""PMKS figures per desa, category and month: the entry grid's reads and writes.

Figures are stocks (how many people are in the situation that month): they are stored per month and never summed
over months. One form post saves a whole kecamatan-month (30 desa × 26 categories), atomically.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Sum

from pmks.models import Category, FigureSource, HandlingStatus, PmksFigure, PmksRecord, Unit
from psks_portal import locks
from psks_portal.models import Wilayah


def parse_month(text: str) -> date:
    """``2026-11`` → 1 November 2026; ``ValueError`` for anything else."""
    year, month = (int(part) for part in text.split("-"))
    return date(year, month, 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


@dataclass
class Cell:
    male: int | None = None
    female: int | None = None
    total: int | None = None
    source: str = FigureSource.MANUAL

    @property
    def empty(self) -> bool:
        return self.male is None and self.female is None and self.total is None


@dataclass
class Grid:
    kecamatan: Wilayah
    month: date
    desa: list[Wilayah]
    categories: list[Category]
    cells: dict[tuple[str, int], Cell] = field(default_factory=dict)
    previous: dict[tuple[str, int], int] = field(default_factory=dict)
    version: str = ""

    def cell(self, desa_code: str, category_id: int) -> Cell:
        return self.cells.get((desa_code, category_id), Cell())


def grid_version(kecamatan: Wilayah, month: date) -> str:
    """Changes whenever any figure of the kecamatan-month is saved (optimistic concurrency for the grid)."""
    stamp = PmksFigure.objects.filter(desa__kecamatan=kecamatan, month=month).aggregate(
        last=Max("updated_at"), n=Count("pk")
    )
    return f"{stamp['n']}:{stamp['last'].isoformat() if stamp['last'] else '-'}"


def grid_load(*, kecamatan: Wilayah, month: date, categories: list[Category]) -> Grid:
    """The stored figures of one kecamatan-month and the previous month's totals (two queries)."""
    desa = list(Wilayah.objects.filter(parent=kecamatan).order_by("code"))
    grid = Grid(kecamatan, month, desa, categories, version=grid_version(kecamatan, month))
    rows = PmksFigure.objects.filter(
        desa__kecamatan=kecamatan, month__in=[month, previous_month(month)], category__in=categories
    )
    for desa_id, category_id, m, male, female, total, source in rows.values_list(
        "desa_id", "category_id", "month", "male", "female", "total", "source"
    ):
        if m == month:
            grid.cells[(desa_id, category_id)] = Cell(male, female, total, source)
        else:
            grid.previous[(desa_id, category_id)] = total
    return grid


def copy_previous(grid: Grid) -> Grid:
    """Start from last month's figures (nothing is saved until the grid is posted)."""
    rows = PmksFigure.objects.filter(
        desa__kecamatan=grid.kecamatan, month=previous_month(grid.month), category__in=grid.categories
    )
    grid.cells = {
        (d, c): Cell(m, f, t, FigureSource.COPIED)
        for d, c, m, f, t in rows.values_list("desa_id", "category_id", "male", "female", "total")
    }
    return grid


def derive_from_register(grid: Grid) -> Grid:
    """Counts from the by-name register: records identified by the end of the month and not closed, by sex."""
    end = next_month(grid.month)
    counts: dict[tuple[str, int], Cell] = defaultdict(lambda: Cell(0, 0, 0, FigureSource.REGISTER))
    rows = (
        PmksRecord.objects.filter(desa__kecamatan=grid.kecamatan, identified_on__lt=end)
        .exclude(status=HandlingStatus.DONE)
        .filter(categories__in=grid.categories)
        .values_list("desa_id", "categories", "sex")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    units = {c.pk: c.unit for c in grid.categories}
    for desa_id, category_id, sex, n in rows:
        cell = counts[(desa_id, category_id)]
        if sex == "P":
            cell.female += n
        else:
            cell.male += n
        cell.total += n
    for key, cell in counts.items():
        if units[key[1]] != Unit.PERSON:
            cell.male = cell.female = None
    grid.cells = dict(counts)
    return grid


def jump_share() -> float:
    return getattr(settings, "PMKS_JUMP_SHARE", 0.5)


def is_jump(previous: int | None, new: int | None) -> bool:
    """A change larger than the configured share of last month's figure (and at least 5), either way."""
    if previous is None or new is None:
        return False
    difference = abs(new - previous)
    return difference >= 5 and difference > jump_share() * max(previous, 1)


class FiguresLocked(Exception):
    """The kecamatan-month's figures are part of a report that has been handed in."""


@transaction.atomic
def grid_save(*, grid: Grid, cells: dict[tuple[str, int], Cell], comment: str, by) -> int:
    """Replace the kecamatan-month's figures with ``cells`` (blank cells remove a figure); returns rows written.

    Refused with ``FiguresLocked`` while the month's report is handed in (``psks_portal.locks``)."""
    reason = locks.locked_reason(grid.kecamatan.code, grid.month)
    if reason:
        raise FiguresLocked(reason)
    existing = {
        (f.desa_id, f.category_id): f
        for f in PmksFigure.objects.select_for_update().filter(
            desa__kecamatan=grid.kecamatan, month=grid.month, category__in=grid.categories
        )
    }
    to_create, to_update, to_delete = [], [], []
    for key, cell in cells.items():
        figure = existing.get(key)
        if cell.empty:
            if figure is not None:
                to_delete.append(figure.pk)
            continue
        jump = is_jump(grid.previous.get(key), cell.total)
        values = {
            "male": cell.male,
            "female": cell.female,
            "total": cell.total,
            "source": cell.source,
            "updated_by": by,
            "comment": comment if jump else "",
        }
        if figure is None:
            to_create.append(PmksFigure(desa_id=key[0], category_id=key[1], month=grid.month, **values))
        elif any(getattr(figure, k) != v for k, v in values.items() if k != "updated_by"):
            for k, v in values.items():
                setattr(figure, k, v)
            to_update.append(figure)
    for figure in to_update:  # per row so each change keeps its history (who, old → new)
        figure.save()
    created = PmksFigure.objects.bulk_create(to_create, batch_size=1000)
    PmksFigure.objects.filter(pk__in=to_delete).delete()
    return len(created) + len(to_update) + len(to_delete)


def kecamatan_totals(kecamatan: Wilayah, month: date) -> dict[int, int]:
    """Total per category for the kecamatan in one month, summed over desa in the database (not over months)."""
    return dict(
        PmksFigure.objects.filter(desa__kecamatan=kecamatan, month=month)
        .values_list("category_id")
        .annotate(n=Sum("total"))
        .order_by()
    )
