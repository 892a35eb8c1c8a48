"""A process starting (a server's second worker, a CLI command) while another is writing its projections: both go
on. Creating the schema used to run every ``CREATE INDEX IF NOT EXISTS`` in one transaction: its lock on the
journal, kept while it waited for the cheques table that a projection batch was writing, blocked that batch's
journal writes. PostgreSQL broke the deadlock by killing the starting worker, and granian then stopped the
whole server (seen once in ``python -m bench``)."""

from __future__ import annotations

import threading
import time

from tests import scenario as s


def waiting_on_a_lock(ledger) -> bool:
    with ledger.db.read() as cur:
        return bool(cur.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").fetchone()[0])


def test_a_process_starts_while_another_writes_its_projections(make_ledger):
    running = make_ledger()
    w = s.world(running)
    s.book(running, w, count=2)
    running.views.catch_up()
    started, failures = [], []

    def start_another() -> None:
        try:
            started.append(make_ledger())
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            failures.append(e)

    with running.db.transaction() as cur:  # a projection batch: the cheques' rows first, then the journal's
        cur.execute("UPDATE cheque_index SET status = status WHERE cheque_id = ''")
        starting = threading.Thread(target=start_another)
        starting.start()
        deadline = time.monotonic() + 10
        if running.db.postgres:  # until the starting process waits for the cheques table
            while not waiting_on_a_lock(running) and time.monotonic() < deadline:
                time.sleep(0.02)
        else:
            time.sleep(0.3)
        cur.execute("UPDATE journal SET amount_cents = amount_cents WHERE position = -1")
    starting.join(timeout=60)
    assert failures == [] and len(started) == 1
    assert started[0].views.positions() == running.views.positions()
