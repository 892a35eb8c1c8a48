"""What a funder takes away to check the ledger offline: a proof bundle for its postings, and the checks
``cheque-ledger audit verify`` makes of a saved checkpoint, with the very script funders run
(``api/web/static/verifier_preuves.py``: stdlib and ``cryptography`` only, RFC 9162 §2.1.3.2 and §2.1.4.2)."""

from __future__ import annotations

import base64
import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import msgspec

from ledger import merkle
from ledger.types import Actor
from projections.merkle_check import MerkleCheck, recompute

SCRIPT = Path(__file__).parent / "web" / "static" / "verifier_preuves.py"
BUNDLE_POSTINGS = 1000
FORMAT = "cheque-ledger/preuves/1"


@cache
def verifier() -> ModuleType:
    """The funders' script, loaded from its file: the server checks with the code it hands out."""
    spec = importlib.util.spec_from_file_location("verifier_preuves", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def funder_bundle(ledger: Any, actor: Actor, code: str, cursor: str | None = None) -> dict[str, Any]:
    """A page of the funder's journal (up to 1 000 postings, oldest first), the events behind them with their
    bytes, and the inclusion proof of each in a checkpoint signed after them. ``next_cursor`` continues."""
    page = ledger.journal(actor, code, BUNDLE_POSTINGS, cursor)  # read first: the checkpoint signed next covers them
    checkpoint = ledger.audit.checkpoint()
    by_event: dict[str, list[dict[str, Any]]] = {}
    for p in page.items:
        by_event.setdefault(p.event_id, []).append(msgspec.to_builtins(p))
    indices = ledger.audit.indices(list(by_event))
    events = [e for e in by_event if e in indices]
    proofs = ledger.audit.inclusions([indices[e] for e in events], checkpoint.tree_size)
    return {
        "format": FORMAT,
        "funder_code": code,
        "checkpoint": msgspec.to_builtins(checkpoint),
        "proofs": [
            {
                "event_id": e,
                "index": proof.index,
                "leaf_hash": proof.leaf_hash,
                "path": proof.path,
                "entry": base64.b64encode(stored_entry(ledger, e)).decode(),
                "postings": by_event[e],
            }
            for e, proof in zip(events, proofs, strict=True)
        ],
        "next_cursor": page.next_cursor,
    }


def stored_entry(ledger: Any, event_id: str) -> bytes:
    """The bytes the event's leaf hashes, read from the event store."""
    originator, version = event_id.rsplit("/", 1)
    stored = ledger.app.recorder.select_events(UUID(originator), gt=int(version) - 1, lte=int(version))
    s = stored[0]
    return merkle.entry(event_id, s.topic, s.state)


def verify_saved_checkpoint(ledger: Any, checkpoint: dict[str, Any]) -> tuple[list[str], MerkleCheck]:
    """A checkpoint saved earlier, against the database: its signature (this server's key), its root
    recomputed from the stored events, and the consistency of the current tree with it (RFC 9162 §2.1.4)."""
    v = verifier()
    out: list[str] = []
    try:
        size, root = int(checkpoint["tree_size"]), bytes.fromhex(checkpoint["root_hash"])
    except (KeyError, TypeError, ValueError):
        return ["the checkpoint file is not a checkpoint (tree_size, root_hash, signed_at, signature)"], MerkleCheck(
            ledger
        )
    key = ledger.audit.public_key()
    if checkpoint.get("public_key") != key:
        out.append("the checkpoint names another public key than this server's")
    if not v.verify_checkpoint(checkpoint, key):
        out.append("the checkpoint's signature is invalid for this server's key")
    tree = recompute(ledger, [size])
    out += tree.finish()
    if size > tree.size:
        out.append(f"the checkpoint has {size} leaves, the database {tree.size} events (events deleted?)")
        return out, tree
    recomputed = tree.roots.get(size, merkle.EMPTY_ROOT if size == 0 else None)
    if recomputed != root:
        out.append(f"the stored events give another root at {size} leaves (an event was edited or deleted)")
    if size > 0:
        proof = ledger.audit.consistency(size, tree.size)
        path = [bytes.fromhex(h) for h in proof.path]
        if not v.verify_consistency(size, tree.size, path, root, tree.root()):
            out.append("the current tree is not consistent with the checkpoint (history rewritten?)")
    return out, tree
