"""Bearer API keys → the acting role and organisation; Idempotency-Key → the ledger's idempotency."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Request

from domain import errors
from ledger.idempotency import Idem
from ledger.types import Actor
from api.deps import LedgerDep
from api.problems import Unauthenticated


def bearer_key(header: str) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header, or None."""
    scheme, _, key = header.partition(" ")
    return (key.strip() or None) if scheme.lower() == "bearer" else None


def get_actor(request: Request, ledger: LedgerDep) -> Actor:
    key = bearer_key(request.headers.get("authorization", ""))
    if key is None:
        raise Unauthenticated("Clé d'API absente : envoyez « Authorization: Bearer <clé> ».")
    actor = ledger.authenticate(key)
    if actor is None:
        raise Unauthenticated("Clé d'API inconnue ou révoquée.")
    request.scope.setdefault("state", {})["actor"] = actor
    return actor


def idempotency(request: Request, actor: Actor, body: Any = None) -> Idem | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not valid_idempotency_key(key):
        raise errors.ValidationError("Idempotency-Key : de 1 à 255 caractères ASCII visibles.")
    return request_idem(request.method, request.url.path, key, actor, body)


def valid_idempotency_key(key: str) -> bool:
    return 1 <= len(key) <= 255 and all(33 <= ord(ch) <= 126 for ch in key)


def request_idem(method: str, path: str, key: str, actor: Actor, body: Any) -> Idem:
    """The idempotency of a request whose key is already known valid."""
    fingerprint = hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + msgspec.json.encode(body)).hexdigest()
    return Idem(scope=actor.key_id or actor.role, key=key, fingerprint=fingerprint)
