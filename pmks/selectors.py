"""Read-side of the PMKS app: the active catalogue; an older list's series shown on Permensos 08/2012; the entry grid
of one kecamatan-month (stored figures, last month's, and figures derived from the by-name register).

Figures are stocks (how many people are in the situation that month): they are stored per month and never summed
over months. Published totals of figures (tables, dashboards, roll-ups) are not read here: they come from
``reporting.selectors``, which knows which months are handed in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Exists, F, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from pmks.models import Catalogue, Category, CategoryMapping, FigureSource, HandlingStatus, PmksFigure, PmksRecord, Unit
from psks_portal import periods
from psks_portal.ages import age_on
from psks_portal.models import Wilayah

NO_SUCCESSOR = "Tidak ada padanan dalam Permensos 08/2012."
NEEDS_AGE = "Terbagi menurut usia ({targets}); angka agregat tidak dapat dipilah tanpa data usia."


def active_catalogue() -> Catalogue | None:
    return Catalogue.objects.filter(is_active=True).first()


@dataclass
class Remainder:
    source: Category
    count: int
    reason: str


@dataclass
class MappedSeries:
    """Counts of an older catalogue shown on the new one; what cannot be placed stays visible in ``remainder``."""

    mapped: dict[Category, int] = field(default_factory=dict)
    remainder: list[Remainder] = field(default_factory=list)

    @property
    def total_mapped(self) -> int:
        return sum(self.mapped.values())

    @property
    def total_remainder(self) -> int:
        return sum(r.count for r in self.remainder)


def map_counts(counts: dict[Category, int]) -> MappedSeries:
    """Map aggregate counts per source category onto Permensos 08/2012 (two queries, whatever the number of rows).

    A one-to-one mapping carries the count over; a split by age cannot be applied to an aggregate and a category with
    no successor has nowhere to go: both stay in the remainder with the reason. Nothing is dropped.
    """
    mappings: dict[int, list[CategoryMapping]] = defaultdict(list)
    for mapping in CategoryMapping.objects.filter(source__in=list(counts)).select_related("target"):
        mappings[mapping.source_id].append(mapping)
    series = MappedSeries()
    mapped: dict[Category, int] = defaultdict(int)
    for source, count in counts.items():
        targets = mappings.get(source.pk, [])
        if not targets:
            series.remainder.append(Remainder(source, count, NO_SUCCESSOR))
        elif len(targets) == 1:
            mapped[targets[0].target] += count
        else:
            names = " / ".join(f"{m.target.number:02d} {m.target.code}" for m in targets)
            series.remainder.append(Remainder(source, count, NEEDS_AGE.format(targets=names)))
    series.mapped = dict(sorted(mapped.items(), key=lambda item: item[0].number))
    return series


def map_person(category: Category, age: int | None) -> Category | None:
    """The Permensos 08/2012 category of one person recorded under an older category (splits use the age)."""
    for mapping in CategoryMapping.objects.filter(source=category).select_related("target"):
        if age is None and (mapping.min_age is not None or mapping.max_age is not None):
            continue
        if (mapping.min_age is None or (age is not None and age >= mapping.min_age)) and (
            mapping.max_age is None or (age is not None and age <= mapping.max_age)
        ):
            return mapping.target
    return None


# --- the entry grid ------------------------------------------------------------------------------------------------


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
    """One kecamatan-month: its desa × the catalogue's categories, the stored cells and last month's totals."""

    kecamatan: Wilayah
    period: periods.Period
    desa: list[Wilayah]
    categories: list[Category]
    cells: dict[tuple[str, int], Cell] = field(default_factory=dict)
    previous: dict[tuple[str, int], int] = field(default_factory=dict)
    version: str = ""

    @property
    def month(self) -> date:
        """The first day of the month: how figures store their month."""
        return self.period.start

    def cell(self, desa_code: str, category_id: int) -> Cell:
        return self.cells.get((desa_code, category_id), Cell())


def grid_version(kecamatan: Wilayah, period: periods.Period) -> str:
    """Changes whenever any figure of the kecamatan-month is saved (optimistic concurrency for the grid)."""
    stamp = PmksFigure.objects.filter(desa__kecamatan=kecamatan, month=period.start).aggregate(
        last=Max("updated_at"), n=Count("pk")
    )
    return f"{stamp['n']}:{stamp['last'].isoformat() if stamp['last'] else '-'}"


def grid_load(*, kecamatan: Wilayah, period: periods.Period, categories: list[Category]) -> Grid:
    """The stored figures of one kecamatan-month and the previous month's totals (three queries)."""
    desa = list(Wilayah.objects.filter(parent=kecamatan).order_by("code"))
    grid = Grid(kecamatan, period, desa, categories, version=grid_version(kecamatan, period))
    previous = period.previous().start
    rows = PmksFigure.objects.filter(
        desa__kecamatan=kecamatan, month__in=[period.start, previous], category__in=categories
    )
    for desa_id, category_id, m, male, female, total, source in rows.values_list(
        "desa_id", "category_id", "month", "male", "female", "total", "source"
    ):
        if m == period.start:
            grid.cells[(desa_id, category_id)] = Cell(male, female, total, source)
        else:
            grid.previous[(desa_id, category_id)] = total
    return grid


