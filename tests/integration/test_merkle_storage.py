"""The Merkle log's storage on both backends: runs mapping leaves to events (one per run of notification
ids), only the subtrees of level K and above stored, the right edge; proofs equal to ``merkle.py``'s pure
computation over all leaves whatever the transactions; and ``verify`` finding any stored part altered."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import merkle
from projections.verify import verify
from tests.conftest import BACKEND
from tests.integration.merkle_helpers import append_entries, fail_a_transaction, stored_ids
from tests.integration.test_merkle_log import stored_events
from tests.integration.test_verify import busy_ledger


def pure(entries: list[bytes]):
    """Every perfect subtree of the tree over ``entries``, computed in memory (``merkle.append``)."""
    nodes = {(lv, i): h for lv, i, h in merkle.append([], 0, [merkle.leaf_hash(e) for e in entries])}
    return lambda wanted: {n: nodes[n] for n in wanted}


def rows(ledger, sql: str) -> list[tuple]:
    with ledger.db.read() as cur:
        return [tuple(int(x) if isinstance(x, int) else bytes(x) for x in r) for r in cur.execute(sql).fetchall()]


def test_a_fill_is_one_run_and_a_gap_starts_another(ledger):
    append_entries(ledger, [1, 3, 2, 5])
    ids = stored_ids(ledger)
    assert rows(ledger, "SELECT first_leaf, first_notification, count FROM merkle_runs") == [(0, ids[0], 11)]
    fail_a_transaction(ledger)
    append_entries(ledger, [2, 1])
    ids = stored_ids(ledger)
    runs = rows(ledger, "SELECT first_leaf, first_notification, count FROM merkle_runs ORDER BY first_leaf")
    if ledger.db.postgres:  # the refused transaction spent two notification ids
        assert ids[11] == ids[10] + 3
        assert runs == [(0, ids[0], 11), (11, ids[11], 3)]
    else:  # SQLite gives the next rowid again
        assert runs == [(0, ids[0], 14)]
    entries = [e for _, e in stored_events(ledger)]
    for size in range(1, 15):
        assert ledger.audit.root(size) == (size, merkle.resolve([(0, size)], pure(entries))[0])
    assert [x.index for x in ledger.audit.entries(0, 20).items] == list(range(14))
    eids = [eid for eid, _ in stored_events(ledger)]
    assert ledger.audit.indices(eids) == {eid: i for i, eid in enumerate(eids)}


def test_only_subtrees_of_level_k_and_above_and_the_right_edge_are_stored(ledger):
    append_entries(ledger, [7, 30, 1, 13])  # 51 leaves
    entries = [e for _, e in stored_events(ledger)]
    everything = pure(entries)
    want = {(lv, i) for lv in range(merkle.K, 6) for i in range(51 >> lv)}
    assert {(lv, i): h for lv, i, h in rows(ledger, "SELECT level, idx, hash FROM merkle_nodes")} == everything(want)
    edge = dict(rows(ledger, "SELECT level, hash FROM merkle_frontier WHERE hash IS NOT NULL"))
    assert edge == {lv: h for (lv, _), h in everything(set(merkle.pieces(0, 51))).items()}


@settings(max_examples=12 if BACKEND == "sqlite" else 6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.tuples(st.integers(1, 40), st.booleans()), min_size=1, max_size=8),
    st.lists(st.integers(1, 10_000), min_size=3, max_size=3),
)
def test_proofs_equal_the_pure_computation_whatever_the_transactions(ledger, batches, picks):
    """The ledger keeps growing across examples: random transactions, some after a refused one (a gap in
    the notification ids on PostgreSQL); then every inclusion proof of a few sizes, and every consistency
    proof to them, equal ``merkle.py`` over all the leaves."""
    for n, refused_before in batches:
        if refused_before and ledger.audit.size():
            fail_a_transaction(ledger)
        append_entries(ledger, [n])
    entries = [e for _, e in stored_events(ledger)]
    tree = pure(entries)
    total = len(entries)
    assert ledger.audit.root() == (total, merkle.resolve([(0, total)], tree)[0])
    for size in {total, *(1 + p % total for p in picks)}:
        root = merkle.resolve([(0, size)], tree)[0]
        proofs = ledger.audit.inclusions(list(range(size)), size)
        for index, p in enumerate(proofs):
            leaf, *path = merkle.resolve([(index, index + 1), *merkle.inclusion_ranges(index, size)], tree)
            assert (p.leaf_hash, p.path) == (leaf.hex(), [h.hex() for h in path])
        for first in range(1, size + 1):
            want = merkle.resolve(merkle.consistency_ranges(first, size), tree)
            assert ledger.audit.consistency(first, size).path == [h.hex() for h in want]
        assert ledger.audit.root(size)[1] == root


ALTERATIONS = {
    "node deleted": ("DELETE FROM merkle_nodes WHERE level = 4 AND idx = 0", "Merkle subtree (4, 0) is missing"),
    "node edited": (
        "UPDATE merkle_nodes SET hash = ? WHERE level = 4 AND idx = 1",
        "Merkle subtree (4, 1) does not match the events",
    ),
    "node added": ("INSERT INTO merkle_nodes (level, idx, hash) VALUES (2, 0, ?)", "subtrees the events do not give"),
    "run shifted": (
        "UPDATE merkle_runs SET first_notification = first_notification + 1",
        "runs map leaf 0 to position",
    ),
    "edge edited": (
        "UPDATE merkle_frontier SET hash = ? WHERE level = (SELECT MIN(level) FROM merkle_frontier WHERE hash IS NOT NULL)",
        "right edge does not match",
    ),
}


@pytest.mark.parametrize("how", sorted(ALTERATIONS))
def test_verify_finds_any_stored_part_altered(ledger, how):
    busy_ledger(ledger)
    append_entries(ledger, [40])  # at least two subtrees of level K, and a right edge below K
    assert not [d for d in verify(ledger)[0] if "Merkle" in d]
    sql, said = ALTERATIONS[how]
    with ledger.db.transaction() as cur:
        cur.execute(sql, (b"\x00" * 32,) if "?" in sql else ())
    differences = verify(ledger)[0]
    assert any(said in d for d in differences), differences
