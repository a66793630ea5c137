"""Small-cell suppression for published tables of counts: primary and complementary (secondary) suppression, with an
exact audit of what a reader can work out.

Pure Python, no Django. A table is ``R`` rows × ``C`` columns of non-negative counts; its margins are the row
totals, the column totals and the grand total. Positions are ``(i, j)`` in the *augmented* table of ``R + 1`` rows and
``C + 1`` columns: row ``R`` is the totals row, column ``C`` the totals column, ``(R, C)`` the grand total. A *line* is
a whole row or column of the augmented table, margins included; each line is one public equation (the cells add up to
the margin, and the totals row and totals column add up to the grand total).

**What a reader sees.** Every hidden figure shows the same mark, ``MARK`` (“×”), whether it is small itself or hidden
to protect a small one: a reader cannot tell which. Zeros are always shown (a zero reveals nobody), so what a reader
knows of a hidden figure is that it is at least 1. (Showing small figures as “1–4” would tell the reader the band of
every small figure, and a sum of two hidden “1–4” figures shown as “1–4” narrows each to 1–3: no suppression can undo
what the mark itself gives away.)

**The promise**, checked exactly (``Network.width``: the same answer as linear programming over everything the table
publishes): for every hidden figure of 1 to ``small`` (4), the values the published figures, totals and the bound
≥ 1 still allow span at least ``small + 1`` whole numbers — wider than the small-count band, so a reader can neither
recompute the figure nor even tell that it is small.

``protect`` returns the positions to hide:

1. **Primary** — every cell or total with a value from 1 to ``small``.
2. **Lines** — while some line has exactly one hidden cell, hide the smallest other non-zero cell of that line,
   preferring one whose crossing line also has exactly one hidden cell (one suppression then protects both lines).
3. **Cycles** — a hidden cell is recoverable from the equations together exactly when it is a bridge of the bipartite
   graph whose nodes are the lines and whose edges are the hidden cells. For a bridge, the cheapest path of visible
   non-zero cells (fewest cells, then smallest sum) that closes a cycle through it is hidden too.
4. **Width** — the audit: while some hidden small figure's interval is narrower than the promise, hide one more visible
   non-zero figure of its lines (the smallest that restores the width, else the one that widens it most).

Rules 2 and 3 are fast and settle most tables; rule 4 is exact. The rules are applied until none adds a cell; each
round hides at least one more cell, so it ends (at worst with every non-zero figure hidden, when nothing bounds a
hidden figure from above). Not covered here: tables linked to other published tables (the same counts at another level
of the wilayah tree); a document that prints several linked tables audits all their sums together
(``Network`` and ``widen`` over its own sums, as the recaps do).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Collection, Hashable, Sequence

from psks_portal import formats
from psks_portal.formats import angka

Position = tuple[int, int]
Line = tuple[str, int]  # ("row", i) or ("col", j) of the augmented table
Relation = tuple[Hashable, Sequence[Hashable]]  # (the sum, its members): total = sum(members)

SMALL = 4
PRIMARY, COMPLEMENTARY = "primary", "complementary"
MARK = "×"  # every hidden figure, small or protecting one
NO_DATA = formats.NO_DATA
NOTE = (
    f"“{MARK}”: angka disembunyikan — angka 1–{SMALL}, atau angka lain yang bila ditampilkan membuat angka kecil dapat "
    "dihitung dari jumlahnya — untuk melindungi data pribadi di wilayah kecil (UU 27/2022). Angka 0 selalu "
    "ditampilkan; “—” berarti tidak ada data."
)


def shown(value: int | None, *, hidden: bool = False) -> str:
    """A count as a reader may see it: ``NO_DATA`` for none, ``MARK`` when hidden, else the number (1.234)."""
    if value is None:
        return NO_DATA
    return MARK if hidden else angka(value)


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
    while protector.pair_lines() or protector.close_cycles() or protector.widen():
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


def table_relations(rows: int, columns: int) -> list[Relation]:
    """The equations of an augmented table as relations: each line's total is the sum of the line's other positions."""
    relations = []
    for line in lines_of(rows, columns):
        members = positions_of(line, rows, columns)
        relations.append((members[-1], members[:-1]))
    return relations


# --- the audit ------------------------------------------------------------------------------------------------------
#
# Published sums of counts form a network: every figure is an arc, every sum a node where what flows in equals what
# flows out (a row of a table: its cells flow in, its total flows out; a column the other way round). Each figure must
# take part in at most two sums; a figure in one sum only is joined to a "ground" node, whose balance follows from all
# the others. A reader who knows the shown figures and that a hidden one is at least 1 can raise a hidden figure by as
# much flow as can return from its head to its tail through the other hidden arcs — forward without limit, backward
# down to 1 — and lower it likewise the other way: two capped max-flow searches give exactly what linear programming
# over the same equations would.


class NotANetwork(ValueError):
    """The sums cannot be read as a network (a figure in three sums, or sums whose signs cannot be made to agree)."""


class Network:
    """The published sums over ``values`` as arcs between sum nodes (see above)."""

    GROUND = -1

    def __init__(self, values: dict[Hashable, int], relations: Sequence[Relation]):
        self.values = values
        places: dict[Hashable, list[tuple[int, int]]] = defaultdict(list)  # key → [(relation, +1 member / -1 total)]
        for index, (total, members) in enumerate(relations):
            for key, sign in ((total, -1), *((m, 1) for m in members)):
                if key in values:
                    places[key].append((index, sign))
        orientation = self._orient(places, len(relations))
        self.arcs: dict[Hashable, tuple[int, int]] = {}
        for key, where in places.items():
            ends = [(r, sign * orientation[r]) for r, sign in where]
            if len(ends) == 1:
                ends.append((self.GROUND, -ends[0][1]))
            (first, a), (second, _b) = ends
            # +1: the figure flows into that node; the arc runs from the node it leaves to the node it enters.
            self.arcs[key] = (second, first) if a > 0 else (first, second)

    @staticmethod
    def _orient(places: dict, count: int) -> dict[int, int]:
        """A sign per sum so that every figure in two sums enters one and leaves the other."""
        links: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for key, where in places.items():
            if len(where) > 2:
                raise NotANetwork(f"{key!r} is in {len(where)} sums")
            if len(where) == 2:
                (r1, s1), (r2, s2) = where
                links[r1].append((r2, -s1 * s2))
                links[r2].append((r1, -s1 * s2))
        orientation: dict[int, int] = {}
        for start in range(count):
            if start in orientation:
                continue
            orientation[start] = 1
            stack = [start]
            while stack:
                node = stack.pop()
                for other, factor in links[node]:
                    wanted = orientation[node] * factor
                    if other not in orientation:
                        orientation[other] = wanted
                        stack.append(other)
                    elif orientation[other] != wanted:
                        raise NotANetwork("the sums' signs cannot agree")
        return orientation

    def width(self, key: Hashable, hidden: Collection[Hashable], *, cap: float, base: _Residual | None = None) -> float:
        """How far a reader's interval for the hidden figure ``key`` spans (its greatest minus its least possible
        value), counted up to ``cap``. ``base`` is ``residual(hidden)`` when the caller already has it."""
        tail, head = self.arcs[key]
        value = self.values[key]
        residual = (base or self.residual(hidden)).without(tail, head, value)
        up = residual.max_flow(head, tail, cap)
        down = min(value - 1, residual.max_flow(tail, head, cap))
        return min(up + down, cap)

    def residual(self, hidden: Collection[Hashable]) -> _Residual:
        """The hidden arcs as a reader may move them: forward without limit, backward down to 1."""
        residual = _Residual()
        for key in hidden:
            if key in self.arcs:
                tail, head = self.arcs[key]
                residual.add(tail, head, self.values[key])
        return residual


class _Residual:
    """Capacities between sum nodes: ``forward[u][v]`` counts hidden arcs u → v (each without limit),
    ``backward[u][v]`` how far the arcs v → u may go down in all (their values minus 1)."""

    def __init__(self):
        self.forward: dict[int, dict[int, int]] = defaultdict(dict)
        self.backward: dict[int, dict[int, float]] = defaultdict(dict)
        self.neighbours: dict[int, set[int]] = defaultdict(set)  # both ways: what is pushed u → v may be sent back

    def add(self, tail: int, head: int, value: int, times: int = 1) -> None:
        self.forward[tail][head] = self.forward[tail].get(head, 0) + times
        self.backward[head][tail] = self.backward[head].get(tail, 0.0) + times * (value - 1)
        self.neighbours[tail].add(head)
        self.neighbours[head].add(tail)

    def copy(self) -> _Residual:
        """A copy to change (the neighbours are shared: a removed arc leaves a neighbour of capacity 0, harmless)."""
        copy = _Residual()
        for u, edges in self.forward.items():
            copy.forward[u] = dict(edges)
        for u, edges in self.backward.items():
            copy.backward[u] = dict(edges)
        copy.neighbours = self.neighbours
        return copy

    def without(self, tail: int, head: int, value: int) -> _Residual:
        """A copy without one arc ``tail → head`` of ``value`` (the figure being bounded)."""
        copy = self.copy()
        copy.add(tail, head, value, times=-1)
        return copy

    def capacity(self, u: int, v: int) -> float:
        return float("inf") if self.forward.get(u, {}).get(v, 0) > 0 else self.backward.get(u, {}).get(v, 0.0)

    def max_flow(self, source: int, sink: int, cap: float) -> float:
        """Max flow from ``source`` to ``sink`` (shortest augmenting paths), stopping once ``cap`` is reached."""
        if source == sink:
            return float("inf")
        neighbours = self.neighbours
        pushed: dict[tuple[int, int], float] = defaultdict(float)
        flow = 0.0
        while flow < cap:
            parents = {source: None}
            queue = [source]
            for node in queue:
                if node == sink:
                    break
                for following in neighbours.get(node, ()):
                    if following not in parents and self._left(node, following, pushed) > 0:
                        parents[following] = node
                        queue.append(following)
            if sink not in parents:
                break
            path, node = [], sink
            while parents[node] is not None:
                path.append((parents[node], node))
                node = parents[node]
            push = min(cap - flow, *(self._left(u, v, pushed) for u, v in path))
            for u, v in path:
                pushed[(u, v)] += push
            flow += push
        return flow

    def _left(self, u: int, v: int, pushed: dict) -> float:
        return self.capacity(u, v) - pushed[(u, v)] + pushed[(v, u)]


def too_narrow(width: float, *, small: int = SMALL) -> bool:
    """Whether a reader's interval for a hidden small figure breaks the promise (fewer than ``small + 1`` values)."""
    return width < small


