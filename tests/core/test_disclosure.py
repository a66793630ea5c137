"""Small-cell suppression (``psks_portal.disclosure``): hand-worked tables, then properties on random tables.

The checks recompute everything themselves: the totals, which lines hold a single hidden cell, whether the row and
column equations determine a hidden cell (rank of the system over the rationals), and — by linear programming with
SciPy, independently of the flow computation the module uses — the least and greatest value every hidden figure can
take given everything shown, the equations and the public bound (a hidden figure is at least 1: zeros are shown).
The promise: every hidden small figure's interval spans at least five values (wider than the band 1–4).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from psks_portal import disclosure
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
        without = [row[:k] + row[k + 1 :] for row in system]
        if rank(without) < full:
            fixed.add(position)
    return fixed


def interval_lp(values: dict, relations: list[tuple], hidden, key) -> tuple[float, float]:
    """The least and greatest value of the hidden ``key`` over every published sum (total = sum of members), the
    shown values and hidden ≥ 1, by SciPy's linear programming."""
    unknowns = sorted(hidden, key=repr)
    column = {k: n for n, k in enumerate(unknowns)}
    rows, rhs = [], []
    for total, members in relations:
        row, constant = [0.0] * len(unknowns), 0.0
        for k, sign in ((total, -1), *((m, 1) for m in members)):
            if k in column:
                row[column[k]] += sign
            else:
                constant += sign * values[k]
        if any(row):
            rows.append(row)
            rhs.append(-constant)
    found = []
    for sign in (1, -1):
        objective = [0.0] * len(unknowns)
        objective[column[key]] = sign
        answer = linprog(objective, A_eq=rows or None, b_eq=rhs or None, bounds=[(1, None)] * len(unknowns))
        found.append(float("inf") if answer.status == 3 else sign * answer.fun)
    return found[0], found[1]


def table_relations(grid: list[list[int]]) -> list[tuple]:
    return [(line[-1], line[:-1]) for line in lines(grid)]


def narrowed(grid: list[list[int]], hidden) -> dict:
    """Hidden small figures (1–4) whose interval spans fewer than five values: position → (least, greatest)."""
    values = {(i, j): v for i, row in enumerate(grid) for j, v in enumerate(row)}
    relations = table_relations(grid)
    found = {}
    for position in hidden:
        if 1 <= values[position] <= 4:
            low, high = interval_lp(values, relations, set(hidden), position)
            if high - low < 4 - 1e-6:
                found[position] = (low, high)
    return found


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


def test_a_pair_wide_enough_needs_nothing_more():
    # 1 5 20 | 26: hiding 1 and 5 leaves a + x = 6 with both at least 1: a lies anywhere in 1..5, five values, so a
    # reader cannot tell it is small. 20 stays shown. (Were 1–4 and × shown apart, a ≤ 4 and x ≥ 5 would pin both.)
    expected = {(0, 0): P, (1, 0): P, (0, 1): C, (1, 1): C}
    assert protect([[1, 5, 20]]) == expected
    assert narrowed(with_totals([[1, 5, 20]]), set(expected)) == {}


def test_it_widens_a_pair_that_would_pin_a_small_figure():
    # 1 1 30 | 32: hiding the two 1s leaves a + b = 2, so both are 1. The audit hides 30 too: a + b + c = 32.
    hidden = protect([[1, 1, 30]])
    assert {(0, 0), (0, 1), (0, 2)} <= set(hidden)
    assert narrowed(with_totals([[1, 1, 30]]), set(hidden)) == {}


def test_the_issues_pekalipan_table_keeps_its_small_figures():
    # The February table of Kecamatan Pekalipan from the issue: with 1–4 and × shown apart, the Pekalangan row and
    # the PD column pinned Pekalangan PD = 3 and Jagasatru PD = 4. Rows: Pekalangan, Jagasatru, Pekalipan, Pulasaren.
    cells = [[7, 6, 9, 3, 0], [0, 9, 12, 4, 8], [14, 0, 6, 9, 10], [11, 20, 0, 7, 5]]
    hidden = protect(cells)
    assert narrowed(with_totals(cells), set(hidden)) == {}
    assert determined(with_totals(cells), set(hidden)) == set()


def test_it_closes_a_cycle_that_the_line_rule_leaves_open():
    #  1  3  0 |  4     After the line rule every line holds 0 or ≥ 2 hidden cells, but the row-0 total 4 is the
    #  0 15  9 | 24     only hidden link between {row 0, row 3, col 0, col 1} and {row 1, row 2, col 2, col 3}:
    #  0  0 30 | 30     col 3 − row 1 − row 2 + col 2 gives t = 58 − 15 − 39 = 4. Hiding 15 closes the cycle
    #  1 18 39 | 58     (the cheapest link: one cell, the smallest value).
    expected = {
        (0, 0): P,
        (0, 1): P,
        (0, 3): P,
        (3, 0): P,
        (3, 1): C,
        (1, 3): C,
        (1, 2): C,
        (2, 2): C,
        (2, 3): C,
        (1, 1): C,
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
    # No row or column (totals row and column included) holds exactly one hidden cell.
    for line in lines(grid):
        assert sum(p in hidden for p in line) != 1, line
    # No combination of the row and column equations gives a hidden value back.
    assert determined(grid, set(hidden)) == set()
    # Everything shown together leaves every hidden small figure at least five possible values.
    assert narrowed(grid, set(hidden)) == {}


@settings(max_examples=200, deadline=None)
@given(tables)
def test_the_flow_audit_agrees_with_linear_programming(cells):
    """``disclosure.Network.width`` is exact: the same as the LP over the same equations (capped at the promise)."""
    grid = with_totals(cells)
    values = {(i, j): v for i, row in enumerate(grid) for j, v in enumerate(row)}
    hidden = set(protect(cells)) | {p for p, v in values.items() if v > 0 and (p[0] + p[1]) % 3 == 0}
    relations = table_relations(grid)
    network = disclosure.Network(values, relations)
    for position in hidden:
        low, high = interval_lp(values, relations, hidden, position)
        assert network.width(position, hidden, cap=1000) == pytest.approx(min(high - low, 1000))
