"""One structured line per request: method, path template, status, duration, role, organisation.
Never bodies, never query strings (they may carry personal data)."""

from __future__ import annotations

import atexit
import logging
import sys
import threading
import time
from typing import Any

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("cheque_ledger.access")
ENCODER = msgspec.json.Encoder()


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
    line = {
        "method": scope.get("method"),
        "path": scope.get("path_template") or "unmatched",
        "status": status,
        "duration_ms": round((time.perf_counter() - start) * 1000, 2),
        "role": getattr(actor, "role", None),
        "org": getattr(actor, "org", None),
    }
    log.info(ENCODER.encode(line).decode())


class BatchedLines(logging.Handler):
    """Writes its records' messages, one a line, in one write every ``interval`` seconds (and at close):
    the request path then makes no system call for its line (each one let another thread take the GIL
    from the event loop). A crash loses at most ``interval`` of access lines; the ledger's own record is
    the event store."""

    def __init__(self, stream: Any, interval: float = 0.05) -> None:
        super().__init__()
        self.stream = stream
        self.lines: list[str] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), name="access-log", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def emit(self, record: logging.LogRecord) -> None:  # called with the handler's lock held
        self.lines.append(record.getMessage())

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            lines, self.lines = self.lines, []
        if lines:
            self.stream.write("\n".join(lines) + "\n")
            self.stream.flush()

    def _run(self, interval: float) -> None:
        while not self._stopping.wait(interval):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - a broken pipe must not end the server; retry next time
                pass

    def close(self) -> None:
        self._stopping.set()
        self.flush()
        super().close()


def write_lines_to_stdout() -> None:
    """For the server: each access line goes to stdout as one JSON object, through its own handler that
    writes them in batches, not through the application's queued, decorated handler."""
    log.handlers[:] = [BatchedLines(sys.stdout)]
    log.setLevel(logging.INFO)
    log.propagate = False