def narrow_figures(
    network: Network, hidden: Collection[Hashable], *, small: int = SMALL, kept: set | None = None, first: bool = False
) -> list[Hashable]:
    """Hidden small figures whose interval is too narrow, in a stable order (only the first with ``first``).

    ``kept`` collects the figures found wide enough and skips them next time: hiding more only ever widens an
    interval (a shown figure that becomes hidden can only add possibilities), so they stay wide enough."""
    kept = set() if kept is None else kept
    found = []
    base = network.residual(hidden)
    for key in sorted(k for k in hidden if 1 <= network.values.get(k, 0) <= small and k not in kept):
        if too_narrow(network.width(key, hidden, cap=small, base=base), small=small):
            found.append(key)
            if first:
                break
        else:
            kept.add(key)
    return found


def widen(network: Network, relations: Sequence[Relation], hidden: set[Hashable], *, small: int = SMALL,
          tries: int = 12, kept: set | None = None) -> Hashable | None:  # fmt: skip
    """Hide one more figure for the first hidden small figure whose interval is too narrow; return it (``None`` when
    every interval keeps the promise, or when nothing is left that could be hidden).

    The figure hidden is a visible non-zero member of a sum that the narrow figure, or a hidden figure linked to it,
    takes part in: the smallest that restores the promise (up to ``tries`` are tried), else the one that widens the
    interval most. ``kept`` is passed on to ``narrow_figures`` across calls on the same growing ``hidden``.
    """
    narrow = narrow_figures(network, hidden, small=small, kept=kept, first=True)
    if not narrow:
        return None
    target = narrow[0]
    values = network.values
    options, direct = [], set()
    for total, members in _sums_of(target, relations, hidden):
        for k in (total, *members):
            if k in values and k not in hidden and values[k] > 0 and k not in options:
                options.append(k)
                if target in (total, *members):
                    direct.add(k)
    if not options:
        return None
    options.sort(key=lambda k: (values[k], k))
    best, best_width = options[0], -1.0
    base = network.residual(hidden)
    for option in options[:tries]:
        trial = base.copy()
        if option in network.arcs:
            trial.add(*network.arcs[option], values[option])
        width = network.width(target, hidden | {option}, cap=small, base=trial)
        if not too_narrow(width, small=small):
            best = option
            break
        if width > best_width and option in direct:
            best, best_width = option, width
    hidden.add(best)
    return best


