"""Driving the real server in a benchmark: start it, load it (wrk for single redemptions, clients posting
batches), stop it without leaving a process behind."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.fill import CODE
from bench.machine import stop_process_group

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret"
SIGNING_KEY = "YmVuY2gtc2lnbmluZy1rZXktb2YtdGhpcnR5LXR3byE="  # 32 bytes, base64: checkpoints need one on PostgreSQL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process and its children (granian's workers), in MiB."""
    total = 0
    pids = [pid] + [
        int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    ]
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except FileNotFoundError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        total += int(match.group(1)) if match else 0
    return total / 1024


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    env: dict[str, str]


@contextmanager
def running_server(url: str, workers: int = 2, root: Path = ROOT) -> Iterator[Server]:
    """``cheque-ledger serve`` of the checkout at ``root`` on ``url``, until the block ends; if the block
    fails, the server's last output is printed first."""
    port = free_port()
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": url,
        "LEDGER_SECRET": SECRET,
        "LEDGER_SIGNING_KEY": SIGNING_KEY,
        "PYTHONPATH": str(root),
    }
    log = tempfile.TemporaryFile()  # noqa: SIM115 - outlives this statement; closed in the finally below
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield Server(process, port, env)
    except BaseException:
        log.seek(max(0, log.seek(0, os.SEEK_END) - 8000))
        print("--- the server's last output ---\n" + log.read().decode(errors="replace"), file=sys.stderr)
        raise
    finally:
        stop_process_group(process)
        log.close()


@dataclass
class WrkResult:
    requests: int
    non201: int
    p50_ms: float
    p99_ms: float
    seconds: float

    @property
    def rate(self) -> float:
        """Redemptions answered 201 a second."""
        return (self.requests - self.non201) / self.seconds


def redeem_one_by_one(server: Server, cheques: list[Any], key: str, seconds: int, connections: int = 64) -> WrkResult:
    """wrk, ``connections`` connections, each request redeeming a distinct cheque (``bench/redeem.lua``)."""
    today = time.strftime("%Y-%m-%d")
    bodies = Path(tempfile.mkstemp(suffix=".jsonl")[1])
    try:
        bodies.write_text(
            "".join(
                json.dumps(
                    {
                        "serial": c.serial,
                        "code": CODE,
                        "session": {"date": today, "kind": "individual", "duration_minutes": 30},
                    }
                )
                + "\n"
                for c in cheques
            )
        )
        threads = 2
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--latency",
                "-s",
                str(ROOT / "bench" / "redeem.lua"),
                f"http://127.0.0.1:{server.port}",
            ],
            env={**server.env, "BENCH_BODIES": str(bodies), "BENCH_KEY": key, "BENCH_THREADS": str(threads)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        bodies.unlink()
    m = re.search(r"RESULT_WRK requests=(\d+) non201=(\d+) p50_us=(\d+) p99_us=(\d+) duration_us=(\d+)", out)
    if m is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    requests, non201, p50, p99, duration = (int(x) for x in m.groups())
    return WrkResult(requests, non201, p50 / 1000, p99 / 1000, duration / 1e6)


def redeem_in_batches(server: Server, cheques: list[Any], key: str, clients: int = 4) -> tuple[int, float]:
    """``clients`` threads posting 1000-item batches until every cheque was sent; (redeemed, redemptions/s)."""
    today = time.strftime("%Y-%m-%d")
    chunks = [cheques[i : i + 1000] for i in range(0, len(cheques), 1000)]
    done = [0]
    done_lock = threading.Lock()

    def send(part: list[list[Any]]) -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{server.port}", headers={"Authorization": f"Bearer {key}"}, timeout=120
        ) as http:
            for chunk in part:
                items = [
                    {
                        "serial": c.serial,
                        "code": CODE,
                        "session": {"date": today, "kind": "collective", "duration_minutes": 60},
                    }
                    for c in chunk
                ]
                r = http.post("/v1/redemptions/batch", json={"items": items})
                redeemed = sum(1 for x in r.json()["results"] if x["status"] == 201)
                with done_lock:  # `done[0] += sum(…)` read done[0] before the sum: threads lost updates
                    done[0] += redeemed

    start = time.perf_counter()
    senders = [threading.Thread(target=send, args=(chunks[i::clients],)) for i in range(clients)]
    for s in senders:
        s.start()
    for s in senders:
        s.join()
    return done[0], done[0] / (time.perf_counter() - start)
