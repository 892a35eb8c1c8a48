"""The server's background catch-up: it keeps the views warm, lets the requests' threads in while it works,
and costs one statement a tick when nothing is new."""

from __future__ import annotations

import threading
import time

from projections import runner
from projections.runner import ProjectionSet
from tests import scenario as s


def wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_the_background_catch_up_follows_new_events_and_naps_every_few_of_them(make_ledger, monkeypatch):
    ledger = make_ledger()
    w = s.world(ledger, amount_cents=500_000)
    ledger.views.catch_up()
    naps = {"background": 0, "other": 0}
    real_sleep = time.sleep

    def sleep(seconds):
        if seconds == ProjectionSet.NAP_SECONDS:
            naps["background" if threading.current_thread().name == "projections" else "other"] += 1
        real_sleep(seconds)

    monkeypatch.setattr(runner.time, "sleep", sleep)
    # 200 cheques redeemed (issuing reads the views, redeeming does not): events for the background alone
    cheques = [c for _ in range(20) for c in s.book(ledger, w, count=10).cheques]
    for c in cheques:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, ledger.today()))
    before, head = ledger.views.position(), ledger.views.head()
    ledger.views.start(interval=0.01)
    try:
        assert wait_until(lambda: ledger.views.position() >= head)
    finally:
        ledger.views.stop()
    events = head - before
    assert events >= 4 * ProjectionSet.YIELD_EVERY
    assert events // ProjectionSet.YIELD_EVERY - 3 <= naps["background"] <= events // ProjectionSet.YIELD_EVERY
    # a catch-up made for a read does not nap
    c = s.book(ledger, w, count=20).cheques[0]
    ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, ledger.today()))
    ledger.views.catch_up()
    assert naps["other"] == 0


def test_an_idle_tick_does_not_catch_up_but_a_reset_by_another_process_is_replayed(make_ledger, monkeypatch):
    ledger = make_ledger()
    w = s.world(ledger)
    s.book(ledger, w, count=5)
    ledger.views.catch_up()
    calls = []
    real_catch_up = ProjectionSet.catch_up
    monkeypatch.setattr(
        ProjectionSet, "catch_up", lambda self, *a, **k: calls.append(1) or real_catch_up(self, *a, **k)
    )
    ledger.views.start(interval=0.01)
    try:
        time.sleep(0.5)  # 50 ticks, nothing new: the first tick catches up, the others only read the head
        assert len(calls) == 1
        other = make_ledger()  # another process resets a projection as a rebuild does: rows gone, position 0
        with other.db.transaction() as cur:
            for table in other.views.projections["ledger_views"].tables():
                cur.execute(f"DELETE FROM {table}")
            cur.execute("UPDATE projection_tracking SET position = 0 WHERE name = ?", ("ledger_views",))
        assert wait_until(lambda: ledger.views.position() == ledger.views.head(), seconds=5)
    finally:
        ledger.views.stop()
    with ledger.db.read() as cur:
        assert cur.execute("SELECT COUNT(*) FROM cheque_index").fetchone()[0] == 5
