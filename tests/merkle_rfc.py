"""A second Merkle tree implementation, written straight from RFC 9162 §2.1's recursive definitions, over a
list of entries (no stored subtrees, no loops over ranges): the reference the ledger's tree and proofs are
checked against (tests/unit/test_merkle.py, tests/integration/test_merkle_log.py)."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    """MTH(D[n]) of §2.1.1."""
    if not d:
        return _h(b"")
    if len(d) == 1:
        return _h(b"\x00" + d[0])
    k = _k(len(d))
    return _h(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of §2.1.3.1."""
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of §2.1.4.1."""
    return _subproof(m, d, True)


def _subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    if m <= k:
        return _subproof(m, d[:k], b) + [mth(d[k:])]
    return _subproof(m - k, d[k:], False) + [mth(d[:k])]


def verifier():  # type: ignore[no-untyped-def]
    """The standalone script shipped to funders (api/web/static/verifier_preuves.py), loaded from its file."""
    file = Path(__file__).parent.parent / "api" / "web" / "static" / "verifier_preuves.py"
    spec = importlib.util.spec_from_file_location("verifier_preuves", file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
