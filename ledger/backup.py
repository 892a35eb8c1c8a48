"""Backups that restore: a consistent copy taken while the server runs, checked by reading it back.

A backup is a folder: the data file and ``manifest.json`` (what was copied: backend, time, number of events
and the last position, the data file's SHA-256, and a keyed check of the secret it needs).

- SQLite: the online backup API (``sqlite3.Connection.backup``), page by page for the progress bar. The
  source connection holds one read transaction for the whole copy: in WAL mode writers go on, and every
  page comes from that one snapshot (without it SQLite restarts the copy whenever another connection
  writes, which under load may be forever).
- PostgreSQL: ``pg_dump`` in custom format, inside a snapshot exported by our own repeatable-read
  transaction, so the figures written in the manifest are those of the dump; the progress bar counts
  tables as ``pg_dump --verbose`` reports them.

Read back: the file's SHA-256 again, then SQLite's ``PRAGMA integrity_check`` and the events counted;
PostgreSQL's archive listed (``pg_restore --list``) and its events streamed back out and counted. Only then
does ``backup`` succeed.

What a backup holds: every event (personal data sealed), the projections, the API-key hashes, the
personal-data keys of people not erased at that time. What it does not hold: ``LEDGER_SECRET`` (or the
SQLite ``.secret`` file) and the erasure list, which live elsewhere (README, docs/operations.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import msgspec
import psycopg

from ledger.config import DatabaseConfig

Progress = Callable[[int, int], None]  # (done, total)
SQLITE_FILE = "ledger.sqlite"
PG_FILE = "ledger.pgdump"
MANIFEST = "manifest.json"
PG_EVENTS = "chequeledger_events"
SQLITE_PAGES_PER_STEP = 4096  # 16 MiB at 4 KiB pages: a progress step, and the read lock is kept throughout


class BackupError(RuntimeError):
    """A backup or restore that cannot be done or did not check out; the message says why (English, for IT)."""


class Manifest(msgspec.Struct, kw_only=True):
    format: int = 1
    backend: str
    data_file: str
    created_at: str
    events: int
    last_position: int
    sha256: str
    size_bytes: int
    secret_check: str
    seconds: float = 0.0


def secret_check(secret: bytes) -> str:
    """A keyed fingerprint of the secret: tells a restore whether it was given the right one, reveals nothing."""
    return hmac.new(secret, b"cheque-ledger backup secret check", hashlib.sha256).hexdigest()[:32]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client programs are needed)")
    return found


def pg_env(config: DatabaseConfig) -> dict[str, str]:
    env = dict(os.environ)
    if config.password:
        env["PGPASSWORD"] = config.password  # not on the command line, where `ps` would show it
    return env


def pg_conninfo(config: DatabaseConfig) -> str:
    return config.conninfo().replace(f" password={config.password}", "") if config.password else config.conninfo()


# -- backup ------------------------------------------------------------------------------------------
def backup(config: DatabaseConfig, secret: bytes, to: Path, progress: Progress = lambda done, total: None) -> Manifest:
    """Takes the backup into folder ``to`` (created; must not hold a backup already), reads it back, checks it."""
    if (to / MANIFEST).exists():
        raise BackupError(f"{to} already holds a backup; choose a new folder")
    to.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if config.kind == "sqlite":
        data, events, last = to / SQLITE_FILE, *_backup_sqlite(config, to / SQLITE_FILE, progress)
    else:
        data, events, last = to / PG_FILE, *_backup_postgres(config, to / PG_FILE, progress)
    manifest = Manifest(
        backend=config.kind,
        data_file=data.name,
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        events=events,
        last_position=last,
        sha256=_sha256(data),
        size_bytes=data.stat().st_size,
        secret_check=secret_check(secret),
        seconds=round(time.perf_counter() - started, 3),
    )
    (to / MANIFEST).write_bytes(msgspec.json.format(msgspec.json.encode(manifest)))
    check_backup(to)
    return manifest


def _backup_sqlite(config: DatabaseConfig, data: Path, progress: Progress) -> tuple[int, int]:
    assert config.sqlite_path is not None
    if not config.sqlite_path.exists():
        raise BackupError(f"no database at {config.sqlite_path}")
    source = sqlite3.connect(str(config.sqlite_path), isolation_level=None, timeout=30)
    target = sqlite3.connect(str(data), isolation_level=None)
    try:
        source.execute("BEGIN")  # one snapshot for the counts and every page (module docstring)
        events, last = source.execute("SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM stored_events").fetchone()
        source.backup(
            target,
            pages=SQLITE_PAGES_PER_STEP,
            progress=lambda _status, remaining, total: progress(total - remaining, total),
        )
        source.execute("COMMIT")
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        target.close()
        source.close()
    return int(events), int(last)


def _backup_postgres(config: DatabaseConfig, data: Path, progress: Progress) -> tuple[int, int]:
    with psycopg.connect(config.conninfo(), autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        events, last = conn.execute(f"SELECT COUNT(*), COALESCE(MAX(notification_id), 0) FROM {PG_EVENTS}").fetchone()  # type: ignore[misc]
        tables = conn.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]  # type: ignore[index]
        command = [tool("pg_dump"), "--format=custom", "--verbose", "--no-owner", "--no-privileges"]
        command += [f"--snapshot={snapshot}", f"--file={data}", f"--dbname={pg_conninfo(config)}"]
        run_counting(command, pg_env(config), "dumping contents of table", int(tables), progress)
        conn.execute("COMMIT")
    return int(events), int(last)


def run_counting(command: list[str], env: dict[str, str], marker: str, total: int, progress: Progress) -> None:
    """Runs a PostgreSQL client program; each stderr line holding ``marker`` is a step of the progress bar."""
    done, errors = 0, []
    progress(0, total)
    with subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            if marker in line:
                done = min(done + 1, total)
                progress(done, total)
            elif "error" in line.lower() or "fatal" in line.lower():
                errors.append(line.strip())
    if proc.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {'; '.join(errors[:5]) or 'see its output'}")
    progress(total, total)


# -- reading back ------------------------------------------------------------------------------------
def read_manifest(folder: Path) -> Manifest:
    try:
        return msgspec.json.decode((folder / MANIFEST).read_bytes(), type=Manifest)
    except FileNotFoundError:
        raise BackupError(f"{folder} holds no backup ({MANIFEST} is missing)") from None
    except msgspec.DecodeError as e:
        raise BackupError(f"{folder / MANIFEST} cannot be read: {e}") from None


def check_backup(folder: Path) -> Manifest:
    """Reads the whole backup back: its checksum, then the database inside, whose events must be those the
    manifest counts."""
    manifest = read_manifest(folder)
    data = folder / manifest.data_file
    if not data.exists() or _sha256(data) != manifest.sha256:
        raise BackupError(f"{data} is missing or does not match its checksum")
    if manifest.backend == "sqlite":
        conn = sqlite3.connect(f"file:{data}?mode=ro", uri=True)
        try:
            (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
            events, last = conn.execute("SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM stored_events").fetchone()
        finally:
            conn.close()
        if integrity != "ok":
            raise BackupError(f"{data} fails SQLite's integrity check: {integrity}")
    else:
        listing = subprocess.run([tool("pg_restore"), "--list", str(data)], capture_output=True, text=True)
        if listing.returncode != 0 or f"TABLE DATA public {PG_EVENTS}" not in listing.stdout:
            raise BackupError(f"{data} is not a readable ledger dump: {listing.stderr.strip()[:300]}")
        events, last = _count_dumped_events(data)
    if (events, last) != (manifest.events, manifest.last_position):
        raise BackupError(
            f"{data} holds {events} events up to {last}, the manifest says {manifest.events} up to {manifest.last_position}"
        )
    return manifest


def _count_dumped_events(data: Path) -> tuple[int, int]:
    """The events in a dump, streamed back out of it (``pg_restore --data-only``: COPY rows, tab-separated,
    notification_id first)."""
    command = [tool("pg_restore"), "--data-only", f"--table={PG_EVENTS}", "--file=-", str(data)]
    count = last = 0
    inside = False
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stdout:
            if not inside:
                inside = line.startswith(b"COPY ")
                columns = line[line.index(b"(") + 1 : line.index(b")")].split(b", ") if inside else []
                at = columns.index(b"notification_id") if inside else 0
            elif line == b"\\.\n":
                inside = False
            else:
                count += 1
                last = max(last, int(line.split(b"\t", at + 1)[at]))
        stderr = proc.stderr.read().decode(errors="replace")
    if proc.returncode != 0:
        raise BackupError(f"{data} cannot be read back: {stderr.strip()[:300]}")
    return count, last


def manifest_text(manifest: Manifest) -> str:
    return json.dumps(msgspec.to_builtins(manifest), indent=2)
