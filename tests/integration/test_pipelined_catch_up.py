"""A catch-up more than a batch behind is pipelined (a writer thread writes batch k while batch k+1 is
applied): it must give the very tables a batch-by-batch catch-up gives, see in a batch what earlier batches
wrote, and leave only whole batches when it fails or another process moves in between."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from api.demo import load_demo
from ledger import types as t
from ledger.connections import database_unavailable as is_outage
from projections import pipeline, runner
from projections.ledger_views import LedgerViews
from projections.lending_views import LendingViews
from projections.runner import ProjectionSet
from tests.integration.outages import losing_connections
from tests.scenario import ADMIN

BATCH = 37  # the demo's ~1 300 events make 35 batches


def dump(ledger) -> dict[str, list[tuple]]:
    """Every projection table's rows, sorted (the order rows were written in is not part of the state)."""
    tables = [table for projection in ledger.views.projections.values() for table in projection.tables()]
    with ledger.db.read() as cur:
        return {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


@pytest.fixture
def demo(make_ledger, clock):
    clock.today = date(2026, 11, 28)
    ledger = make_ledger()
    load_demo(ledger)
    ledger.views.catch_up()
    ledger.views.pipelined = True  # PostgreSQL's default; SQLite's too here, so both backends test the pipeline
    return ledger


@pytest.fixture
def writers(monkeypatch) -> list[str]:
    """The kind of transactions each catch-up of the test used ('Inline' or 'Pipelined')."""
    used: list[str] = []
    for cls in (pipeline.Inline, pipeline.Pipelined):
        real = cls.__init__

        def spy(self, *args, _real=real, _name=cls.__name__, **kwargs):
            used.append(_name)
            _real(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", spy)
    return used


def test_a_pipelined_rebuild_gives_the_tables_of_the_incremental_catch_up(demo, writers):
    before = dump(demo)
    assert any(row[6] == "deposit_returned" for row in before["loan_journal"]), "the demo returns a loan"
    demo.views.batch_size = BATCH
    demo.views.rebuild()
    assert writers == ["Inline", "Pipelined"], "the first batch in the calling thread, the rest pipelined"
    assert dump(demo) == before
    assert demo.views.position() == demo.views.head()


def test_a_rebuild_gives_the_tables_of_a_catch_up_event_by_event_calling_every_projection(demo, monkeypatch):
    """A rebuild reads batches ``REBUILD_BATCHES`` times the live catch-up's and calls a projection only for the
    topics it ``handles``: the very rows that applying the events one by one, every projection called for every
    event, gives."""
    with monkeypatch.context() as patched:
        patched.setattr(ProjectionSet, "REBUILD_BATCHES", 1)
        patched.setattr(runner, "_handles", lambda projection, topic: True)
        demo.views.batch_size = 1
        demo.views.rebuild()
        one_by_one = dump(demo)
    assert demo.views.position() == demo.views.head()
    for batch_size in (1000, BATCH):  # one batch of 5 000 in the calling thread; batches of 185, pipelined
        demo.views.batch_size = batch_size
        demo.views.rebuild()
        assert dump(demo) == one_by_one
        assert demo.views.position() == demo.views.head()


def test_a_rebuild_that_vacuums_as_it_goes_gives_the_same_tables(demo, monkeypatch):
    """PostgreSQL vacuums the rebuilt tables every twentieth of the replay (here every batch or two), beside
    the pipeline's writer; SQLite does not need it."""
    before = dump(demo)
    monkeypatch.setattr(runner, "VACUUM_EVENTS", 1)
    monkeypatch.setattr(ProjectionSet, "REBUILD_BATCHES", 1)  # batches of 37 events, as the live catch-up's
    vacuumed: list[list[str]] = []
    real = demo.db.vacuum
    monkeypatch.setattr(demo.db, "vacuum", lambda tables: (vacuumed.append(list(tables)), real(tables)))
    demo.views.batch_size = BATCH
    demo.views.rebuild("ledger_views")
    assert dump(demo) == before
    if demo.db.postgres:
        assert len(vacuumed) >= 15 and vacuumed[0] == demo.views.projections["ledger_views"].tables()
    else:
        assert vacuumed == []


def test_a_catch_up_within_one_batch_stays_in_the_calling_thread(demo, writers):
    position = demo.views.head()
    demo.views.batch_size = position + 1
    demo.views.rebuild()
    demo.views.batch_size = BATCH
    demo.views.rebuild()
    assert writers == ["Inline", "Inline", "Pipelined"]


def test_a_handler_reads_what_the_batch_in_flight_wrote(demo, writers):
    """Lending reads a loan's deposit when it ends: with one event a batch, the loan's row was written by an
    earlier transaction of the pipeline, perhaps not yet committed when the return is applied."""
    before = dump(demo)
    demo.views.batch_size = 1
    demo.views.rebuild("lending_views")
    assert writers == ["Inline", "Pipelined"]
    assert dump(demo)["loan_journal"] == before["loan_journal"]


def test_a_failing_handler_is_set_aside_at_its_event_and_the_others_complete(demo, monkeypatch):
    before = dump(demo)
    demo.views.batch_size = BATCH
    head = demo.views.head()
    # an event of the projection's about half-way (it is called only for the events it handles)
    fail_at = next(
        n.id
        for n in demo.app.recorder.select_notifications(start=head // 2, limit=head)
        if LendingViews().handles(n.topic)
    )
    real = LendingViews.apply

    def failing(self, cur, event, notification):
        if notification.id == fail_at:
            raise RuntimeError("handler fault")
        real(self, cur, event, notification)

    monkeypatch.setattr(LendingViews, "apply", failing)
    demo.views.rebuild()
    positions = demo.views.positions()
    batch = BATCH * ProjectionSet.REBUILD_BATCHES  # a rebuild's batches
    assert fail_at - batch <= positions["lending_views"] < fail_at, positions
    assert all(p == head for name, p in positions.items() if name != "lending_views"), positions
    failure = demo.views.failures()["lending_views"]
    assert (failure.position, failure.error) == (fail_at, "RuntimeError")
    assert_whole_batches(demo, positions)
    monkeypatch.undo()
    demo.views.rebuild("lending_views")
    assert dump(demo) == before and demo.views.failures() == {}


def test_a_database_failure_in_the_writer_is_raised_to_the_caller_and_sets_nothing_aside(demo, monkeypatch):
    before = dump(demo)
    demo.views.batch_size = BATCH
    flushes = [0]
    real = LedgerViews.flush
    lose = losing_connections(monkeypatch)

    def flush(self, cur):
        flushes[0] += 1
        real(self, cur)
        if flushes[0] == 5:
            cur.execute(lose)  # run by the writer thread, on its connection

    monkeypatch.setattr(LedgerViews, "flush", flush)
    with pytest.raises(Exception) as raised:
        demo.views.rebuild()
    assert is_outage(raised.value), raised.value
    assert demo.views.failures() == {}
    positions = demo.views.positions()
    assert 0 < positions["ledger_views"] < demo.views.head()
    assert_whole_batches(demo, positions)
    monkeypatch.undo()
    demo.views.catch_up()
    assert dump(demo) == before


def test_another_process_moving_in_between_makes_the_catch_up_start_again(demo, make_ledger, monkeypatch):
    before = dump(demo)
    other = make_ledger()  # another process on the same database
    demo.views.batch_size = BATCH
    attempts = []
    real = ProjectionSet._catch_up

    def counted(self, target, *args):
        attempts.append(target)
        return real(self, target, *args)

    monkeypatch.setattr(ProjectionSet, "_catch_up", counted)
    calls = [0]

    def progress(position, target, events):
        calls[0] += 1
        if calls[0] == 3:  # while this catch-up's writer may still be writing: the other advances every projection
            other.views.catch_up(until=position + 5 * BATCH)

    demo.views.rebuild(progress=progress)
    assert len([a for a in attempts if a == demo.views.head()]) >= 2, "the first pass stopped and started again"
    assert dump(demo) == before


def test_statements_run_in_order_and_a_read_waits_for_the_writes_before_it(ledger):
    db = ledger.db
    db.script(["DROP TABLE IF EXISTS pipeline_scratch", "CREATE TABLE pipeline_scratch (n INTEGER NOT NULL)"])
    names = list(ledger.views.projections)
    positions = ledger.views.positions()
    batches = pipeline.Pipelined(db, names)
    try:
        cur, _ = batches.open(positions)
        for n in range(50):
            cur.execute("INSERT INTO pipeline_scratch (n) VALUES (?)", (n,))
        batches.commit(cur, {})
        cur, _ = batches.open(positions)
        assert cur.execute("SELECT COUNT(*), SUM(n) FROM pipeline_scratch").fetchone() == (50, sum(range(50)))
        assert cur.execute("UPDATE pipeline_scratch SET n = n + 1 WHERE n < 10").rowcount == 10
        assert cur.execute("SELECT n FROM pipeline_scratch WHERE n < 3 ORDER BY n").fetchall() == [(1,), (2,)]
        batches.commit(cur, {})
    finally:
        batches.close(None)
    with db.read() as cur:
        assert cur.execute("SELECT SUM(n) FROM pipeline_scratch").fetchone()[0] == sum(range(50)) + 10
    db.script(["DROP TABLE pipeline_scratch"])


def test_positions_moved_between_transactions_are_refused(ledger):
    names = list(ledger.views.projections)
    positions = ledger.views.positions()
    batches = pipeline.Pipelined(ledger.db, names)
    error = None
    try:
        cur, _ = batches.open(positions)
        assert cur.execute("SELECT 1").fetchone() == (1,)  # the writer has begun the transaction and checked it
        batches.commit(cur, {})
        batches.wait_previous()
        with ledger.db.transaction() as other:
            other.execute("UPDATE projection_tracking SET position = position + 1 WHERE name = ?", (names[0],))
        cur, _ = batches.open(positions)
        with pytest.raises(pipeline.PositionsMoved):
            cur.execute("SELECT 1").fetchone()
    except BaseException as failure:
        error = failure
        raise
    finally:
        batches.close(error)


def assert_whole_batches(ledger, positions: dict[str, int]) -> None:
    """No projection holds a row of an event past its stored position."""
    with ledger.db.read() as cur:
        journal = cur.execute("SELECT COALESCE(MAX(position), 0) FROM journal").fetchone()[0]
        loans = cur.execute("SELECT COALESCE(MAX(position), 0) FROM loan_journal").fetchone()[0]
    assert journal <= positions["ledger_views"]
    assert loans <= positions["lending_views"]


def test_pipelined_catch_ups_give_back_their_writer_connections(demo):
    demo.views.batch_size = BATCH
    db = demo.db

    def connections() -> int:
        if db.postgres:
            stats = db._pool.get_stats()
            return stats["pool_size"] - stats["pool_available"]  # connections lent out
        return len(db._all)  # SQLite: one per thread that used the database

    before = connections()
    for _ in range(3):
        demo.views.rebuild("places")
    assert connections() == before


def test_a_read_waiting_behind_a_long_catch_up_gives_up_at_its_deadline(demo):
    """A reader's wait for the views is bounded even when this process's projections are busy."""
    busy, release = threading.Event(), threading.Event()

    def long_catch_up() -> None:
        with demo.views._mutex:  # what a catch-up of a big backlog holds for its whole run
            busy.set()
            release.wait(10)

    holder = threading.Thread(target=long_catch_up)
    holder.start()
    busy.wait(5)
    # a new event (payments never wait for the views themselves)
    demo.receive_payment(ADMIN, "DEPT26", t.NewPayment(amount_cents=100, received_on=demo.today(), reference="late"))
    started = time.monotonic()
    assert demo.views.wait_for(demo.views.head(), timeout=0.3) is False
    waited = time.monotonic() - started
    release.set()
    holder.join()
    assert 0.25 < waited < 2.0, waited
    assert demo.views.wait_for(demo.views.head(), timeout=5) is True
