"""The list of erased people, kept outside the database so that a restore can erase them again.

A backup taken before an erasure still holds the person's key: restored as is, it would bring the person
back. Every erasure therefore appends one line, ``<kind> <uuid>`` (kind: ``beneficiary`` or ``user``: ids
only, nothing personal), to a plain file that is not in the database and so not in its backups; a restore
reads it and erases them again (``Ledger.reapply_erasures``).

The line is written (and fsynced) before the key is destroyed: an erasure that fails half-way is on the
list, and the next restore finishes it; an erasure can never be done and missing from the list.

Where: ``LEDGER_ERASURE_LIST``; unset, beside the SQLite file (``ledger.db.erased``, as its secret) or, on
PostgreSQL, ``var/<dbname>.erased``. In production it belongs where the secret is kept: not on the
database's machine, not in the database's backups (docs/operations.md).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from uuid import UUID

from ledger.config import DatabaseConfig

KINDS = ("beneficiary", "user")


def erasure_list_path(config: DatabaseConfig, setting: str | None) -> Path:
    if setting:
        return Path(setting)
    if config.kind == "sqlite":
        assert config.sqlite_path is not None
        return config.sqlite_path.with_name(config.sqlite_path.name + ".erased")
    return Path("var") / f"{config.dbname}.erased"


class ErasureList:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, kind: str, subject_id: UUID) -> None:
        """Appends ``kind subject_id`` (once) and makes it durable before returning."""
        assert kind in KINDS
        with self._lock:
            if (kind, subject_id) in self.entries():
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, f"{kind} {subject_id}\n".encode())
                os.fsync(fd)
            finally:
                os.close(fd)

    def entries(self) -> list[tuple[str, UUID]]:
        """Every erasure recorded, oldest first (lines that cannot be read are reported, not skipped)."""
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return []
        out: list[tuple[str, UUID]] = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            kind, _, raw = line.strip().partition(" ")
            try:
                out.append((kind, UUID(raw)))
            except ValueError:
                raise ValueError(f"{self.path}: line {number} is not '<kind> <uuid>'") from None
            if kind not in KINDS:
                raise ValueError(f"{self.path}: line {number} has an unknown kind")
        return out
