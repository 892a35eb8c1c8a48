"""Deterministic aggregate ids for things looked up by a natural key."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6f1c2a64-8a0e-4d1f-9a53-2d6f0c1e7b26")


def natural_id(kind: str, key: str) -> UUID:
    return uuid5(NAMESPACE, f"{kind}:{key}")
