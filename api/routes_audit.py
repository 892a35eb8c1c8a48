"""The proof for funders (any authenticated role): signed checkpoints, leaves, RFC 9162 proofs."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import Parameter

from api.deps import ActorDep, LedgerDep
from api.problems import problems
from ledger import types as t

MAX_SIZE = 2**62
Index = Annotated[int, Parameter(ge=0, le=MAX_SIZE)]
Size = Annotated[int, Parameter(ge=1, le=MAX_SIZE)]


@get("/v1/audit/checkpoint", sync_to_thread=True, responses=problems(503), tags=["audit"])
def checkpoint(ledger: LedgerDep, actor: ActorDep) -> t.Checkpoint:
    """A signed tree head over every event so far, in order (RFC 9162 hashing). Signed anew when the log grew
    since the last one. Ed25519 `signature` (base64) over the UTF-8 text
    `cheque-ledger checkpoint\\n{tree_size}\\n{root_hash}\\n{signed_at}\\n`."""
    return ledger.audit.checkpoint()


@get("/v1/audit/entries", sync_to_thread=True, responses=problems(400, 503), tags=["audit"])
def entries(ledger: LedgerDep, actor: ActorDep, start: Index, end: Index) -> t.AuditEntries:
    """The leaves `start` ≤ index < `end` (at most 1 000): each event's id and leaf hash, SHA-256(0x00 ‖ entry)
    with entry = `{event_id}\\n{topic}\\n` followed by the stored event's bytes."""
    return ledger.audit.entries(start, end)


@get("/v1/audit/inclusion", sync_to_thread=True, responses=problems(400, 503), tags=["audit"])
def inclusion(ledger: LedgerDep, actor: ActorDep, index: Index, tree_size: Size) -> t.InclusionProof:
    """The RFC 9162 §2.1.3 inclusion proof of leaf `index` in the tree of `tree_size` leaves (hex hashes)."""
    return ledger.audit.inclusion(index, tree_size)


@get("/v1/audit/consistency", sync_to_thread=True, responses=problems(400, 503), tags=["audit"])
def consistency(ledger: LedgerDep, actor: ActorDep, first: Size, second: Size) -> t.ConsistencyProof:
    """The RFC 9162 §2.1.4 consistency proof between the trees of `first` and `second` leaves (hex hashes)."""
    return ledger.audit.consistency(first, second)


ROUTES = [checkpoint, entries, inclusion, consistency]
