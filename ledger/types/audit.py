"""The proof for funders: signed tree heads, leaves and RFC 9162 proofs (``/v1/audit/…``)."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from ledger.types.common import Output

Hex = Annotated[str, Meta(pattern="^[0-9a-f]{64}$", description="A SHA-256 hash, lowercase hex")]
Size = Annotated[int, Meta(ge=0, le=2**62)]


class Checkpoint(Output):
    """A signed tree head: Ed25519 over ``cheque-ledger checkpoint\\n{tree_size}\\n{root_hash}\\n{signed_at}\\n``."""

    tree_size: Size
    root_hash: Hex
    signed_at: str
    signature: Annotated[str, Meta(description="Ed25519 signature, base64")]
    public_key: Annotated[str, Meta(description="Ed25519 public key (32 bytes), base64")]


class AuditEntry(Output):
    index: Size
    event_id: str
    leaf_hash: Hex


class AuditEntries(Output):
    items: list[AuditEntry]


class InclusionProof(Output):
    index: Size
    tree_size: Size
    leaf_hash: Hex
    path: list[Hex]


class ConsistencyProof(Output):
    first: Size
    second: Size
    path: list[Hex]
