"""Several processes opening the ledger at the same moment (server workers, the projection process, a CLI
command) all start: schema creation is serialised (on PostgreSQL eventsourcing re-runs ``CREATE OR REPLACE
FUNCTION`` at every start, and two at once failed with "tuple concurrently updated")."""

from __future__ import annotations

import multiprocessing

from ledger.config import DatabaseConfig
from tests.conftest import BACKEND, PG_URL, SECRET

PROCESSES, ROUNDS = 6, 3


def open_and_close(url: str, barrier, results) -> None:  # runs in a fresh process
    from api.bootstrap import open_ledger

    barrier.wait(timeout=60)
    try:
        open_ledger(DatabaseConfig.from_url(url), SECRET, group_commit=False).close()
        results.put("ok")
    except Exception as e:  # noqa: BLE001 - reported to the test by name
        results.put(f"{type(e).__name__}: {e}")


def test_processes_starting_together_all_start(ledger, tmp_path):
    url = PG_URL if BACKEND == "postgres" else f"sqlite:///{tmp_path / 'ledger.db'}"  # the schema exists already
    ctx = multiprocessing.get_context("spawn")
    outcomes = []
    for _ in range(ROUNDS):
        barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
        procs = [ctx.Process(target=open_and_close, args=(url, barrier, results)) for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=120)
        outcomes += [results.get(timeout=10) for _ in procs]
    assert outcomes == ["ok"] * (PROCESSES * ROUNDS)
