"""Small-cell suppression (``psks_portal.disclosure``): hand-worked tables, then properties on random tables.

The checks recompute everything themselves: the totals, which lines hold a single hidden cell, whether the row and
column equations determine a hidden cell (rank of the system over the rationals), and what one equation with the
public bounds allows (shown 1–4: between 1 and 4; shown ×: at least 5).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psks_portal.disclosure import COMPLEMENTARY, PRIMARY, augmented, protect

P, C = PRIMARY, COMPLEMENTARY


# --- independent helpers ----------------------------------------------------------------------------------------


def with_totals(cells: list[list[int]]) -> list[list[int]]:
    rows = [list(row) + [sum(row)] for row in cells]
    totals = [sum(column) for column in zip(*rows, strict=True)]
    return [*rows, totals]


def lines(grid: list[list[int]]) -> list[list[tuple[int, int]]]:
    height, width = len(grid), len(grid[0])
    return [[(i, j) for j in range(width)] for i in range(height)] + [
        [(i, j) for i in range(height)] for j in range(width)
    ]


def equations(grid: list[list[int]]) -> list[dict[tuple[int, int], int]]:
    """Each line as {position: coefficient}: the cells with +1, the line's total (last position) with -1."""
    return [{p: (-1 if p == line[-1] else 1) for p in line} for line in lines(grid)]