def _sums_of(key: Hashable, relations: Sequence[Relation], hidden: Collection[Hashable]) -> list[Relation]:
    """The sums that ``key`` takes part in, then those of the hidden figures linked to it through hidden figures."""
    by_key: dict[Hashable, list[int]] = defaultdict(list)
    for index, (total, members) in enumerate(relations):
        for k in (total, *members):
            by_key[k].append(index)
    seen, stack, found = {key}, [key], []
    while stack:
        for index in by_key[stack.pop()]:
            if index in found:
                continue
            found.append(index)
            total, members = relations[index]
            for k in (total, *members):
                if k in hidden and k not in seen:
                    seen.add(k)
                    stack.append(k)
    return [relations[i] for i in found]


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
        self.values = {(i, j): v for i, row in enumerate(grid) for j, v in enumerate(row)}
        self.relations = table_relations(self.rows, self.columns)
        self.network = Network(self.values, self.relations)
        self.kept: set[Position] = set()  # hidden small positions already found wide enough

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
            if not options:  # cannot happen (a hidden cell makes its margin non-zero); never loop on it
                return changed
            self.hide(min(options, key=lambda p: (_crossing(p, line) not in waiting, self.value(p), p)))
            changed = True

    # --- rule 3: no combination of lines recovers a hidden cell ---------------------------------------------------

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

    # --- rule 4: the exact audit --------------------------------------------------------------------------------------

    def widen(self) -> bool:
        hidden = set(self.hidden)
        added = widen(self.network, self.relations, hidden, small=self.small, kept=self.kept)
        if added is None:
            return False
        self.hide(added)
        return True


def _crossing(position: Position, line: Line) -> Line:
    """The other line through ``position``."""
    return ("col", position[1]) if line[0] == "row" else ("row", position[0])


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
