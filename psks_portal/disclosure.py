"""Small-cell suppression for published tables of counts: primary and complementary (secondary) suppression.

Pure Python, no Django. A table is ``R`` rows × ``C`` columns of non-negative counts; its margins are the row totals,
the column totals and the grand total. Positions are ``(i, j)`` in the *augmented* table of ``R + 1`` rows and ``C + 1``
columns: row ``R`` is the totals row, column ``C`` the totals column, ``(R, C)`` the grand total. A *line* is a whole
row or column of the augmented table, margins included; each line is one public equation (the cells add up to the
margin, and the totals row and totals column add up to the grand total).

Why complementary suppression: hiding a cell of 1–4 is pointless when its row total and the other cells of the row are
shown (total minus the rest gives it back). ``protect`` returns the positions to hide:

1. **Primary** — every cell or total with a value from 1 to ``small`` (4). A zero is never hidden: it reveals nobody,
   and it protects nothing either (a hidden zero would still be a known zero, since zeros are always shown).
2. **Lines** — while some line has exactly one hidden cell, hide the smallest other non-zero cell of that line,
   preferring one whose crossing line also has exactly one hidden cell (one suppression then protects both lines).
   Afterwards every line has no hidden cell or at least two. Such a line always has another non-zero cell: a hidden
   interior cell makes its margin non-zero, and a non-zero margin has a non-zero cell.
3. **Bounds** — a reader knows more than the equations: a cell shown as “1–4” lies in 1..4 and, once the rule is
   published, a complementary cell (“×”) is at least 5. So a line like ``1–4, ×, 20 | 26`` gives ``a + x = 6`` with
   ``a ≥ 1, x ≥ 5``: both are pinned (1 and 5). Whenever one line's equation and these bounds pin a hidden cell to a
   single value, one more non-zero cell of that line is hidden (the smallest above 5 if there is one, since a cell at
   exactly 5 sits on its own lower bound). A line with nothing left to hide is accepted as it is.
4. **Cycles** — rows and columns can be combined: a hidden cell is recoverable from the equations together exactly when
   it is a bridge of the bipartite graph whose nodes are the lines and whose edges are the hidden cells (the margins
   enter with a minus sign, which turns the system into the graph's incidence matrix; its null space is spanned by the
   cycles). For a bridge, the cheapest path of visible non-zero cells (fewest cells, then smallest sum) that closes a
   cycle through it is hidden too. Such a path always exists: a non-zero cell ``(i, j)`` lies on the non-zero cycle
   ``(i, j) → (i, C) → (R, C) → (R, j)`` of the augmented table.

The rules are applied until none adds a cell; each round hides at least one more cell, so it ends. What is guaranteed:
no shown “1–4”-range value; no line with a single hidden cell; no hidden cell determined by any combination of the row
and column equations; no hidden cell pinned by one equation and the public bounds unless its line has nothing left to
hide (e.g. four cells of “1–4” whose shown total is 4 must all be 1, and zeros stay visible). Not covered: bounds
narrowed by combining several lines (a full linear-programming audit), and tables linked to other published tables
(the same counts at another level of the wilayah tree).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

Position = tuple[int, int]
Line = tuple[str, int]  # ("row", i) or ("col", j) of the augmented table

SMALL = 4
PRIMARY, COMPLEMENTARY = "primary", "complementary"


def augmented(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    """The table with its totals: every row gets its total appended, then the totals row (last value: grand total).

    Raises ``ValueError`` for a ragged table or a negative count.
    """
    width = len(cells[0]) if cells else 0
    if any(len(row) != width for row in cells):
        raise ValueError("Every row needs the same number of columns.")
    if any(value < 0 for row in cells for value in row):
        raise ValueError("Counts cannot be negative.")
    grid = [[*row, sum(row)] for row in cells]
    grid.append([sum(row[j] for row in grid) for j in range(width + 1)])
    return grid


def protect(cells: Sequence[Sequence[int]], *, small: int = SMALL) -> dict[Position, str]:
    """The positions of the augmented table (see ``augmented``) to hide, each marked ``PRIMARY`` or ``COMPLEMENTARY``.

    ``cells`` holds the counts without totals (missing data counts as 0). Deterministic: the same table always gives
    the same answer, so every page showing it hides the same cells.
    """
    grid = augmented(cells)
    hidden = {(i, j): PRIMARY for i, row in enumerate(grid) for j, value in enumerate(row) if 1 <= value <= small}
    if not hidden:
        return hidden
    protector = _Protector(grid, hidden, small)
    while protector.pair_lines() or protector.loosen_bounds() or protector.close_cycles():
        pass
    return hidden


def protect_table(rows: Sequence, columns: Sequence, cells, *, small: int = SMALL) -> dict[tuple, str]:
    """``protect`` for a table keyed by name: ``cells`` maps ``(row key, column key)`` to a count (missing = 0).

    Returns ``(row key, column key)`` → ``PRIMARY``/``COMPLEMENTARY`` for the positions to hide; ``None`` stands for
    the totals row or the totals column (``(None, None)`` is the grand total).
    """
    if not rows or not columns:
        return {}
    matrix = [[cells.get((row, column), 0) for column in columns] for row in rows]
    row_keys, column_keys = [*rows, None], [*columns, None]
    return {(row_keys[i], column_keys[j]): kind for (i, j), kind in protect(matrix, small=small).items()}


def lines_of(rows: int, columns: int) -> list[Line]:
    """Every line of an augmented table with ``rows`` × ``columns`` positions (margins included)."""
    return [("row", i) for i in range(rows)] + [("col", j) for j in range(columns)]


def positions_of(line: Line, rows: int, columns: int) -> list[Position]:
    kind, index = line
    return [(index, j) for j in range(columns)] if kind == "row" else [(i, index) for i in range(rows)]


def is_margin(position: Position, line: Line, rows: int, columns: int) -> bool:
    """Whether ``position`` is the total of ``line`` (the last position of the line)."""
    return position[1] == columns - 1 if line[0] == "row" else position[0] == rows - 1


class _Protector:
    """The rules of the module docstring, over one augmented table and a growing set of hidden positions."""

    def __init__(self, grid: list[list[int]], hidden: dict[Position, str], small: int):
        self.grid, self.hidden, self.small = grid, hidden, small
        self.rows, self.columns = len(grid), len(grid[0])
        self.lines = lines_of(self.rows, self.columns)
        self.members = {line: positions_of(line, self.rows, self.columns) for line in self.lines}

    def value(self, position: Position) -> int:
        return self.grid[position[0]][position[1]]

    def candidates(self, line: Line) -> list[Position]:
        """Visible non-zero positions of a line: what may still be hidden in it."""
        return [p for p in self.members[line] if p not in self.hidden and self.value(p) > 0]

    def hidden_count(self, line: Line) -> int:
        return sum(p in self.hidden for p in self.members[line])

    def hide(self, position: Position) -> None:
        self.hidden.setdefault(position, COMPLEMENTARY)

    # --- rule 2: no line with a single hidden cell ---------------------------------------------------------------

    def pair_lines(self) -> bool:
        changed = False
        while True:
            lonely = [line for line in self.lines if self.hidden_count(line) == 1]
            if not lonely:
                return changed
            line, waiting = lonely[0], set(lonely)
            options = self.candidates(line)
            if not options:  # cannot happen (see the module docstring); never loop on it
                return changed
            self.hide(min(options, key=lambda p: (_crossing(p, line) not in waiting, self.value(p), p)))
            changed = True

    # --- rule 3: one equation and the public bounds pin nothing ----------------------------------------------------

    def bounds(self, position: Position) -> tuple[float, float]:
        """What a reader knows of a position: its value when shown, else 1..small or small+1.. (unbounded)."""
        return hidden_bounds(self.hidden.get(position), self.value(position), self.small)

    def pinned(self, line: Line) -> bool:
        """Whether the line's equation and the bounds leave a hidden position of the line a single possible value."""
        return any(lo == hi for lo, hi in line_ranges(line, self.members[line], self.bounds, self.rows,
                                                       self.columns).values())

    def loosen_bounds(self) -> bool:
        for line in self.lines:
            if self.hidden_count(line) and self.pinned(line):
                options = self.candidates(line)
                if options:
                    self.hide(min(options, key=lambda p: (self.value(p) <= self.small + 1, self.value(p), p)))
                    return True
        return False

    # --- rule 4: no combination of lines recovers a hidden cell ---------------------------------------------------

    def close_cycles(self) -> bool:
        bridge = next(iter(_bridges(self.hidden, self.rows, self.columns)), None)
        if bridge is None:
            return False
        path = self._cheapest_path(bridge)
        for position in path:
            self.hide(position)
        return bool(path)

    def _cheapest_path(self, bridge: Position) -> list[Position]:
        """Visible non-zero positions joining the two sides of ``bridge`` (fewest, then smallest sum).

        Dijkstra from every line on the bridge's row side to any line on its column side; hidden positions cost
        nothing, a visible one costs (1, its value), zeros and the bridge itself are not usable.
        """
        side = _component(("row", bridge[0]), self.hidden, skip=bridge, rows=self.rows, columns=self.columns)
        goal = _component(("col", bridge[1]), self.hidden, skip=bridge, rows=self.rows, columns=self.columns)
        best: dict[Line, tuple[int, int]] = dict.fromkeys(side, (0, 0))
        previous: dict[Line, tuple[Line, Position]] = {}
        queue = [((0, 0), node) for node in sorted(side)]
        heapq.heapify(queue)
        while queue:
            cost, node = heapq.heappop(queue)
            if cost > best[node]:
                continue
            if node in goal:
                return self._walk_back(node, previous)
            for position in self.members[node]:
                if position == bridge or self.value(position) == 0:
                    continue
                step = (0, 0) if position in self.hidden else (1, self.value(position))
                following = _crossing(position, node)
                total = (cost[0] + step[0], cost[1] + step[1])
                if following not in best or total < best[following]:
                    best[following], previous[following] = total, (node, position)
                    heapq.heappush(queue, (total, following))
        return []

    def _walk_back(self, node: Line, previous: dict[Line, tuple[Line, Position]]) -> list[Position]:
        path = []
        while node in previous:
            node, position = previous[node]
            if position not in self.hidden:
                path.append(position)
        return path


