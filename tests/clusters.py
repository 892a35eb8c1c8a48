"""Throw-away PostgreSQL clusters for the replica and failover drills: a primary and a streaming standby.

Nothing about the machine's own cluster changes: both are new clusters (``initdb``) in a temporary folder,
on free ports, with their own socket folder. PostgreSQL refuses to run as root, so its programs run as the
``postgres`` OS user (``runuser``) when the tests run as root; the folder is handed to that user.

The standby is PostgreSQL's own physical replication: ``pg_basebackup -R`` (streaming WAL, standby.signal
and ``primary_conninfo`` written for us), named ``standby1`` so ``synchronous_standby_names`` can name it.
Every wait is bounded (``pg_ctl -w -t``, subprocess timeouts); ``stop_all`` stops both clusters with
``-m immediate`` and removes the folder, and is called whatever the test's outcome.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg


def pg_bin() -> Path:
    """PostgreSQL's server programs: LEDGER_PG_BIN, else Debian's place for 15, else ``pg_config --bindir``."""
    chosen = Path(os.environ.get("LEDGER_PG_BIN", "/usr/lib/postgresql/15/bin"))
    if (chosen / "initdb").exists() or not shutil.which("pg_config"):
        return chosen
    return Path(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip())


PG_BIN = pg_bin()
TIMEOUT = 60


def free_port() -> int:
    """A port nothing listens on now (the kernel's choice, so parallel runs do not collide)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_postgres(*command: str, timeout: float = TIMEOUT) -> str:
    if os.geteuid() == 0:
        command = ("runuser", "-u", "postgres", "--", *command)
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    return done.stdout


@dataclass
class Cluster:
    data: Path
    port: int
    sockets: Path

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.sockets}"
        log = self.data.parent / f"{self.data.name}.log"
        as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(log), "-w", "-t", "30", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def promote(self) -> None:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30", "promote")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def execute(self, sql: str, dbname: str = "postgres") -> list[tuple]:
        with psycopg.connect(self.url(dbname), autocommit=True, connect_timeout=10) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []


@dataclass
class Pair:
    base: Path
    primary: Cluster
    standby: Cluster
    started: list[Cluster] = field(default_factory=list)

    def multi_host_url(self, dbname: str) -> str:
        return (
            f"postgresql://postgres@127.0.0.1:{self.primary.port},127.0.0.1:{self.standby.port}/{dbname}"
            "?target_session_attrs=read-write"
        )

    def wait_replayed(self, timeout: float = 30) -> None:
        """Until the standby has replayed everything the primary has flushed (bounded)."""
        (lsn,) = self.primary.execute("SELECT pg_current_wal_flush_lsn()::text")[0]
        deadline = time.monotonic() + timeout
        while not self.standby.execute(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn")[0][0]:
            if time.monotonic() > deadline:
                raise TimeoutError("the standby did not catch up")
            time.sleep(0.05)

    def stop_all(self) -> None:
        for cluster in reversed(self.started):
            try:
                cluster.stop("immediate")
            except Exception:  # noqa: BLE001 - tear down the other one and the folder anyway
                pass
        shutil.rmtree(self.base, ignore_errors=True)


def primary_and_standby(*, synchronous: bool) -> Pair:
    """A new primary and its streaming standby, both started. Call ``stop_all`` when done (even on failure)."""
    base = Path(tempfile.mkdtemp(prefix="cheque-ledger-clusters-"))
    shutil.chown(base, "postgres", "postgres") if os.geteuid() == 0 else None
    pair = Pair(base, Cluster(base / "primary", free_port(), base), Cluster(base / "standby", free_port(), base))
    try:
        as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(pair.primary.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        settings = [
            "wal_level = replica",
            "max_wal_senders = 5",
            "wal_keep_size = '64MB'",
            "fsync = off",  # a drill on one machine: the process, not the OS, is what we kill
            "shared_buffers = '32MB'",
            "max_connections = 100",
            f"synchronous_standby_names = '{'standby1' if synchronous else ''}'",
        ]
        with (pair.primary.data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")
        pair.primary.start()
        pair.started.append(pair.primary)
        as_postgres(
            str(PG_BIN / "pg_basebackup"), "-D", str(pair.standby.data), "-h", "127.0.0.1",
            "-p", str(pair.primary.port), "-U", "postgres", "-R", "-X", "stream", "--no-sync",
        )  # fmt: skip
        with (pair.standby.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                f"primary_conninfo = 'host=127.0.0.1 port={pair.primary.port} user=postgres"
                " application_name=standby1'\nsynchronous_standby_names = ''\n"
            )
        pair.standby.start()
        pair.started.append(pair.standby)
        wait_streaming(pair, synchronous)
    except BaseException:
        pair.stop_all()
        raise
    return pair


def wait_streaming(pair: Pair, synchronous: bool, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    want = "sync" if synchronous else "async"
    while time.monotonic() < deadline:
        rows = pair.primary.execute(
            "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1' AND state = 'streaming'"
        )
        if rows and rows[0][0] == want:
            return
        time.sleep(0.1)
    raise TimeoutError(f"the standby is not streaming ({want}) after {timeout} s")
