"""Roll-ups and completeness: every figure for any wilayah and period, computed in the database.

Each query groups by an ancestor column of the wilayah tree (``desa__kabupaten``, ``kecamatan__provinsi``…), never
walks the tree in Python and never recurses. Two kinds of figures:

* **Stocks** (PMKS counts, PSKS present) are the situation at a moment. For a period longer than a month, each
  kecamatan contributes the figures of the *last month of the period whose monthly report is handed in* (accepted,
  or with "all submitted" anything submitted and not sent back); those are summed across areas, never over months.
* **Flows** (activities, participants) happen during the period and sum over its months.

"Handed in" is chosen by ``accepted_only``: ``True`` counts accepted reports only, ``False`` everything submitted,
verified or accepted. Beside each figure the selectors give the state of the reports underneath it.

Each roll-up reads its records once: one GROUP BY by child area and key gives the cells, and the row, column and grand
totals are sums of those cells (at most children × keys numbers), so every total equals the sum of its parts by
construction. ``bench/reporting_rollup.py`` measures them on a province-sized data set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery, Sum

from pmks.models import Category, PmksFigure
from psks_portal import periods
from psks_portal.models import LEVEL_FIELD, Wilayah
from reporting.models import ACCEPTED_STATES, SUBMITTED_STATES, Activity, PsksCount, Report, State

# The column that names the child area of a record reached through ``prefix`` (a desa or kecamatan FK), by the
# level of the wilayah looked at (None = the whole country, children are provinsi).
CHILD_LEVEL_FIELD = {None: "provinsi", 1: "kabupaten", 2: "kecamatan", 3: "code", 4: "code"}


def child_column(prefix: str, wilayah: Wilayah | None) -> str:
    name = CHILD_LEVEL_FIELD[wilayah.level if wilayah else None]
    return prefix if name == "code" else f"{prefix}__{name}"


def within(prefix: str, wilayah: Wilayah | None) -> Q:
    """Records whose ``prefix`` wilayah lies inside ``wilayah`` (a filter on one ancestor column)."""
    if wilayah is None:
        return Q()
    column = LEVEL_FIELD[wilayah.level]
    return Q(**{prefix if column == "code" else f"{prefix}__{column}": wilayah.code})


def children_of(wilayah: Wilayah | None) -> list[Wilayah]:
    return list(Wilayah.objects.filter(parent=wilayah).order_by("code") if wilayah else Wilayah.objects.filter(level=1))


def handed_in_states(accepted_only: bool) -> tuple[str, ...]:
    return tuple(ACCEPTED_STATES if accepted_only else SUBMITTED_STATES)


class _OneOf(Func):
    """``column IN (subquery)``, written ``column = ANY(ARRAY(subquery))`` on PostgreSQL.

    PostgreSQL runs the array form once, before the scan, and uses its values as an index condition: the figures of
    the few months that are some kecamatan's last handed-in month are read through the (month, category) index
    instead of the whole period. A plain ``IN (subquery)`` becomes a join that cannot narrow the scan. Keep the
    subquery's result small (``distinct()``): the array is searched element by element for every row.
    """

    arity = 2
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        (column, column_params), (subquery, subquery_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        return f"{column} IN {subquery}", (*column_params, *subquery_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        (column, column_params), (subquery, subquery_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        return f"{column} = ANY(ARRAY{subquery})", (*column_params, *subquery_params)


def last_handed_in_months(period: periods.Period, accepted_only: bool) -> QuerySet[Report]:
    """Per kecamatan, the monthly report of the last month of ``period`` that is handed in (the stock's source)."""
    states = handed_in_states(accepted_only)
    later = Report.objects.filter(
        kecamatan=OuterRef("kecamatan"),
        period_kind=periods.MONTH,
        state__in=states,
        start__gt=OuterRef("start"),
        start__lte=period.end,
    )
    in_period = Report.objects.filter(state__in=states).monthly_in(period)
    return in_period.exclude(Exists(later))


@dataclass
class Figure:
    total: int = 0
    male: int | None = None
    female: int | None = None

    def add(self, total: int, male: int | None, female: int | None) -> None:
        self.total += total or 0
        if male is not None:
            self.male = (self.male or 0) + male
        if female is not None:
            self.female = (self.female or 0) + female


@dataclass
class ReportStates:
    """The reports under one child area's figure: kecamatan in the area, those that contributed, and the monthly
    reports of the period by state."""

    kecamatan: int = 0
    contributing: int = 0
    by_state: dict[str, int] = field(default_factory=dict)

    @property
    def expected_monthly(self) -> int:
        return self.kecamatan

    def count(self, state: str) -> int:
        return self.by_state.get(state, 0)


@dataclass
class Rollup:
    wilayah: Wilayah | None
    period: periods.Period
    accepted_only: bool
    children: list[Wilayah]
    keys: list
    cells: dict[tuple[str, object], Figure] = field(default_factory=dict)
    column_totals: dict[object, Figure] = field(default_factory=dict)
    row_totals: dict[str, Figure] = field(default_factory=dict)
    grand_total: Figure = field(default_factory=Figure)
    states: dict[str, ReportStates] = field(default_factory=dict)

    def cell(self, child: str, key) -> Figure | None:
        return self.cells.get((child, key))


def _fill(rollup: Rollup, cell_rows) -> Rollup:
    """Cells from the GROUP BY rows ``(child, key, total, male, female)``; row, column and grand totals as their sums
    (the same numbers a GROUP BY by key alone would give, without reading the records a second time)."""
    for child, key, total, male, female in cell_rows:
        rollup.cells.setdefault((child, key), Figure()).add(total, male, female)
        rollup.row_totals.setdefault(child, Figure()).add(total, male, female)
        rollup.column_totals.setdefault(key, Figure()).add(total, male, female)
        rollup.grand_total.add(total, male, female)
    return rollup


def pmks_rollup(
    *, wilayah: Wilayah | None, period: periods.Period, categories: list[Category], accepted_only: bool = True
) -> Rollup:
    """PMKS counts by child area and category for any period: each kecamatan's last handed-in month, summed across
    areas in the database (one GROUP BY for the cells, whose sums are the totals; two for the report states)."""
    children = children_of(wilayah) if wilayah is None or wilayah.level < Wilayah.DESA else [wilayah]
    rollup = Rollup(wilayah, period, accepted_only, children, list(categories))
    last_months = last_handed_in_months(period, accepted_only)
    source = last_months.filter(kecamatan=OuterRef("desa__kecamatan"), start=OuterRef("month"))
    # Only the months that are some kecamatan's last handed-in month can hold the stock (for a year mostly the last
    # two or three): narrowing the scan to them first is what keeps the provincial annual roll-up fast.
    months = last_months.filter(within("kecamatan", report_unit(wilayah))).order_by().values("start").distinct()
    figures = PmksFigure.objects.filter(
        within("desa", wilayah),
        category__in=categories,
    ).filter(_OneOf(F("month"), Subquery(months)), Exists(source))
    column = child_column("desa", wilayah)
    sums = {"n": Sum("total"), "male": Sum("male"), "female": Sum("female")}
    _fill(rollup, figures.values_list(column, "category_id").annotate(**sums).order_by())
    rollup.states = report_states(wilayah=wilayah, period=period, accepted_only=accepted_only)
    return rollup


def psks_rollup(*, wilayah: Wilayah | None, period: periods.Period, accepted_only: bool = True) -> Rollup:
    """PSKS present by child area and type, frozen in the monthly reports: a stock, like the PMKS counts."""
    from registry.models import Kind

    # The reports are few (one per kecamatan): as an array they let PostgreSQL read just their counts by index.
    reports = last_handed_in_months(period, accepted_only).filter(within("kecamatan", report_unit(wilayah))).order_by()
    rows = PsksCount.objects.filter(within("desa", wilayah)).filter(_OneOf(F("report"), Subquery(reports.values("pk"))))
    column = child_column("desa", wilayah)
    cell_rows = list(rows.values_list(column, "kind_id").annotate(n=Sum("count")).order_by())
    # The kinds present are those of the cells (no second pass over the counts to find them).
    kinds = list(Kind.objects.filter(pk__in={k for _c, k, _n in cell_rows}).order_by("sort_order", "name"))
    children = children_of(wilayah) if wilayah is None or wilayah.level < Wilayah.DESA else [wilayah]
    rollup = Rollup(wilayah, period, accepted_only, children, kinds)
    _fill(rollup, ((c, k, n, None, None) for c, k, n in cell_rows))
    rollup.states = report_states(wilayah=wilayah, period=period, accepted_only=accepted_only)
    return rollup


def activity_rollup(*, wilayah: Wilayah | None, period: periods.Period, accepted_only: bool = True) -> Rollup:
    """Activities by child area and kind with participants by sex: flows, summed over the months of the period.

    Cell ``total`` is the number of activities; ``male``/``female`` the participants or targets reached. Activities
    belong to a kecamatan's report, so a desa is looked at through its kecamatan.
    """
    from reporting.models import ActivityKind

    wilayah = report_unit(wilayah)
    states = handed_in_states(accepted_only)
    rows = Activity.objects.filter(
        within("report__kecamatan", wilayah),
        report__period_kind=periods.MONTH,
        report__start__gte=period.start,
        report__start__lte=period.end,
        report__state__in=states,
    )
    # Activities belong to a kecamatan's report; below a kecamatan they are grouped under the kecamatan itself.
    level = wilayah.level if wilayah else None
    column = child_column("report__kecamatan", wilayah) if level != Wilayah.KECAMATAN else "report__kecamatan"
    sums = {"n": Count("pk"), "male": Sum("participants_male"), "female": Sum("participants_female")}
    children = [wilayah] if level == Wilayah.KECAMATAN else children_of(wilayah)
    rollup = Rollup(wilayah, period, accepted_only, children, [k for k, _label in ActivityKind.choices])
    _fill(rollup, rows.values_list(column, "kind").annotate(**sums).order_by())
    rollup.states = report_states(wilayah=wilayah, period=period, accepted_only=accepted_only)
    return rollup


def report_states(*, wilayah: Wilayah | None, period: periods.Period, accepted_only: bool) -> dict[str, ReportStates]:
    """Per child area (per kecamatan when looking at a kecamatan or desa): how many kecamatan it has, how many
    contributed a handed-in month to the period's figures, and the period's monthly reports by state."""
    wilayah = report_unit(wilayah)
    level = wilayah.level if wilayah else None
    area_column = "code" if level == Wilayah.KECAMATAN else CHILD_LEVEL_FIELD[level]
    report_column = "kecamatan" if level == Wilayah.KECAMATAN else child_column("kecamatan", wilayah)
    kecamatan = (
        Wilayah.objects.filter(wilayah_q(wilayah), level=Wilayah.KECAMATAN)
        .values_list(area_column)
        .annotate(n=Count("code"))
        .order_by()
    )
    states: dict[str, ReportStates] = {}
    for area, n in kecamatan:
        states.setdefault(area, ReportStates()).kecamatan = n
    # One pass over the period's monthly reports: the count per state and the kecamatan with a handed-in month.
    by_state = {state.value: Count("pk", filter=Q(state=state)) for state in State}
    rows = (
        Report.objects.filter(within("kecamatan", wilayah))
        .monthly_in(period)
        .values_list(report_column)
        .annotate(
            contributing=Count("kecamatan", distinct=True, filter=Q(state__in=handed_in_states(accepted_only))),
            **by_state,
        )
        .order_by()
    )
    for area, contributing, *counts in rows:
        entry = states.setdefault(area, ReportStates())
        entry.contributing = contributing
        entry.by_state = {state: n for state, n in zip(by_state, counts, strict=True) if n}
    return states


def report_unit(wilayah: Wilayah | None) -> Wilayah | None:
    """Reports are made per kecamatan: a desa is looked at through its kecamatan."""
    if wilayah is not None and wilayah.level == Wilayah.DESA:
        return wilayah.parent
    return wilayah


def wilayah_q(wilayah: Wilayah | None) -> Q:
    """Wilayah rows inside ``wilayah`` (itself included), by one ancestor column."""
    if wilayah is None:
        return Q()
    return Q(**{LEVEL_FIELD[wilayah.level]: wilayah.code})