def _crossing(position: Position, line: Line) -> Line:
    """The other line through ``position``."""
    return ("col", position[1]) if line[0] == "row" else ("row", position[0])


def line_ranges(line: Line, members: Sequence[Position], bounds, rows: int, columns: int) -> dict[Position, tuple]:
    """For each hidden position of a line, the values its equation allows given every position's public bounds.

    The equation is ``sum(cells) - margin = 0``; ``bounds(position)`` gives ``(low, high)`` (equal when shown).
    """
    signed = [(p, -1 if is_margin(p, line, rows, columns) else 1, *bounds(p)) for p in members]
    return equation_ranges(signed)


def equation_ranges(terms: Sequence[tuple[object, int, float, float]]) -> dict[object, tuple[float, float]]:
    """For the equation ``sum(sign * x) = 0`` over ``terms`` of ``(key, sign, low, high)`` (low == high when the value
    is shown), the values each unknown term may take given the bounds of all the others."""
    ranges = {}
    for key, sign, low, high in terms:
        if low == high:
            continue
        # sign * x = -(sum of the others' sign * value): the range of the right-hand side from the others' bounds.
        rest_low = -sum(s * (hi if s > 0 else lo) for k, s, lo, hi in terms if k != key)
        rest_high = -sum(s * (lo if s > 0 else hi) for k, s, lo, hi in terms if k != key)
        allowed = (rest_low, rest_high) if sign > 0 else (-rest_high, -rest_low)
        ranges[key] = (max(low, allowed[0]), min(high, allowed[1]))
    return ranges


