"""Reads from a streaming replica (``LEDGER_READ_DATABASE_URL``), never behind the caller's own writes.

PostgreSQL's physical replication keeps the replica; the ledger only chooses, read by read, where to read:

1. the read first waits, as every read does, for the projections (on the primary) to hold every event
   acknowledged before it began (``LedgerCore._fresh_views``);
2. it then takes the primary's WAL flush position (``pg_current_wal_flush_lsn()``): every commit acknowledged
   so far, the caller's last one and the projections' rows included, ends at or before it (a commit is
   acknowledged only once flushed);
3. it waits, at most ``REPLICA_WAIT_SECONDS``, for the replica to have replayed that far
   (``pg_last_wal_replay_lsn()``), and reads there; past the bound, or if the replica does not answer or is
   no longer a standby, it reads the primary. Either way the answer holds the caller's writes.

This is stronger than "the caller's last commit" (it is everyone's last commit at the read's start), and costs
one small query to the primary per read: no session state to carry between requests or workers.
"""

from __future__ import annotations

import logging
import threading
import time

from ledger.config import ConfigurationError, DatabaseConfig
from ledger.connections import database_unavailable
from ledger.database import Database

REPLICA_WAIT_SECONDS = 1.0
POLL_SECONDS = 0.002
log = logging.getLogger("cheque_ledger.replica")


class ReadReplica:
    def __init__(self, primary: DatabaseConfig, url: str, wait_seconds: float = REPLICA_WAIT_SECONDS) -> None:
        config = DatabaseConfig.from_url(url)
        if primary.kind != "postgres" or config.kind != "postgres":
            raise ConfigurationError("LEDGER_READ_DATABASE_URL needs PostgreSQL, for the primary and its replica")
        self.db = Database(config)
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self.served = 0  # reads answered from the replica
        self.fell_back = 0  # reads sent to the primary (replica too far behind, or away)

    def pick(self, primary: Database) -> Database:
        """The replica if it has replayed every write acknowledged so far (waiting a bounded time), else
        ``primary``."""
        caught_up = False
        try:
            row = primary.query_one("SELECT pg_current_wal_flush_lsn()::text")
            assert row is not None
            caught_up = self._wait_for(str(row[0]))
        except Exception as e:
            if not database_unavailable(e):
                raise
            log.warning("read replica unavailable (%s): reading the primary", type(e).__name__)
        with self._lock:
            if caught_up:
                self.served += 1
            else:
                self.fell_back += 1
        return self.db if caught_up else primary

    def _wait_for(self, lsn: str) -> bool:
        deadline = time.monotonic() + self.wait_seconds
        while True:
            row = self.db.query_one("SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn", (lsn,))
            if row is not None and row[0]:
                return True
            if row is None or row[0] is None or time.monotonic() >= deadline:
                return False  # NULL: not a standby (promoted, or misconfigured): read the primary
            time.sleep(POLL_SECONDS)

    def close(self) -> None:
        self.db.close()
