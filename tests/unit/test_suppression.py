"""Complementary small-cell suppression (domain/suppression.py): no hidden figure follows from the others."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.suppression import primary_cells, suppress

THRESHOLD = 5


@st.composite
def hierarchies(draw: st.DrawFn) -> tuple[dict[str, int], list[tuple[str, list[str]]]]:
    """A département of EPCIs of communes with random counts; parents are the sums of their children."""
    counts: dict[str, int] = {}
    groups: list[tuple[str, list[str]]] = []
    epcis = []
    for e in range(draw(st.integers(1, 4))):
        communes = [f"c{e}.{c}" for c in range(draw(st.integers(1, 5)))]
        for commune in communes:
            counts[commune] = draw(st.integers(1, 12))
        counts[f"e{e}"] = sum(counts[c] for c in communes)
        groups.append((f"e{e}", communes))
        epcis.append(f"e{e}")
    counts["d"] = sum(counts[e] for e in epcis)
    groups.append(("d", epcis))
    return counts, groups


def determined(hidden: set[str], counts: dict[str, int], groups: list[tuple[str, list[str]]]) -> set[str]:
    """The hidden cells whose value follows from the visible ones through the sums (exact Gaussian elimination:
    a hidden cell is determined when its unit vector lies in the row space of the equations restricted to the
    hidden cells)."""
    unknowns = sorted(hidden)
    index = {key: i for i, key in enumerate(unknowns)}
    rows = []
    for parent, children in groups:
        row = [Fraction(0)] * len(unknowns)
        for key, sign in [(parent, 1), *((c, -1) for c in children)]:
            if key in index:
                row[index[key]] += sign
        if any(row):
            rows.append(row)
    # reduced row echelon form
    pivots: list[int] = []
    r = 0
    for col in range(len(unknowns)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        rows[r] = [v / rows[r][col] for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append(col)
        r += 1
    found = set()
    for row in rows[:r]:
        nonzero = [i for i, v in enumerate(row) if v != 0]
        if len(nonzero) == 1:
            found.add(unknowns[nonzero[0]])
    return found


@settings(max_examples=300, deadline=None)
@given(hierarchies())
def test_no_hidden_cell_follows_from_the_visible_ones(data: tuple[dict[str, int], list]) -> None:
    counts, groups = data
    hidden = suppress(counts, groups, THRESHOLD)
    assert primary_cells(counts, THRESHOLD) <= hidden
    for parent, children in groups:
        members = [parent, *children]
        assert sum(1 for key in members if key in hidden) != 1
        if parent not in hidden:
            rest = sum(counts[c] for c in children if c in hidden)
            assert rest == 0 or rest >= THRESHOLD
    assert determined(hidden, counts, groups) == set()


def test_a_lone_small_commune_takes_its_smallest_sibling_with_it() -> None:
    counts = {"c1": 3, "c2": 40, "c3": 9, "e": 52, "d": 52}
    hidden = suppress(counts, [("e", ["c1", "c2", "c3"]), ("d", ["e"])], THRESHOLD)
    assert hidden == {"c1", "c3"}


def test_the_oracle_sees_a_single_hidden_cell() -> None:
    """The checker itself can fail: primary suppression alone leaks the small cell."""
    counts = {"c1": 3, "c2": 40, "e": 43, "d": 43}
    groups = [("e", ["c1", "c2"]), ("d", ["e"])]
    assert determined(primary_cells(counts, THRESHOLD), counts, groups) == {"c1"}


def test_nothing_small_nothing_hidden() -> None:
    counts = {"c1": 30, "c2": 40, "e": 70, "d": 70}
    assert suppress(counts, [("e", ["c1", "c2"]), ("d", ["e"])], THRESHOLD) == set()
