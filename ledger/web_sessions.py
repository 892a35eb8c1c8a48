"""Server-side sessions of people signed in to the web pages, and the failed sign-ins of addresses
without an account.

The cookie holds a random token; only its SHA-256 is stored, with the user, a CSRF token and two
times: a session ends after ``IDLE_SECONDS`` without a request or ``ABSOLUTE_SECONDS`` after sign-in,
and at once on sign-out (the row is deleted: the token is then worthless).

An account counts its own wrong passwords (events of ``UserAccount``). An address without a usable
account (unknown, not an address at all, or a disabled account) is counted in ``sign_in_failures``
by the same rule, so that it is refused and locked out exactly like an account: see
:class:`FailedSignIns`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

import msgspec

from domain.accounts import LOCK_SECONDS, MAX_FAILURES
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


FAILURES_TABLE = "sign_in_failures"
MAX_FAILURE_ROWS = 100_000
TIDY_EVERY = 60

FAILURES_SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS {FAILURES_TABLE} (key_hash TEXT PRIMARY KEY, failures INTEGER NOT NULL,"
    " locked_until BIGINT NOT NULL, last_failed BIGINT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {FAILURES_TABLE}_last ON {FAILURES_TABLE} (last_failed)",
    f"CREATE INDEX IF NOT EXISTS {FAILURES_TABLE}_locked ON {FAILURES_TABLE} (locked_until)",
]


class FailedSignIns:
    """Wrong sign-ins of addresses without a usable account, counted as ``UserAccount`` counts its own:
    ``MAX_FAILURES`` in a row lock the address for ``LOCK_SECONDS``, then the count starts again.

    Rows are keyed by a keyed hash of the address (the caller's HMAC with the ledger's secret), never the
    address. The table stays small: a row whose lock is over and that has no failure pending is the same
    as no row and is dropped; beyond ``MAX_FAILURE_ROWS`` the rows failed longest ago go. This tidying
    runs at most every ``TIDY_EVERY`` seconds, so a refusal costs one small write, like an account's.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._tidy_after = 0
        db.script(FAILURES_SCHEMA)

    def locked_until(self, key: str) -> int:
        row = self.db.query_one(f"SELECT locked_until FROM {FAILURES_TABLE} WHERE key_hash = ?", (key,))
        return int(row[0]) if row else 0

    def failed(self, key: str, now: int) -> tuple[str, int]:
        """Counts one wrong sign-in at ``now``: ``("counted", 0)``, ``("locking", until)`` when this one
        locks the address, or ``("locked", until)`` when it was locked meanwhile (then nothing is counted)."""
        with self.db.transaction() as cur:
            counted = cur.execute(
                f"INSERT INTO {FAILURES_TABLE} (key_hash, failures, locked_until, last_failed) VALUES (?, 1, 0, ?)"
                f" ON CONFLICT (key_hash) DO UPDATE SET failures = {FAILURES_TABLE}.failures + 1,"
                f" last_failed = excluded.last_failed WHERE {FAILURES_TABLE}.locked_until <= excluded.last_failed",
                (key, now),
            ).rowcount
            if not counted:
                row = cur.execute(f"SELECT locked_until FROM {FAILURES_TABLE} WHERE key_hash = ?", (key,)).fetchone()
                return "locked", int(row[0]) if row else 0
            locking = cur.execute(
                f"UPDATE {FAILURES_TABLE} SET failures = 0, locked_until = ? WHERE key_hash = ? AND failures >= ?",
                (now + LOCK_SECONDS, key, MAX_FAILURES),
            ).rowcount
        if now >= self._tidy_after:
            self._tidy_after = now + TIDY_EVERY
            self.tidy(now)
        return ("locking", now + LOCK_SECONDS) if locking else ("counted", 0)

    def tidy(self, now: int) -> None:
        with self.db.transaction() as cur:
            cur.execute(f"DELETE FROM {FAILURES_TABLE} WHERE locked_until <= ? AND failures = 0", (now,))
            cur.execute(
                f"DELETE FROM {FAILURES_TABLE} WHERE last_failed <= (SELECT last_failed FROM {FAILURES_TABLE}"
                " ORDER BY last_failed DESC LIMIT 1 OFFSET ?)",
                (MAX_FAILURE_ROWS,),
            )
