"""A failover under a real server (``cheque-ledger serve``): the primary is lost while clients redeem over HTTP,
the standby is promoted, and the server, given both hosts, goes on by itself; with synchronous replication no
redemption answered 201 is lost (tests/clusters.py makes the clusters)."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import msgspec
import pytest

from api.bootstrap import open_ledger
from ledger import types as t
from ledger.config import DatabaseConfig
from ledger.settings import Settings
from tests import scenario as s
from tests.clusters import primary_and_standby
from tests.conftest import SECRET
from tests.e2e.conftest import bearer
from tests.e2e.test_server_crash import free_port, start_server

pytestmark = pytest.mark.postgres_only
DB = "cl_drill_http"


def test_the_server_rides_a_synchronous_failover_and_loses_no_acknowledged_redemption(tmp_path):
    pair = primary_and_standby(synchronous=True)
    server = None
    try:
        pair.primary.execute(f"CREATE DATABASE {DB}")
        url = pair.multi_host_url(DB)
        settings = msgspec.structs.replace(Settings.from_env(), erasure_list=str(tmp_path / "erased"))
        ledger = open_ledger(DatabaseConfig.from_url(url), SECRET, settings=settings)
        try:
            w = s.world(ledger, amount_cents=400 * 1000)
            cheques = [c for _ in range(20) for c in s.book(ledger, w, count=20).cheques]
            structure_key = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="structure", org=str(w.structure.id))).key
            admin_key = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="admin")).key
            today = ledger.today().isoformat()
        finally:
            ledger.close()
        env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_SECRET": SECRET.decode()}
        env["LEDGER_ERASURE_LIST"] = str(tmp_path / "erased")
        port = free_port()
        server = start_server(env, port)
        base = f"http://127.0.0.1:{port}"
        acknowledged: list[str] = []
        other: list[int] = []
        stop = threading.Event()

        def redeem(mine: list) -> None:
            with httpx.Client(base_url=base, timeout=30) as http:
                for c in mine:
                    if stop.is_set():
                        return
                    body = {
                        "serial": c.serial,
                        "code": c.code,
                        "session": {"date": today, "kind": "individual", "duration_minutes": 60},
                    }
                    try:
                        r = http.post("/v1/redemptions", json=body, headers=bearer(structure_key))
                    except httpx.HTTPError:
                        other.append(0)
                        continue
                    if r.status_code == 201:
                        acknowledged.append(c.serial)
                    else:
                        other.append(r.status_code)

        threads = [threading.Thread(target=redeem, args=(cheques[i::2],)) for i in range(2)]
        for th in threads:
            th.start()
        try:
            deadline = time.monotonic() + 60
            while len(acknowledged) < 60:
                assert time.monotonic() < deadline, f"only {len(acknowledged)} redemptions before the loss"
                time.sleep(0.01)
            at_loss = len(acknowledged)
            pair.primary.stop("immediate")
            pair.standby.promote()
            deadline = time.monotonic() + 60
            while len(acknowledged) < at_loss + 40:
                assert time.monotonic() < deadline, "the server did not take writes again after the failover"
                time.sleep(0.01)
        finally:
            stop.set()
            for th in threads:
                th.join(60)
        assert set(other) <= {0, 503}, f"answers other than 201 and 503: {sorted(set(other))}"
        with httpx.Client(base_url=base, timeout=30) as http:
            assert http.get("/healthz").status_code == 200
            statuses = {
                serial: http.get(f"/v1/cheques/{serial}", headers=bearer(admin_key)).json()["status"]
                for serial in acknowledged
            }
            assert [serial for serial, status in statuses.items() if status != "redeemed"] == []
            rec = http.get("/v1/funders/DEPT26/reconciliation", headers=bearer(admin_key)).json()
            assert rec["balanced"], rec
            assert rec["redeemed_cents"] >= 1000 * len(acknowledged)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        pair.stop_all()
