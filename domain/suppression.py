"""Small-cell suppression for published tables, primary and complementary, as a pure function.

A table of counts arranged in groups where a parent is the sum of its children (a département and its EPCIs,
an EPCI and its communes) hides every cell under the threshold (primary suppression). That is not enough: a
hidden child could be recovered by subtracting its visible siblings from the visible parent. So every group
must hold either no hidden cell or at least two (complementary suppression): while a group has exactly one,
its smallest visible child is hidden too (or the parent, when no child is left), and so on to a fixed point.
Likewise, under a visible parent the hidden children together must count at least the threshold: their sum
is the parent minus the visible ones, and two cells of 1 summing to 2 would be known exactly.

When the groups form a tree (each cell is the parent of at most one group and the child of at most one), no
hidden cell then follows from the visible ones by any combination of the sums: from a hidden cell one can
always move one unit to another hidden cell of the same group, and on to the next group, without changing any
visible figure or total (``tests/unit/test_suppression.py`` checks it with exact linear algebra)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def primary_cells(counts: Mapping[K, int], threshold: int) -> set[K]:
    """The cells counting fewer than ``threshold`` people (a cell of 0 hides nobody and stays)."""
    return {key for key, count in counts.items() if 0 < count < threshold}


def suppress(counts: Mapping[K, int], groups: Sequence[tuple[K, Sequence[K]]], threshold: int) -> set[K]:
    """The cells to hide: the primary ones and enough others that no group has exactly one hidden cell.

    ``counts`` gives each cell's number of people (the figure suppression is decided on; every figure of a
    hidden cell is hidden); ``groups`` lists ``(parent, children)`` with the parent the sum of its children.
    Complementary cells are chosen smallest first (the least information lost), ties by key order."""
    hidden = primary_cells(counts, threshold)
    changed = True
    while changed:
        changed = False
        for parent, children in groups:
            members = [parent, *children]
            hidden_count = sum(1 for key in members if key in hidden)
            hidden_sum = sum(counts.get(key, 0) for key in children if key in hidden)
            # a visible parent with hidden children under the threshold in total would show a small cell
            small_rest = parent not in hidden and 0 < hidden_sum < threshold
            if hidden_count != 1 and not small_rest:
                continue
            visible_children = sorted(
                (key for key in children if key not in hidden), key=lambda key: (counts.get(key, 0), str(key))
            )
            if visible_children:
                hidden.add(visible_children[0])
            elif parent not in hidden:
                hidden.add(parent)
            else:  # a lone child hidden with no sibling: only the parent can cover it
                continue
            changed = True
    return hidden
