"""Server-side sessions of people signed in to the web pages.

The cookie holds a random token; only its SHA-256 is stored, with the user, a CSRF token and two
times: a session ends after ``IDLE_SECONDS`` without a request or ``ABSOLUTE_SECONDS`` after sign-in,
and at once on sign-out (the row is deleted: the token is then worthless).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

import msgspec

from ledger.database import Database

IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 12 * 60 * 60
TOUCH_EVERY = 60

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS web_sessions (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL,"
    " csrf TEXT NOT NULL, created_at BIGINT NOT NULL, last_seen BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS web_sessions_user ON web_sessions (user_id)",
]


class WebSession(msgspec.Struct, frozen=True):
    user_id: str
    csrf: str
    created_at: int
    last_seen: int


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(self, db: Database, now: Callable[[], float]) -> None:
        self.db = db
        self.now = now
        db.script(SCHEMA)

    def open(self, user_id: str) -> tuple[str, WebSession]:
        token = secrets.token_urlsafe(32)
        now = int(self.now())
        session = WebSession(user_id=user_id, csrf=secrets.token_urlsafe(32), created_at=now, last_seen=now)
        with self.db.transaction() as cur:
            cur.execute(
                "DELETE FROM web_sessions WHERE last_seen < ? OR created_at < ?",
                (now - IDLE_SECONDS, now - ABSOLUTE_SECONDS),
            )
            cur.execute(
                "INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                (_digest(token), user_id, session.csrf, now, now),
            )
        return token, session

    def find(self, token: str) -> WebSession | None:
        """The live session of this token, or None (unknown, signed out or expired)."""
        if not token or len(token) > 128:
            return None
        digest = _digest(token)
        now = int(self.now())
        with self.db.read() as cur:
            row = cur.execute(
                "SELECT user_id, csrf, created_at, last_seen FROM web_sessions WHERE token_hash = ?", (digest,)
            ).fetchone()
        if row is None:
            return None
        session = WebSession(user_id=row[0], csrf=row[1], created_at=int(row[2]), last_seen=int(row[3]))
        if now - session.last_seen >= IDLE_SECONDS or now - session.created_at >= ABSOLUTE_SECONDS:
            self.close(token)
            return None
        if now - session.last_seen >= TOUCH_EVERY:
            with self.db.transaction() as cur:
                cur.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?", (now, digest))
        return session

    def close(self, token: str) -> None:
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_digest(token),))

    def close_all(self, user_id: str) -> None:
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM web_sessions WHERE user_id = ?", (user_id,))
