"""One structured line per request: method, path template, status, duration, role, organisation.
Never bodies, never query strings (they may carry personal data)."""

from __future__ import annotations

import json
import logging
import time

from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("cheque_ledger.access")


def access_log_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await app(scope, receive, capture)
        finally:
            log_access(scope, status["code"], start)

    return middleware


def log_access(scope: Scope, status: int, start: float) -> None:
    """The request's line; ``start`` is its ``time.perf_counter()`` on arrival."""
    if not log.isEnabledFor(logging.INFO):
        return
    actor = (scope.get("state") or {}).get("actor")
    log.info(
        json.dumps(
            {
                "method": scope.get("method"),
                "path": scope.get("path_template") or "unmatched",
                "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                "role": getattr(actor, "role", None),
                "org": getattr(actor, "org", None),
            }
        )
    )
