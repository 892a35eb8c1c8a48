"""The Merkle log on the real event stores (both backends): every event sealed in its own transaction, the
stored tree and its proofs equal to the RFC 9162 reference for every size 1..64, signed checkpoints, and
tampering with a stored event found by ``verify`` and ``audit verify``."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from api import cli
from api.audit_bundle import funder_bundle, verify_saved_checkpoint
from domain import errors
from ledger import merkle
from ledger.merkle_store import Sealer
from projections.verify import verify
from tests import merkle_rfc as rfc
from tests import scenario as s
from tests.integration.merkle_helpers import append_entries, stored_ids
from tests.integration.test_verify import busy_ledger, events_table, nid

V = rfc.verifier()


def stored_events(ledger) -> list[tuple[str, bytes]]:
    """(event id, entry) of every stored event, in notification order, read straight from the event table."""
    with ledger.db.read() as cur:
        rows = cur.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {events_table(ledger)} ORDER BY {nid(ledger)}"
        ).fetchall()
    out = []
    for oid, version, topic, state in rows:
        text = str(oid) if ledger.db.postgres else f"{oid[:8]}-{oid[8:12]}-{oid[12:16]}-{oid[16:20]}-{oid[20:]}"
        eid = merkle.event_id(text, version)
        out.append((eid, merkle.entry(eid, topic, bytes(state))))
    return out


def test_every_event_is_a_leaf_in_order(ledger):
    busy_ledger(ledger)
    events = stored_events(ledger)
    leaves = ledger.audit.entries(0, 1000).items
    assert [(x.index, x.event_id, x.leaf_hash) for x in leaves] == [
        (i, eid, merkle.leaf_hash(e).hex()) for i, (eid, e) in enumerate(events)
    ]
    size, root = ledger.audit.root()
    assert size == len(events) and root == rfc.mth([e for _, e in events])


def test_stored_tree_and_proofs_match_the_rfc_for_every_size(ledger):
    """64 events stored in transactions of 1 to 5 events; every inclusion and consistency proof of every
    size 1..64 read from the log equals the RFC's and verifies with the funders' script."""
    at, n = 0, 1
    while at < 64:
        append_entries(ledger, [min(n, 64 - at)])
        at, n = at + n, n % 5 + 1
    entries = [e for _, e in stored_events(ledger)]
    assert len(entries) == 64
    for size in range(1, 65):
        d = entries[:size]
        _, root = ledger.audit.root(size)
        assert root == rfc.mth(d)
        for index in range(size):
            p = ledger.audit.inclusion(index, size)
            path = [bytes.fromhex(h) for h in p.path]
            assert path == rfc.path(index, d)
            assert V.verify_inclusion(index, size, bytes.fromhex(p.leaf_hash), path, root)
        for first in range(1, size + 1):
            c = ledger.audit.consistency(first, size)
            path = [bytes.fromhex(h) for h in c.path]
            assert path == rfc.proof(first, d)
            assert V.verify_consistency(first, size, path, rfc.mth(d[:first]), root)


def test_proofs_refuse_sizes_beyond_the_tree(ledger):
    s.funder(ledger)
    size = ledger.audit.size()
    with pytest.raises(errors.ValidationError):
        ledger.audit.inclusion(0, size + 1)
    with pytest.raises(errors.ValidationError):
        ledger.audit.consistency(1, size + 1)
    with pytest.raises(errors.ValidationError):
        ledger.audit.entries(0, 1001)


def test_checkpoint_is_signed_when_the_tree_grew(ledger):
    s.funder(ledger)
    first = ledger.audit.checkpoint()
    assert ledger.audit.checkpoint() == first  # nothing new: the stored one
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(first.public_key))
    key.verify(
        base64.b64decode(first.signature), merkle.checkpoint_text(first.tree_size, first.root_hash, first.signed_at)
    )
    s.funder(ledger, "ETAT", "state")
    second = ledger.audit.checkpoint()
    assert second.tree_size > first.tree_size
    assert V.verify_checkpoint(msgspec_dict(second), ledger.audit.public_key())


def msgspec_dict(cp) -> dict:
    import msgspec

    return msgspec.to_builtins(cp)


def test_funder_bundle_verifies_offline_and_fails_when_altered(ledger):
    busy_ledger(ledger)
    bundle = json.loads(json.dumps(funder_bundle(ledger, s.ADMIN, "DEPT26")))
    assert bundle["proofs"] and all(p["postings"] for p in bundle["proofs"])
    said: list[str] = []
    assert V.check_bundle(bundle, ledger.audit.public_key(), said.append), said
    entry = base64.b64decode(bundle["proofs"][0]["entry"])
    bundle["proofs"][0]["entry"] = base64.b64encode(entry.replace(b"DEPT26", b"DEPT27")).decode()
    assert not V.check_bundle(bundle, ledger.audit.public_key(), said.append)
    assert any("ne donne pas son empreinte" in m for m in said)


def tamper(ledger, how: str) -> None:
    with ledger.db.read() as cur:
        position, state = cur.execute(
            f"SELECT {nid(ledger)}, state FROM {events_table(ledger)} ORDER BY {nid(ledger)} LIMIT 1 OFFSET 3"
        ).fetchone()
    with ledger.db.transaction() as cur:
        if how == "edit":
            cur.execute(
                f"UPDATE {events_table(ledger)} SET state = ? WHERE {nid(ledger)} = ?", (bytes(state) + b" ", position)
            )
        else:
            cur.execute(f"DELETE FROM {events_table(ledger)} WHERE {nid(ledger)} = ?", (position,))


@pytest.mark.parametrize("how", ["edit", "delete"])
def test_tampered_event_fails_verify_and_audit_verify(ledger, how, tmp_path, monkeypatch, capsys):
    busy_ledger(ledger)
    saved = msgspec_dict(ledger.audit.checkpoint())
    assert verify_saved_checkpoint(ledger, saved)[0] == []
    tamper(ledger, how)
    differences, _, _ = verify(ledger)
    merkle_found = [d for d in differences if "Merkle" in d or "checkpoint" in d]
    assert merkle_found, differences
    problems, _ = verify_saved_checkpoint(ledger, saved)
    assert any("another root" in p or "deleted" in p for p in problems), problems
    # and the command line says so, with exit code 1
    file = tmp_path / "checkpoint.json"
    file.write_text(json.dumps(saved))
    monkeypatch.setattr("api.cli_audit._ledger", lambda: ledger_view(ledger))
    assert cli.main(["audit", "verify", "--checkpoint", str(file)]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_rewriting_events_and_merkle_tables_is_caught_by_the_checkpoint(ledger):
    """An attacker who edits an event and recomputes every leaf and subtree still cannot match a checkpoint
    signed before."""
    busy_ledger(ledger)
    saved = msgspec_dict(ledger.audit.checkpoint())
    tamper(ledger, "edit")
    events, ids = stored_events(ledger), stored_ids(ledger)
    with ledger.db.transaction() as cur:
        for table in ("merkle_runs", "merkle_nodes", "merkle_frontier"):
            cur.execute(f"DELETE FROM {table}")
        Sealer(ledger.db.postgres).seal(cur, events, ids)
    assert not [d for d in verify(ledger)[0] if "Merkle" in d]  # the tables agree with the edited events
    assert [d for d in verify(ledger)[0] if "checkpoint" in d]  # the stored checkpoint no longer matches
    problems, _ = verify_saved_checkpoint(ledger, saved)
    assert any("another root" in p for p in problems), problems


def test_audit_verify_passes_on_a_grown_ledger(ledger, tmp_path, monkeypatch, capsys):
    s.funder(ledger, "ETAT", "state")
    file = tmp_path / "checkpoint.json"
    monkeypatch.setattr("api.cli_audit._ledger", lambda: ledger_view(ledger))
    assert cli.main(["audit", "checkpoint", "--out", str(file)]) == 0
    busy_ledger(ledger)
    assert cli.main(["audit", "verify", "--checkpoint", str(file)]) == 0
    assert "OK: checkpoint of" in capsys.readouterr().out
    assert cli.main(["audit", "public-key"]) == 0
    assert capsys.readouterr().out.strip() == ledger.audit.public_key()


class ledger_view:  # noqa: N801 - a stand-in the CLI may close without closing the test's ledger
    def __init__(self, ledger) -> None:
        self._ledger = ledger

    def __getattr__(self, name: str):
        return getattr(self._ledger, name)

    def close(self) -> None:
        pass


def test_a_database_from_before_the_merkle_log_is_sealed_once_at_start(make_ledger):
    """Events stored by an earlier version (no Merkle log): the next start seals them, in order; later
    starts seal nothing, and an event without a leaf after that is reported, not sealed."""
    ledger = make_ledger()
    busy_ledger(ledger)
    events = stored_events(ledger)
    with ledger.db.transaction() as cur:
        for table in ("merkle_runs", "merkle_nodes", "merkle_frontier"):
            cur.execute(f"DELETE FROM {table}")
    again = make_ledger()
    assert again.audit.root() == (len(events), rfc.mth([e for _, e in events]))
    assert verify(again)[0] == []
    with again.db.transaction() as cur:  # the last run forgets its last event: reported, not sealed again
        cur.execute(
            "UPDATE merkle_runs SET count = count - 1 WHERE first_leaf = (SELECT MAX(first_leaf) FROM merkle_runs)"
        )
    assert any("have no leaf" in d for d in verify(make_ledger())[0])


@pytest.mark.parametrize("group_commit", [False, True])
def test_concurrent_writers_seal_every_event_in_notification_order(make_ledger, group_commit):
    """Two ledgers (as two processes) and eight threads writing at once: one leaf per event, no gap, in the
    order of the notification log."""
    from concurrent.futures import ThreadPoolExecutor

    ledgers = [make_ledger(group_commit=group_commit), make_ledger(group_commit=group_commit)]

    def write(i: int) -> None:
        s.funder(ledgers[i % 2], f"F{i:03d}", "other")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(40)))
    events = stored_events(ledgers[0])
    assert len(events) == 40
    assert ledgers[1].audit.root() == (40, rfc.mth([e for _, e in events]))
    assert [x.event_id for x in ledgers[0].audit.entries(0, 100).items] == [eid for eid, _ in events]
