"""Kill the projection process (SIGKILL) at random moments while events flow, restart it, many times:
the final tables equal a clean rebuild, and nothing was applied twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests import scenario as s
from tests.conftest import BACKEND, PG_URL, SECRET

ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "journal": "position, seq",
    "cheque_index": "serial",
    "commitment_index": "id",
    "funder_payments": "position",
    "beneficiary_facts": "id",
    "funder_index": "code",
}


def dump(ledger) -> dict[str, list[tuple]]:
    with ledger.db.read() as cur:
        return {
            table: cur.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall() for table, order in TABLES.items()
        }


def test_sigkilled_projection_process_converges_to_a_clean_rebuild(ledger, tmp_path):
    url = PG_URL if BACKEND == "postgres" else f"sqlite:///{tmp_path / 'ledger.db'}"
    w = s.world(ledger, amount_cents=1_000_000)
    cheques = [c for _ in range(12) for c in s.book(ledger, w, count=10).cheques]
    env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_SECRET": SECRET.decode()}
    stop = threading.Event()
    redeemed: list[str] = []

    def write() -> None:  # redemptions, then payments, until the kills are done: they never catch up the projections
        i = 0
        while not stop.is_set():
            if i < len(cheques):
                c = cheques[i]
                ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, ledger.today()))
                redeemed.append(c.serial)
            if i % 10 == 0 or i >= len(cheques):
                ledger.receive_payment(
                    s.ADMIN,
                    "DEPT26",
                    s.t.NewPayment(amount_cents=100 + i, received_on=ledger.today(), reference=f"v{i}"),
                )
            i += 1
            time.sleep(0.03)

    writer = threading.Thread(target=write)
    writer.start()
    rng = random.Random(7)
    kills, positions = 0, []
    try:
        for _ in range(8):
            before = ledger.views.positions()["ledger_views"]
            proc = subprocess.Popen([sys.executable, "-m", "projections.process"], cwd=ROOT, env=env)
            deadline = time.monotonic() + 60
            while ledger.views.positions()["ledger_views"] == before:
                assert proc.poll() is None, "the projection process died on its own"
                assert time.monotonic() < deadline, "the projection process made no progress in 60 s"
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.3))  # then kill it somewhere in the stream
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
            positions.append(ledger.views.positions()["ledger_views"])
    finally:
        stop.set()
        writer.join(timeout=120)
    assert kills == 8 and not writer.is_alive()
    # the killed processes did the projecting, each some of it, while events flowed
    assert positions == sorted(set(positions)), positions
    ledger.views.catch_up()
    assert ledger.views.position() == ledger.views.head()
    after_crashes = dump(ledger)
    assert len(after_crashes["cheque_index"]) == 120
    assert sum(1 for row in after_crashes["journal"]) == len(set((r[0], r[1]) for r in after_crashes["journal"]))
    ledger.views.rebuild()
    assert dump(ledger) == after_crashes
    assert ledger.reconciliation(s.ADMIN, "DEPT26").redeemed_cents == len(redeemed) * 1000