def rank(rows: list[list[Fraction]]) -> int:
    matrix = [list(r) for r in rows]
    found, width = 0, len(matrix[0]) if matrix else 0
    for column in range(width):
        pivot = next((r for r in range(found, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
        for r in range(len(matrix)):
            if r != found and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[found][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[found], strict=True)]
        found += 1
    return found


def determined(grid: list[list[int]], hidden: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Hidden positions whose value the published equations fix: their column is not spanned by the others."""
    unknowns = sorted(hidden)
    system = [[Fraction(eq.get(p, 0)) for p in unknowns] for eq in equations(grid)]
    full = rank(system)
    fixed = set()
    for k, position in enumerate(unknowns):
        without = [row[:k] + row[k + 1:] for row in system]
        if rank(without) < full:
            fixed.add(position)
    return fixed


def pinned_by_one_line(grid, hidden: dict) -> list[tuple[tuple[int, int], list]]:
    """(hidden position, line) where the line's equation and the public bounds leave the position one value."""
    inf = float("inf")

    def bounds(p):
        if p not in hidden:
            return grid[p[0]][p[1]], grid[p[0]][p[1]]
        return (1, 4) if hidden[p] == P else (5, inf)

    found = []
    for line in lines(grid):
        for target in (p for p in line if p in hidden):
            # total = sum(cells): move everything but the target to one side and bound it.
            low = high = 0
            for p in line:
                if p == target:
                    continue
                lo, hi = bounds(p)
                sign = -1 if p == line[-1] else 1
                low, high = (low + lo, high + hi) if sign > 0 else (low - hi, high - lo)
            # target's sign: +1 for a cell (cell = -rest), -1 for the total (total = rest)
            allowed = (low, high) if target == line[-1] else (-high, -low)
            lo, hi = bounds(target)
            if max(lo, allowed[0]) == min(hi, allowed[1]):
                found.append((target, line))
    return found


def nothing_left(grid, hidden, line) -> bool:
    """The line has no visible non-zero cell that could still be hidden."""
    return all(p in hidden or grid[p[0]][p[1]] == 0 for p in line)


# --- hand-worked tables -----------------------------------------------------------------------------------------


def test_it_hides_nothing_without_small_cells():
    assert protect([[10, 20], [30, 5]]) == {}
    assert protect([[0, 0], [0, 0]]) == {}


def test_it_computes_the_totals():
    assert augmented([[1, 2], [3, 0]]) == [[1, 2, 3], [3, 0, 3], [4, 2, 6]]
    with pytest.raises(ValueError):
        augmented([[1, 2], [3]])
    with pytest.raises(ValueError):
        augmented([[-1]])


def test_it_gives_a_lonely_small_cell_partners_in_its_row_and_column():
    # 3 | 10 12 | 25            row 0: 3 alone → its smallest neighbour 10;
    # 20 30 40 | 90             column 0: 3 alone → 20 (23 is the total); row 1 then holds 20 alone → 30 (its column
    # 23 40 52 | 115            holds 10 alone too, so 30 protects both): a 2 × 2 rectangle, nothing else.
    assert protect([[3, 10, 12], [20, 30, 40]]) == {(0, 0): P, (0, 1): C, (1, 0): C, (1, 1): C}


def test_small_totals_are_hidden_and_zeros_never():
    # 2 0 | 2 / 0 0 | 0 / 2 0 | 2: the cell, its row total, its column total and the grand total are all 1–4.
    assert protect([[2, 0], [0, 0]]) == {(0, 0): P, (0, 2): P, (2, 0): P, (2, 2): P}


def test_it_loosens_a_line_that_the_bounds_would_pin():
    # 1 5 20 | 26: hiding 1 and 5 leaves a + x = 6 with a ≥ 1 and x ≥ 5, so a = 1 and x = 5. The rule hides 20 too
    # (the smallest cell above 5). The totals row repeats the single row, so it follows the same pattern.
    expected = {(0, 0): P, (1, 0): P, (0, 1): C, (1, 1): C, (0, 2): C, (1, 2): C}
    assert protect([[1, 5, 20]]) == expected


def test_it_closes_a_cycle_that_the_line_rule_leaves_open():
    #  1  3  0 |  4     After the line rule every line holds 0 or ≥ 2 hidden cells, but the row-0 total 4 is the
    #  0 15  9 | 24     only hidden link between {row 0, row 3, col 0, col 1} and {row 1, row 2, col 2, col 3}:
    #  0  0 30 | 30     col 3 − row 1 − row 2 + col 2 gives t = 58 − 15 − 39 = 4. Hiding 15 closes the cycle
    #  1 18 39 | 58     (the cheapest link: one cell, the smallest value).
    expected = {
        (0, 0): P, (0, 1): P, (0, 3): P, (3, 0): P,
        (3, 1): C, (1, 3): C, (1, 2): C, (2, 2): C, (2, 3): C, (1, 1): C,
    }
    cells = [[1, 3, 0], [0, 15, 9], [0, 0, 30]]
    assert protect(cells) == expected
    without_fifteen = {p for p in expected if p != (1, 1)}
    assert (0, 3) in determined(with_totals(cells), without_fifteen)
    assert determined(with_totals(cells), set(expected)) == set()


def test_it_is_deterministic():
    cells = [[1, 7, 9, 0], [6, 2, 11, 5], [0, 8, 3, 14]]
    assert protect(cells) == protect([list(r) for r in cells])


# --- properties -------------------------------------------------------------------------------------------------

counts = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 60))
tables = st.integers(1, 5).flatmap(
    lambda width: st.lists(st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=5)
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_hidden_cell_can_be_recomputed(cells):
    grid = with_totals(cells)
    hidden = protect(cells)
    value = {(i, j): v for i, row in enumerate(grid) for j, v in enumerate(row)}
    # Small cells (totals too) are never shown; zeros are never hidden; primary means exactly the small ones.
    assert {p for p, v in value.items() if 1 <= v <= 4} == {p for p, kind in hidden.items() if kind == P}
    assert all(value[p] > 0 for p in hidden)
    assert all(value[p] > 4 for p, kind in hidden.items() if kind == C)
    # No row or column (totals row and column included) holds exactly one hidden cell.
    for line in lines(grid):
        assert sum(p in hidden for p in line) != 1, line
    # No combination of the row and column equations gives a hidden value back.
    assert determined(grid, set(hidden)) == set()
    # One equation with the shown bounds pins nothing, unless the line has nothing left that could be hidden.
    for position, line in pinned_by_one_line(grid, hidden):
        assert nothing_left(grid, hidden, line), (position, line)