def hidden_bounds(kind: str | None, value: int, small: int = SMALL) -> tuple[float, float]:
    """What a reader knows of a figure: its value when shown (``kind`` None), 1..small for a small one, and at least
    small + 1 for one hidden to protect another."""
    if kind is None:
        return value, value
    return (1, small) if kind == PRIMARY else (small + 1, math.inf)


def sum_is_pinned(total: tuple[float, float], members: Sequence[tuple[float, float]]) -> bool:
    """Whether ``total = sum(members)`` with these public bounds leaves some hidden figure a single possible value."""
    terms = [("total", -1, *total), *((n, 1, lo, hi) for n, (lo, hi) in enumerate(members))]
    return any(lo == hi for lo, hi in equation_ranges(terms).values())


def _neighbours(node: Line, hidden, skip: Position | None, rows: int, columns: int):
    for position in positions_of(node, rows, columns):
        if position in hidden and position != skip:
            yield _crossing(position, node)


def _component(start: Line, hidden, *, skip: Position | None, rows: int, columns: int) -> set[Line]:
    """The lines reachable from ``start`` through hidden positions (``skip`` left out)."""
    seen, stack = {start}, [start]
    while stack:
        for following in _neighbours(stack.pop(), hidden, skip, rows, columns):
            if following not in seen:
                seen.add(following)
                stack.append(following)
    return seen


def _bridges(hidden, rows: int, columns: int) -> list[Position]:
    """Hidden positions that lie on no cycle of hidden positions, in position order (Tarjan's bridge search)."""
    order: dict[Line, int] = {}
    low: dict[Line, int] = {}
    found = []
    for root in lines_of(rows, columns):
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack = [(root, None, iter(_edges(root, hidden, rows, columns)))]
        while stack:
            node, via, edges = stack[-1]
            advanced = False
            for position, following in edges:
                if position == via:
                    continue
                if following in order:
                    low[node] = min(low[node], order[following])
                    continue
                order[following] = low[following] = len(order)
                stack.append((following, position, iter(_edges(following, hidden, rows, columns))))
                advanced = True
                break
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    found.append(via)
    return sorted(found)


def _edges(node: Line, hidden, rows: int, columns: int):
    return [(p, _crossing(p, node)) for p in positions_of(node, rows, columns) if p in hidden]
