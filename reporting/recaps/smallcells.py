"""The small-cell rule on a whole recap, for read-only viewers (Pimpinan): figures 1–4 are withheld, and so many
others that no total, row total or subtotal gives a withheld figure away (UU 27/2022: no re-identification in small
areas).

Every withheld figure prints the same mark (``disclosure.MARK``), and the promise is the one of
``psks_portal.disclosure``: for every withheld small figure, what the whole document publishes still allows at least
five whole values. Two steps:

1. **Each main table** — the child areas × the categories' totals of a section, with its row totals (the Jumlah
   column) and its total row — is protected by ``psks_portal.disclosure.protect``.
2. **The links between tables**: a kecamatan's row in the summary is the total row of its own detail section, a
   kecamatan subtotal is the sum of its desa. All these sums, across every section, form one network of sums
   (``disclosure.Network``), audited together: while one sum has exactly one hidden member, the smallest other
   non-zero member is hidden too; then ``disclosure.widen`` hides more until every withheld small figure's interval is
   wide enough. The same figure is hidden alike in every section that prints it.

A recap for a read-only viewer has no split by sex (as the roll-up page): L + P = Jml would be one more equation
for every figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from psks_portal import disclosure
from reporting.recaps.columns import Masked, RecapDocument, Section

SMALL_CELL_MAX = disclosure.SMALL
NOTE = disclosure.NOTE

Key = tuple[str, str]  # (row ident, column key)


def _sums(sections: Iterable[Section]) -> tuple[dict[Key, int], list[tuple[Key, list[Key]]]]:
    """Every protected figure once, and every sum relation between them as (the sum, its members).

    A row's own sum (its Jumlah = its categories) is left out when the row adds up into a parent printed in the
    document and has child rows of its own: it follows from its children's rows and columns, and leaving it out
    keeps every figure in at most two sums (a network, ``disclosure.Network``)."""
    values: dict[Key, int] = {}
    children: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, str | None] = {}
    columns: dict[str, object] = {}
    within_row: dict[str, list[tuple[Key, list[Key]]]] = {}
    for section in sections:
        protected = [(i, c) for i, c in enumerate(section.columns) if c.protected]
        for row in section.rows:
            if row.parent is not None:
                children[row.parent].add(row.ident)
                parents[row.ident] = row.parent
            else:
                parents.setdefault(row.ident, None)
            for i, column in protected:
                columns[column.key] = column
                value = row.values[i]
                if isinstance(value, int) and (row.ident, column.key) not in values:
                    values[(row.ident, column.key)] = value
            if row.ident not in within_row:
                within_row[row.ident] = [
                    ((row.ident, column.key), [(row.ident, k) for k in column.sum_of])
                    for _i, column in protected
                    if column.sum_of
                ]
    printed = set(within_row)
    relations = [
        relation
        for ident, own in within_row.items()
        if not (children.get(ident) and parents.get(ident) in printed)
        for relation in own
    ]
    for parent, kids in children.items():
        if parent not in printed:
            continue  # a parent the document does not print is no published sum
        for key, column in columns.items():
            if column.summable:
                relations.append(((parent, key), [(kid, key) for kid in sorted(kids)]))
    return values, relations


def hidden_figures(
    values: dict[Key, int], relations: list[tuple[Key, list[Key]]], limit: int, seeds: Iterable[Key] = ()
) -> dict[Key, bool]:
    """Which figures to withhold: key → True for a small figure itself, False for one hidden to protect it.
    ``seeds`` are figures already chosen for hiding (by the main tables' protection).

    First no sum with a single hidden member (it would give that member back), then the exact audit: every withheld
    small figure keeps an interval of at least ``limit + 1`` values (``disclosure.widen``).
    """
    hidden: dict[Key, bool] = {key: True for key, value in values.items() if 0 < value <= limit}
    for key in seeds:
        hidden.setdefault(key, 0 < values.get(key, 0) <= limit)
    by_member: dict[Key, list[int]] = defaultdict(list)
    for index, (total, members) in enumerate(relations):
        for key in (total, *members):
            by_member[key].append(index)

    def lonely(total: Key, members: list[Key]) -> bool:
        return sum(1 for k in (total, *members) if k in values and k in hidden) == 1

    pending = sorted({i for key in hidden for i in by_member[key]})
    while pending:
        index = pending.pop()
        total, members = relations[index]
        if not lonely(total, members):
            continue
        positive = [k for k in members if k in values and k not in hidden and values[k] > 0]
        if positive:
            choice = min(positive, key=lambda k: (values[k], k))
        elif total in values and total not in hidden and values[total] > 0:
            choice = total
        else:
            continue  # nothing left to hide in this sum
        hidden[choice] = False
        pending.extend(by_member[choice])
    network = disclosure.Network(values, relations)
    chosen, kept = set(hidden), set()
    while (added := disclosure.widen(network, relations, chosen, small=limit, kept=kept)) is not None:
        hidden[added] = False
    return hidden


def main_tables(sections: Iterable[Section]) -> list[tuple[list[Key], list[Key], Key, list[list[int]]]]:
    """The main tables of the sections: for each area printed with its child areas in a section, the child rows ×
    the columns its total column adds up. Returns (row keys, column keys, the total column's key, counts)."""
    tables = []
    for section in sections:
        protected = [c for c in section.columns if c.protected]
        total = max((c for c in protected if c.sum_of), key=lambda c: len(c.sum_of), default=None)
        if total is None:
            continue
        index = {c.key: i for i, c in enumerate(section.columns)}
        members = list(total.sum_of)
        rows_by_ident = {row.ident: row for row in section.rows}
        children: dict[str, list] = defaultdict(list)
        for row in section.rows:
            if row.parent in rows_by_ident:
                children[row.parent].append(row)
        for parent, kids in children.items():
            counts = [[_count(kid.values[index[k]]) for k in members] for kid in kids]
            tables.append(([kid.ident for kid in kids] + [parent], members, total.key, counts))
    return tables


def _count(value) -> int:
    return value if isinstance(value, int) else 0


def _protect_main_tables(sections: list[Section], limit: int) -> set[Key]:
    """``disclosure.protect`` on every main table; the positions it hides, as figure keys."""
    chosen: set[Key] = set()
    for idents, members, total_key, counts in main_tables(sections):
        if not counts or not members:
            continue
        for (i, j), _kind in disclosure.protect(counts, small=limit).items():
            chosen.add((idents[i], members[j] if j < len(members) else total_key))
    return chosen


def apply(document: RecapDocument, *, limit: int = SMALL_CELL_MAX) -> RecapDocument:
    """Withhold small figures in every section of ``document`` (computed first) and add the note explaining it."""
    document.materialise()
    values, relations = _sums(document.sections)
    seeds = {key for key in _protect_main_tables(document.sections, limit) if key in values}
    hidden = hidden_figures(values, relations, limit, seeds)
    primary, secondary = Masked(disclosure.MARK, primary=True), Masked(disclosure.MARK, primary=False)
    for section in document.sections:
        protected = [(i, c.key) for i, c in enumerate(section.columns) if c.protected]
        for row in section.rows:
            for i, key in protected:
                if (row.ident, key) in hidden:
                    row.values[i] = primary if hidden[(row.ident, key)] else secondary
    document.masked = True
    if NOTE not in document.notes:
        document.notes.append(NOTE)
    return document
