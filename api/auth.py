"""Bearer API keys → the acting role and organisation; Idempotency-Key → the ledger's idempotency."""

from __future__ import annotations

from typing import Any

from litestar import Request

from api.bootstrap import Ledger
from api.problems import Unauthenticated
from domain import errors
from ledger.idempotency import Idem, request_fingerprint
from ledger.types import Actor


def bearer_key(header: str) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header, or None."""
    scheme, _, key = header.partition(" ")
    return (key.strip() or None) if scheme.lower() == "bearer" else None


async def authenticated(request: Request, ledger: Ledger) -> Actor:
    """The actor of the request's bearer key; Unauthenticated (401) without a valid one."""
    key = bearer_key(request.headers.get("authorization", ""))
    if key is None:
        raise Unauthenticated("Clé d'API absente : envoyez « Authorization: Bearer <clé> ».")
    actor = await ledger.authenticate_async(key)
    if actor is None:
        raise Unauthenticated("Clé d'API inconnue ou révoquée.")
    return actor


def get_actor(request: Request) -> Actor:
    """The actor the API router's ``before_request`` authenticated (``api/door.py``)."""
    return request.scope["state"]["actor"]


def idempotency_key(request: Request) -> str | None:
    """The request's Idempotency-Key, if any; ValidationError if it is malformed."""
    key = request.headers.get("idempotency-key")
    if key is not None and not valid_idempotency_key(key):
        raise errors.ValidationError(
            "En-tête Idempotency-Key invalide : de 1 à 255 caractères ASCII visibles.", field="Idempotency-Key"
        )
    return key


def idempotency(request: Request, actor: Actor, body: Any = None) -> Idem | None:
    key = idempotency_key(request)
    if key is None:
        return None
    return request_idem(request.app.state.ledger, request.method, request.url.path, key, actor, body)


def valid_idempotency_key(key: str) -> bool:
    return 1 <= len(key) <= 255 and all(33 <= ord(ch) <= 126 for ch in key)


def request_idem(ledger: Ledger, method: str, path: str, key: str, actor: Actor, body: Any) -> Idem:
    """The idempotency of a request whose key is already known valid."""
    fingerprint = request_fingerprint(ledger.secret, method, path, body)
    return Idem(scope=actor.key_id or actor.role, key=key, fingerprint=fingerprint)
