"""Restoring a backup (``ledger/backup.py``) into an empty database, and nothing else.

The backup is read back and checked first; the secret configured must be the one it was taken with (its
keyed fingerprint is in the manifest: with another secret every cheque code and API key would silently stop
matching); the target must hold no table at all (a restore never merges into, nor overwrites, a ledger).
After the copy the events are counted again. Erasures made after the backup are applied by the caller, on
the opened ledger (``Ledger.reapply_erasures``), since that needs the whole ledger.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import psycopg

from ledger.backup import (
    PG_EVENTS,
    SQLITE_PAGES_PER_STEP,
    BackupError,
    Manifest,
    Progress,
    check_backup,
    pg_conninfo,
    pg_env,
    run_counting,
    secret_check,
    tool,
)
from ledger.config import DatabaseConfig


class NotEmpty(BackupError):
    pass


def tables_in(config: DatabaseConfig) -> int:
    """How many tables the database holds (0: empty, or not created yet)."""
    if config.kind == "sqlite":
        assert config.sqlite_path is not None
        if not config.sqlite_path.exists():
            return 0
        conn = sqlite3.connect(f"file:{config.sqlite_path}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
        finally:
            conn.close()
    with psycopg.connect(config.conninfo(), autocommit=True) as pg:
        row = pg.execute(
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    return int(row[0]) if row else 0


def restore(
    config: DatabaseConfig, secret: bytes, folder: Path, progress: Progress = lambda done, total: None
) -> Manifest:
    existing = tables_in(config)
    if existing:
        raise NotEmpty(
            f"{config.describe()} is not empty ({existing} tables): a restore goes into an empty database only."
            " Create a new database (or choose a new SQLite file) and restore into it."
        )
    manifest = check_backup(folder)
    if manifest.backend != config.kind:
        raise BackupError(f"this is a {manifest.backend} backup; LEDGER_DATABASE_URL names a {config.kind} database")
    if manifest.secret_check != secret_check(secret):
        raise BackupError(
            "the secret configured (LEDGER_SECRET, or the .secret file beside the SQLite file) is not the one this"
            " backup was taken with: cheque codes and API keys would not match. Configure the original secret."
        )
    data = folder / manifest.data_file
    if config.kind == "sqlite":
        _restore_sqlite(config, data, progress)
    else:
        _restore_postgres(config, data, progress)
    events, last = _events(config)
    if (events, last) != (manifest.events, manifest.last_position):
        raise BackupError(f"the restored database holds {events} events up to {last}; the backup {manifest.events}")
    return manifest


def _restore_sqlite(config: DatabaseConfig, data: Path, progress: Progress) -> None:
    assert config.sqlite_path is not None
    config.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{data}?mode=ro", uri=True)
    target = sqlite3.connect(str(config.sqlite_path), isolation_level=None)
    try:
        source.backup(
            target,
            pages=SQLITE_PAGES_PER_STEP,
            progress=lambda _status, remaining, total: progress(total - remaining, total),
        )
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _restore_postgres(config: DatabaseConfig, data: Path, progress: Progress) -> None:
    listing = subprocess.run([tool("pg_restore"), "--list", str(data)], capture_output=True, text=True, check=True)
    tables = sum(1 for line in listing.stdout.splitlines() if " TABLE DATA " in line)
    command = [tool("pg_restore"), "--verbose", "--no-owner", "--no-privileges", "--exit-on-error", "--jobs=2"]
    command += [f"--dbname={pg_conninfo(config)}", str(data)]
    run_counting(command, pg_env(config), "processing data for table", tables, progress)
    with psycopg.connect(config.conninfo(), autocommit=True) as conn:
        conn.execute("ANALYZE")  # a dump carries no planner statistics


def _events(config: DatabaseConfig) -> tuple[int, int]:
    if config.kind == "sqlite":
        conn = sqlite3.connect(str(config.sqlite_path))
        try:
            row = conn.execute("SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM stored_events").fetchone()
        finally:
            conn.close()
    else:
        with psycopg.connect(config.conninfo(), autocommit=True) as pg:
            row = pg.execute(f"SELECT COUNT(*), COALESCE(MAX(notification_id), 0) FROM {PG_EVENTS}").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])
