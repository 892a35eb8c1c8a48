"""A real server (`cheque-ledger serve`) killed with SIGKILL while clients redeem, then started again:
every redemption answered 201 before the kill is there, and the ledger is balanced. One worker killed: the
server goes on, and the worker is replaced."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from ledger import types as t
from tests import scenario as s
from tests.conftest import BACKEND, PG_URL, SECRET

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict, port: int, workers: int = 1) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start")


def test_sigkill_loses_no_acknowledged_redemption(ledger, tmp_path):
    url = PG_URL if BACKEND == "postgres" else f"sqlite:///{tmp_path / 'ledger.db'}"
    w = s.world(ledger, amount_cents=1_000_000)
    cheques = [c for _ in range(20) for c in s.book(ledger, w, count=10).cheques]
    structure_key = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="structure", org=str(w.structure.id))).key
    admin_key = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="admin")).key
    env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_SECRET": SECRET.decode()}
    port = free_port()
    server = start_server(env, port)
    acknowledged: list[str] = []
    lock = threading.Lock()
    today = ledger.today().isoformat()

    def client(part) -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {structure_key}"}, timeout=5
        ) as http:
            for c in part:
                body = {
                    "serial": c.serial,
                    "code": c.code,
                    "session": {"date": today, "kind": "individual", "duration_minutes": 45},
                }
                try:
                    r = http.post("/v1/redemptions", json=body)
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 201:
                    with lock:
                        acknowledged.append(c.serial)

    threads = [threading.Thread(target=client, args=(cheques[i::8],)) for i in range(8)]
    for th in threads:
        th.start()
    while len(acknowledged) < 40:
        time.sleep(0.01)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    for th in threads:
        th.join(timeout=30)
    killed_at = len(acknowledged)
    assert 40 <= killed_at < len(cheques), "the kill must land while clients are redeeming"

    server = start_server(env, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for serial in acknowledged:
                r = http.get(f"/v1/cheques/{serial}", headers={"Authorization": f"Bearer {admin_key}"})
                assert r.json()["status"] == "redeemed", serial
            rec = http.get("/v1/funders/DEPT26/reconciliation", headers={"Authorization": f"Bearer {admin_key}"}).json()
            assert rec["balanced"]
            assert rec["redeemed_cents"] >= killed_at * 1000
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def listening_inodes(port: int) -> set[str]:
    """The inodes of the sockets listening on ``port`` (state 0A in /proc/net/tcp)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
            inodes.add(fields[9])
    return inodes


def listening_workers(server_pid: int, port: int) -> set[int]:
    """The server's children that hold a socket listening on ``port``: granian's workers each bind their own
    (SO_REUSEPORT), so a worker counts here once it can take connections, not merely once it exists."""
    inodes = listening_inodes(port)
    workers = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) != server_pid:
                continue
            links = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError, ValueError):
            continue
        if any(link.startswith("socket:[") and link[8:-1] in inodes for link in links):
            workers.add(int(entry.name))
    return workers


def wait_for_workers(server_pid: int, port: int, count: int, deadline: float, gone: int | None = None) -> set[int]:
    while time.monotonic() < deadline:
        workers = listening_workers(server_pid, port)
        if len(workers) == count and gone not in workers:
            return workers
        time.sleep(0.1)
    raise AssertionError(f"{count} workers were not listening in time")


def test_a_worker_that_dies_is_replaced_and_the_server_goes_on(ledger, tmp_path):
    url = PG_URL if BACKEND == "postgres" else f"sqlite:///{tmp_path / 'ledger.db'}"
    admin_key = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="admin")).key
    env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_SECRET": SECRET.decode()}
    port = free_port()
    server = start_server(env, port, workers=2)
    auth = {"Authorization": f"Bearer {admin_key}"}
    try:
        deadline = time.monotonic() + 60
        killed = min(wait_for_workers(server.pid, port, 2, deadline))
        os.kill(killed, signal.SIGKILL)
        while killed in listening_workers(server.pid, port) and time.monotonic() < deadline:
            time.sleep(0.05)  # until the kernel has closed its socket
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            # the other worker goes on serving while the dead one is replaced
            assert http.get("/v1/loans", headers=auth).status_code == 200
            wait_for_workers(server.pid, port, 2, deadline, gone=killed)  # a new worker took its place
            assert server.poll() is None, "the server is still running"
            for _ in range(20):  # both workers answer
                assert http.get("/v1/loans", headers=auth).status_code == 200
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
