"""A database of the former Merkle layout (a row per leaf in ``merkle_leaves``, every subtree of level 1 and
above) opened by this code: migrated at start in one transaction, on both backends, with the same tree."""

from __future__ import annotations

import pytest

from api.audit_bundle import verify_saved_checkpoint
from ledger import merkle
from ledger.merkle_migration import MerkleMigrationError
from projections.verify import verify
from tests import merkle_rfc as rfc
from tests import scenario as s
from tests.integration.merkle_helpers import fail_a_transaction
from tests.integration.test_merkle_log import msgspec_dict, stored_events
from tests.integration.test_verify import busy_ledger, events_table, nid

FORMER_SQLITE = [
    "CREATE TABLE merkle_leaves (idx INTEGER PRIMARY KEY, event_id TEXT NOT NULL, hash BLOB NOT NULL)",
    "CREATE INDEX merkle_leaves_event ON merkle_leaves (event_id)",
]
FORMER_POSTGRES = [
    "CREATE TABLE merkle_leaves (idx BIGINT PRIMARY KEY, event_id TEXT NOT NULL, hash BYTEA NOT NULL)",
    "CREATE INDEX merkle_leaves_event ON merkle_leaves (event_id)",
    "CREATE OR REPLACE FUNCTION merkle_seal(ids text[], leaves bytea[]) RETURNS void LANGUAGE sql AS ''",
]


def to_former_layout(ledger) -> None:
    """The Merkle tables as the former code left them: leaves, every subtree of level >= 1, no runs, no edge."""
    events = stored_events(ledger)
    leaves = [merkle.leaf_hash(e) for _, e in events]
    nodes = [(lv, i, h) for lv, i, h in merkle.append([], 0, leaves) if lv > 0]
    with ledger.db.transaction() as cur:
        for sql in FORMER_POSTGRES if ledger.db.postgres else FORMER_SQLITE:
            cur.execute(sql)
        cur.insert_rows(
            "merkle_leaves", ("idx", "event_id", "hash"), [(i, e, leaves[i]) for i, (e, _) in enumerate(events)]
        )
        for table in ("merkle_runs", "merkle_nodes", "merkle_frontier"):
            cur.execute(f"DELETE FROM {table}")
        cur.insert_rows("merkle_nodes", ("level", "idx", "hash"), nodes)


def proofs(ledger, size: int) -> tuple[list, list]:
    return [ledger.audit.inclusion(i, size) for i in range(size)], [
        ledger.audit.consistency(first, size) for first in range(1, size + 1)
    ]


def has_leaf_table(ledger) -> bool:
    with ledger.db.read() as cur:
        if ledger.db.postgres:
            return bool(cur.execute("SELECT to_regclass('merkle_leaves') IS NOT NULL").fetchone()[0])
        return bool(cur.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'merkle_leaves'").fetchone()[0])


def test_the_former_layout_migrates_at_start_with_the_same_tree(make_ledger):
    ledger = make_ledger()
    busy_ledger(ledger)
    fail_a_transaction(ledger)  # on PostgreSQL, a gap in the notification ids: two runs
    s.funder(ledger, "ETAT", "state")
    saved = msgspec_dict(ledger.audit.checkpoint())
    size = saved["tree_size"]
    before = proofs(ledger, size)
    to_former_layout(ledger)
    assert has_leaf_table(ledger)

    again = make_ledger()
    assert not has_leaf_table(again)
    with again.db.read() as cur:
        runs = cur.execute("SELECT first_leaf, count FROM merkle_runs ORDER BY first_leaf").fetchall()
        levels = {int(r[0]) for r in cur.execute("SELECT DISTINCT level FROM merkle_nodes").fetchall()}
        if again.db.postgres:
            assert cur.execute("SELECT COUNT(*) FROM pg_proc WHERE proname = 'merkle_seal'").fetchone()[0] == 1
    assert len(runs) == (2 if again.db.postgres else 1) and sum(int(c) for _, c in runs) == size
    assert levels and min(levels) >= merkle.K
    assert verify_saved_checkpoint(again, saved)[0] == []
    assert verify(again)[0] == []
    assert proofs(again, size) == before

    s.funder(again, "F2", "other")  # sealing goes on from the migrated edge
    entries = [e for _, e in stored_events(again)]
    grown = again.audit.checkpoint()
    assert grown.tree_size == len(entries) > size
    assert bytes.fromhex(grown.root_hash) == rfc.mth(entries)
    inclusions, consistencies = proofs(again, grown.tree_size)
    assert [[bytes.fromhex(h) for h in p.path] for p in inclusions] == [
        rfc.path(i, entries) for i in range(len(entries))
    ]
    assert [bytes.fromhex(h) for h in consistencies[size - 1].path] == rfc.proof(size, entries)
    assert verify_saved_checkpoint(again, saved)[0] == []
    assert verify(again)[0] == []


def test_a_leaf_without_its_event_stops_the_migration(make_ledger):
    ledger = make_ledger()
    busy_ledger(ledger)
    to_former_layout(ledger)
    with ledger.db.transaction() as cur:
        cur.execute(
            f"DELETE FROM {events_table(ledger)} WHERE {nid(ledger)} = (SELECT MAX({nid(ledger)}) FROM {events_table(ledger)})"
        )
    with pytest.raises(MerkleMigrationError, match="have no event"):
        make_ledger()
    assert has_leaf_table(ledger)  # nothing changed
