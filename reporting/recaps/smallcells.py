"""The small-cell rule on a whole recap, for read-only viewers (Pimpinan): figures 1–4 are withheld, and so many
others that no total, row total or L/P split gives a withheld figure away (UU 27/2022: no re-identification in small
areas).

Two steps:

1. **Each main table** — the child areas × the categories' totals of a section, with its row totals (the Jumlah
   column) and its total row — is protected by ``psks_portal.disclosure.protect``: primary suppression of 1–4,
   complementary suppression so that no row or column equation, no combination of them and no public bound gives a
   hidden figure back.
2. **The links between tables**: a row's Jml is L + P; a kecamatan's row in the summary is the total row of its own
   detail section; a kecamatan subtotal is the sum of its desa. All these sums, across every section, are checked
   together: while one has exactly one hidden member, that member could be computed, so the smallest other non-zero
   member is hidden too (the sum itself when nothing else is left). Zeros are never hidden (a zero reveals nobody and
   a hidden zero would still be known). Hidden figures only grow, so this ends. The same figure is hidden alike in
   every section that prints it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from psks_portal import disclosure
from reporting.recaps.columns import Masked, RecapDocument, Section

SMALL_CELL_MAX = disclosure.SMALL

PRIMARY_TEXT = f"1–{SMALL_CELL_MAX}"
SECONDARY_TEXT = "×"
NOTE = (
    f"Angka 1–{SMALL_CELL_MAX} ditampilkan “{PRIMARY_TEXT}” dan beberapa angka lain “{SECONDARY_TEXT}” agar tidak "
    "dapat dihitung dari jumlahnya, untuk melindungi data pribadi di wilayah kecil (UU 27/2022)."
)

Key = tuple[str, str]  # (row ident, column key)


def _sums(sections: Iterable[Section]) -> tuple[dict[Key, int], list[tuple[Key, list[Key]]]]:
    """Every protected figure once, and every sum relation between them as (the sum, its members)."""
    values: dict[Key, int] = {}
    children: dict[str, set[str]] = defaultdict(set)
    columns: dict[str, object] = {}
    within_row: list[tuple[Key, list[Key]]] = []
    seen_rows: set[str] = set()
    for section in sections:
        protected = [(i, c) for i, c in enumerate(section.columns) if c.protected]
        for row in section.rows:
            if row.parent is not None:
                children[row.parent].add(row.ident)
            for i, column in protected:
                columns[column.key] = column
                value = row.values[i]
                if isinstance(value, int) and (row.ident, column.key) not in values:
                    values[(row.ident, column.key)] = value
            if row.ident in seen_rows:
                continue
            seen_rows.add(row.ident)
            for _i, column in protected:
                if column.sum_of:
                    within_row.append(((row.ident, column.key), [(row.ident, k) for k in column.sum_of]))
    relations = list(within_row)
    for parent, kids in children.items():
        for key, column in columns.items():
            if column.summable:
                relations.append(((parent, key), [(kid, key) for kid in sorted(kids)]))
    return values, relations


def hidden_figures(
    values: dict[Key, int], relations: list[tuple[Key, list[Key]]], limit: int, seeds: Iterable[Key] = ()
) -> dict[Key, bool]:
    """Which figures to withhold: key → True for a small figure itself, False for one hidden to protect it.
    ``seeds`` are figures already chosen for hiding (by the main tables' protection).

    For every sum (``total = members``): no single hidden figure, and no hidden figure pinned by the sum together with
    the public bounds (a “1–4” lies in 1..4, a “×” is at least 5: ``L 1–4, P ×, Jml 6`` would give L = 1, P = 5).
    """
    hidden: dict[Key, bool] = {key: True for key, value in values.items() if 0 < value <= limit}
    for key in seeds:
        hidden.setdefault(key, 0 < values.get(key, 0) <= limit)
    by_member: dict[Key, list[int]] = defaultdict(list)
    for index, (total, members) in enumerate(relations):
        for key in (total, *members):
            by_member[key].append(index)

    def bounds(key: Key) -> tuple[float, float]:
        kind = None if key not in hidden else (disclosure.PRIMARY if hidden[key] else disclosure.COMPLEMENTARY)
        return disclosure.hidden_bounds(kind, values[key], limit)

    def exposed(total: Key, members: list[Key]) -> bool:
        group = [k for k in (total, *members) if k in values]
        count = sum(1 for k in group if k in hidden)
        if count == 0:
            return False
        if count == 1:
            return True
        if total not in values:
            return False
        return disclosure.sum_is_pinned(bounds(total), [bounds(k) for k in members if k in values])

    pending = sorted({i for key in hidden for i in by_member[key]})
    while pending:
        index = pending.pop()
        total, members = relations[index]
        if not exposed(total, members):
            continue
        positive = [k for k in members if k in values and k not in hidden and values[k] > 0]
        if positive:
            # Above the lower bound of a “×” if possible: a hidden 5 sits on its own bound and pins itself.
            choice = min(positive, key=lambda k: (values[k] <= limit + 1, values[k], k))
        elif total in values and total not in hidden and values[total] > 0:
            choice = total
        else:
            continue  # nothing left to hide in this sum
        hidden[choice] = False
        pending.extend(by_member[choice])
        pending.append(index)  # the same sum may still pin a figure
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
    primary, secondary = Masked(PRIMARY_TEXT, primary=True), Masked(SECONDARY_TEXT, primary=False)
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
