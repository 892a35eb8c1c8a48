"""The benchmark's guards: no server process outlives a run; SQLite's bare ceilings measure real writes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

from bench.machine import BusyCores, stop_process_group, stray_servers
from bench.raw_ceilings import sqlite_ceiling_a, sqlite_ceiling_b

# A leader that ignores SIGTERM and a child that ignores it too: what a stuck server would look like.
STUBBORN = (
    "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "subprocess.Popen([sys.executable, '-c', 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print(flush=True); time.sleep(60)']); time.sleep(60)"
)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_no_process_of_the_group_outlives_the_stop():
    leader = subprocess.Popen([sys.executable, "-c", STUBBORN], start_new_session=True)
    time.sleep(0.5)
    assert group_alive(leader.pid)
    stop_process_group(leader, grace_seconds=0.5)
    for _ in range(50):
        if not group_alive(leader.pid):
            break
        time.sleep(0.05)
    leader.wait(timeout=5)
    assert not group_alive(leader.pid)


def test_a_running_server_is_found():
    fake = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)", "api.cli serve"], start_new_session=True
    )
    try:
        time.sleep(0.2)
        assert any(f"pid {fake.pid}:" in line for line in stray_servers())
    finally:
        stop_process_group(fake, grace_seconds=1)
    assert not any(f"pid {fake.pid}:" in line for line in stray_servers())


def test_busy_cores_sees_a_busy_loop():
    busy = BusyCores()
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    assert 0.2 <= busy.cores() <= (os.cpu_count() or 1)


def test_sqlite_ceilings_write_the_rows_they_count(tmp_path):
    path = tmp_path / "ceilings.db"
    assert sqlite_ceiling_b(path, rows=500) > 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*), MIN(LENGTH(state)) FROM bench_rows").fetchone() == (500, 400)
    rate = sqlite_ceiling_a(path, seconds=0.3, connections=4)
    with sqlite3.connect(path) as conn:
        committed = conn.execute("SELECT COUNT(*) FROM bench_rows").fetchone()[0]
    assert committed > 0 and abs(rate * 0.3 - committed) <= max(5, committed * 0.5)