def previous_cells(grid: Grid) -> dict[tuple[str, int], Cell]:
    """Last month's figures of the grid's kecamatan, as cells marked copied."""
    rows = PmksFigure.objects.filter(
        desa__kecamatan=grid.kecamatan, month=grid.period.previous().start, category__in=grid.categories
    )
    return {
        (d, c): Cell(m, f, t, FigureSource.COPIED)
        for d, c, m, f, t in rows.values_list("desa_id", "category_id", "male", "female", "total")
    }


def register_cells(grid: Grid) -> dict[tuple[str, int], Cell]:
    """The grid's figures as the by-name register gives them at the end of the month, for the categories it covers.

    Each person counts as they stood at the month's end, read from the register's history: their desa, categories,
    handling status (a case closed — ``selesai`` — by then does not count; one closed later still does) and the
    category's age and sex rule on that day (a child who turned 18 during the month has left a children's category).
    Only people identified by the month's end count. A category the register covers in this kecamatan (someone was in
    it at the month's end, whatever their status) gets a cell for every desa, 0 where nobody is counted; the other
    categories are not in the result, so figures typed by hand there are kept.
    """
    end = grid.period.end
    boundary = timezone.make_aware(datetime.combine(grid.period.next().start, time.min))
    wanted = {c.pk: c for c in grid.categories}
    counted: dict[tuple[str, int], Cell] = defaultdict(lambda: Cell(0, 0, 0, FigureSource.REGISTER))
    covered: set[int] = set()
    for desa_id, sex, birth, identified_on, status, categories in _register_as_of(grid.kecamatan, boundary):
        for category_id in categories:
            category = wanted.get(category_id)
            if category is None:
                continue
            covered.add(category_id)
            if status == HandlingStatus.DONE or identified_on > end or not _eligible(category, sex, birth, end):
                continue
            cell = counted[(desa_id, category_id)]
            cell.total += 1
            if sex == "P":
                cell.female += 1
            else:
                cell.male += 1
    cells = {}
    for desa in grid.desa:
        for category_id in covered:
            cell = counted.get((desa.code, category_id)) or Cell(0, 0, 0, FigureSource.REGISTER)
            if wanted[category_id].unit != Unit.PERSON:
                cell.male = cell.female = None
            cells[(desa.code, category_id)] = cell
    return cells


def _eligible(category: Category, sex: str, birth: date | None, on: date) -> bool:
    """Whether a person still fits the category's sex and age rule on ``on`` (unknown birth date: kept)."""
    if category.sex and sex and category.sex != sex:
        return False
    if birth is None or (category.min_age is None and category.max_age is None):
        return True
    age = age_on(birth, on)
    return (category.min_age is None or age >= category.min_age) and (
        category.max_age is None or age <= category.max_age
    )


def _register_as_of(kecamatan: Wilayah, boundary: datetime) -> list[tuple]:
    """Every register record of the kecamatan as it stood just before ``boundary``: (desa, sex, birth date,
    identified on, status, category ids), from the register's history (two queries).

    A record's state then is its last history row before the boundary; a record entered into the register only
    afterwards (identified earlier, written down later) is read from its first history row. Records deleted before
    the boundary are left out; a record with no history at all (written before history was kept) is read as it is now.
    """
    history = PmksRecord.history.model
    through = history._meta.get_field("historicalpmksrecord_categories").related_model
    before = (
        history.objects.filter(id=OuterRef("id"), history_date__lt=boundary)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    # The first row that knows the record's categories (a form writes the record, then its categories).
    first = (
        history.objects.filter(id=OuterRef("id"))
        .filter(Exists(through.objects.filter(history_id=OuterRef("history_id"))))
        .order_by("history_date", "history_id")
        .values("history_id")[:1]
    )
    versions = list(
        history.objects.filter(desa__kecamatan=kecamatan)
        .annotate(chosen=Coalesce(Subquery(before), Subquery(first)))
        .filter(history_id=F("chosen"))
        .exclude(history_type="-")
        .values_list("history_id", "desa_id", "sex", "birth_date", "identified_on", "status")
    )
    categories: dict[int, list[int]] = defaultdict(list)
    for history_id, category_id in through.objects.filter(history_id__in=[v[0] for v in versions]).values_list(
        "history_id", "category_id"
    ):
        categories[history_id].append(category_id)
    rows = [(desa, sex, birth, found, status, categories[h]) for h, desa, sex, birth, found, status in versions]
    for record in (
        PmksRecord.objects.filter(desa__kecamatan=kecamatan)
        .exclude(pk__in=history.objects.values("id"))
        .prefetch_related("categories")
    ):
        rows.append(
            (record.desa_id, record.sex, record.birth_date, record.identified_on, record.status,
             [c.pk for c in record.categories.all()])
        )  # fmt: skip
    return rows


def kecamatan_totals(kecamatan: Wilayah, period: periods.Period) -> dict[int, int]:
    """Total per category for the kecamatan in one month, summed over desa in the database (not over months)."""
    return dict(
        PmksFigure.objects.filter(desa__kecamatan=kecamatan, month=period.start)
        .values_list("category_id")
        .annotate(n=Sum("total"))
        .order_by()
    )
