"""``POST /v1/redemptions`` on a short path: the month-end hot spot, without litestar's per-request machinery.

The route stays declared in litestar (``routes_redemptions.redeem``: its schema, its documentation), and
litestar still answers every request this path does not take whole. Here, in order:

1. only ``POST /v1/redemptions`` with a JSON content type and no query string is taken;
2. the body is read (at most the application's limit) and decoded strictly into ``NewRedemption``;
3. the bearer key is authenticated: a key in the process's cache is used at once, and the group-commit
   writer checks it against one revocation read for its whole batch, before deciding (a key revoked
   since is refused there, and the request goes to litestar, which answers 401); a key not in the cache
   is loaded on the event loop;
4. the Idempotency-Key, if any, is checked.

If any of these fails (a database error while authenticating included), nothing has happened yet: the
request goes to litestar with its body replayed, and litestar gives the refusal, exactly as without this
path. Otherwise the redemption is handed to the group commit, and its answer (201, the domain's
problem+json, or 503 ``service-unavailable`` if the database went away) is written here, with the same
access-log line and Prometheus metrics as litestar's middlewares write. ``tests/e2e/test_fast_redemptions.py`` checks that
both paths answer byte for byte alike.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from litestar.plugins.prometheus import PrometheusConfig, PrometheusMiddleware
from litestar.types import Receive, ReceiveMessage, Scope, Send

from api.access_log import log_access
from api.auth import bearer_key, request_idem, valid_idempotency_key
from api.problems import (
    MEDIA_TYPE,
    UNEXPECTED,
    domain_error_headers,
    domain_problem_bytes,
    log_unavailable,
    log_unexpected,
    problem_bytes,
)
from api.strict_body import decode_body
from domain import errors
from ledger import types as t
from ledger.connections import database_unavailable, service_unavailable
from ledger.key_cache import RevokedSinceCached

PATH = "/v1/redemptions"
JSON = b"application/json"
ENCODER = msgspec.json.Encoder()
Answer = tuple[int, bytes, bytes, list[tuple[bytes, bytes]]]  # status, media type, body, extra headers


class FastRedemptions:
    def __init__(self, fallback: Any, metrics: PrometheusConfig, max_body: int) -> None:
        self.fallback = fallback  # the litestar application (its ASGI handler)
        self.max_body = max_body
        self.metrics = PrometheusMiddleware(app=fallback, config=metrics)
        self.app_name = metrics.app_name
        self.answered = 0  # requests answered here (the others went to litestar)

    @staticmethod
    def takes(scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["path"] == PATH
            and scope["method"] == "POST"  # type: ignore[typeddict-item]  # an http scope: it has one
            and not scope.get("query_string")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = time.perf_counter()
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"")
        if not (content_type == JSON or content_type.startswith(JSON + b";")):
            return await self.fallback(scope, receive, send)
        body, complete = await read_body(receive, self.max_body)
        replay = replaying(body, receive)
        if not complete:
            return await self.fallback(scope, replay, send)
        ledger = scope["app"].state.ledger
        try:
            data = decode_body(t.NewRedemption, body, ledger.today())
        except errors.ValidationError:
            return await self.fallback(scope, replay, send)
        idem_key = headers.get(b"idempotency-key")
        idem_text = idem_key.decode("latin-1") if idem_key is not None else None
        if idem_text is not None and not valid_idempotency_key(idem_text):
            return await self.fallback(scope, replay, send)
        key = bearer_key(headers.get(b"authorization", b"").decode("latin-1"))
        try:
            actor, cached = await ledger.authenticate_deferred(key) if key is not None else (None, None)
        except Exception as e:
            if not database_unavailable(e):
                raise
            actor = None  # nothing happened yet: litestar authenticates again, or answers 503 itself
        if actor is None:
            return await self.fallback(scope, replay, send)

        labels = self.labels(200)
        in_progress = self.metrics.requests_in_progress(labels).labels(*labels.values())
        in_progress.inc()
        try:
            answer = await self.redeem(ledger, actor, data, idem_text, cached)
        finally:  # also when the client went away and the task was cancelled
            in_progress.dec()
        if answer is None:  # the key was revoked after it was cached: nothing was decided, litestar answers 401
            return await self.fallback(scope, replay, send)
        status, media, content, extra = answer
        scope["path_template"] = PATH
        scope["state"]["actor"] = actor
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", media), (b"content-length", str(len(content)).encode()), *extra],
                }
            )
            await send({"type": "http.response.body", "body": content})  # type: ignore[arg-type]  # more_body: optional in ASGI
        finally:  # logged and counted even if the client is gone, like litestar's middlewares do
            self.answered += 1
            self.count(status, time.perf_counter() - start)
            log_access(scope, status, start)

    @staticmethod
    async def redeem(
        ledger: Any, actor: Any, data: t.NewRedemption, idem_text: str | None, cached: Any
    ) -> Answer | None:
        """Status, media type, body and extra headers of the answer; None if the cached key was revoked."""
        try:
            idempotency = (
                request_idem(ledger, "POST", PATH, idem_text, actor, data) if idem_text is not None else None
            )  # key checked above
            out = await ledger.redeem_async(actor, data, idempotency, cached)
            return 201, JSON, ENCODER.encode(out), []
        except RevokedSinceCached:
            return None
        except errors.DomainError as e:
            return refusal(e)
        except Exception as e:  # noqa: BLE001 - answered as litestar's handler would
            unavailable = service_unavailable(e)
            if unavailable is not None:  # the database went away: 503 service-unavailable
                log_unavailable(e, "POST", PATH)
                return refusal(unavailable)
            log_unexpected(e, "POST", PATH)
            return UNEXPECTED[0], MEDIA_TYPE.encode(), problem_bytes(*UNEXPECTED), []

    def labels(self, status: int) -> dict[str, str | int | float]:
        return {"method": "POST", "path": PATH, "status_code": status, "app_name": self.app_name}

    def count(self, status: int, seconds: float) -> None:
        labels = self.labels(status)
        values = list(labels.values())
        self.metrics.request_count(labels).labels(*values).inc()
        self.metrics.request_time(labels).labels(*values).observe(seconds)
        if status >= 500:
            self.metrics.requests_error_count(labels).labels(*values).inc()


def refusal(e: errors.DomainError) -> Answer:
    extra = [(k.lower().encode(), v.encode()) for k, v in (domain_error_headers(e) or {}).items()]
    return e.status, MEDIA_TYPE.encode(), domain_problem_bytes(e), extra


async def read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The request body, and whether it was read whole within ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False  # disconnected: litestar deals with it
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks), False
        if not message.get("more_body", False):
            return b"".join(chunks), True


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read, then whatever the client still sends."""
    sent = False

    async def replay() -> ReceiveMessage:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
