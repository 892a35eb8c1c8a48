"""The ledger when the database goes away: errors told apart, connections replaced, nothing acknowledged lost."""

from __future__ import annotations

import sqlite3
import threading

import psycopg
import psycopg_pool
import pytest
from eventsourcing import persistence

from domain import errors
from ledger.application import SNAPSHOT_INTERVAL
from ledger.config import DatabaseConfig
from ledger.connections import connection_lost, database_unavailable, service_unavailable
from tests import scenario as s
from tests.conftest import PG_URL
from tests.integration.test_group_commit import run_concurrently

postgres_only = pytest.mark.postgres_only  # terminating server connections is PostgreSQL's


def wrapped(cause: BaseException, wrapper: type[Exception] = persistence.OperationalError) -> Exception:
    try:
        raise wrapper(str(cause)) from cause
    except Exception as e:  # noqa: BLE001
        return e


@pytest.mark.parametrize(
    "exc,unavailable",
    [
        (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
        (psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"), True),
        (psycopg.InterfaceError("the connection is closed"), True),
        (psycopg_pool.PoolTimeout("couldn't get a connection after 30.00 sec"), True),
        (wrapped(psycopg.OperationalError("connection refused")), True),
        (wrapped(psycopg.InterfaceError("x"), persistence.InterfaceError), True),
        (persistence.ConnectionUnavailableError("Timed out waiting for return of writer"), True),  # SQLite's pool
        (sqlite3.OperationalError("database is locked"), True),
        (wrapped(sqlite3.OperationalError("database is locked")), True),
        (wrapped(sqlite3.OperationalError("no such table: journal")), False),  # a fault of ours: stays a 500
        (sqlite3.OperationalError('near "SELEC": syntax error'), False),
        (psycopg.errors.UndefinedTable("relation does not exist"), False),
        (wrapped(psycopg.errors.UniqueViolation("duplicate"), persistence.IntegrityError), False),
        (KeyError("x"), False),
        (wrapped(ValueError("bad")), False),  # eventsourcing's wrapper judged by what it wraps
    ],
    ids=repr,
)
def test_which_errors_say_the_database_is_unavailable(exc, unavailable):
    assert database_unavailable(exc) is unavailable
    refusal = service_unavailable(exc)
    if unavailable:
        assert isinstance(refusal, errors.ServiceUnavailable)
        assert (refusal.status, refusal.slug) == (503, "service-unavailable")
        assert str(exc) not in refusal.detail and "réessayez" in refusal.detail
    else:
        assert refusal is None


def test_only_a_lost_connection_makes_a_read_run_again():
    assert connection_lost(psycopg.errors.AdminShutdown("bye"))
    assert connection_lost(wrapped(psycopg.OperationalError("server closed the connection unexpectedly")))
    assert not connection_lost(psycopg.errors.QueryCanceled("statement timeout"))  # the connection is fine
    assert not connection_lost(psycopg_pool.PoolTimeout("no connection"))  # waiting again would double the wait
    assert not connection_lost(sqlite3.OperationalError("database is locked"))


def test_a_failed_batch_answers_each_caller_503_and_the_writer_goes_on(make_ledger, monkeypatch):
    ledger = make_ledger(group_commit=True)
    w = s.world(ledger)
    cheques = s.book(ledger, w, count=8).cheques
    today = ledger.today()
    real_save = ledger.app.save
    failing = threading.Event()
    failing.set()

    def save(*objs, **kwargs):
        if failing.is_set():
            raise wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command"))
        return real_save(*objs, **kwargs)

    monkeypatch.setattr(ledger.app, "save", save)
    results = run_concurrently(
        [lambda c=c: ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, today)) for c in cheques[:6]]
    )
    assert all(isinstance(r, errors.ServiceUnavailable) for r in results), results
    assert all("administrator" not in r.detail for r in results)
    failing.clear()
    for c in cheques:  # the writer lives on: the same redemptions, then the others, go through
        assert ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, today)).serial == c.serial
    rec = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert rec.balanced and rec.redeemed_cents == 8 * 1000


def test_a_snapshot_that_cannot_be_written_does_not_fail_the_save(ledger, monkeypatch):
    """The events are committed before the snapshot is written: a snapshot refused does not fail the save."""
    w = s.world(ledger)
    attempts = []

    def refuse(*_args, **_kwargs):
        attempts.append(1)
        raise wrapped(psycopg.OperationalError("server closed the connection unexpectedly"))

    monkeypatch.setattr(ledger.app.snapshots.recorder, "insert_events", refuse)
    # a book is an event of the commitment: the 50th version of it is due for a snapshot
    books = [s.book(ledger, w, count=1) for _ in range(SNAPSHOT_INTERVAL)]
    assert attempts, "a snapshot was due"
    assert len({b.cheques[0].serial for b in books}) == SNAPSHOT_INTERVAL
    assert ledger.reconciliation(s.ADMIN, "DEPT26").reserved_cents == SNAPSHOT_INTERVAL * 1000


def terminate_the_ledgers_connections() -> int:
    """Terminates them and waits until they are gone (without a timeout, ``pg_terminate_backend`` returns at
    once: a connection still being terminated would pass the check, and its query meet the termination; that
    race is the storm test's, answered 503 there)."""
    with psycopg.connect(DatabaseConfig.from_url(PG_URL).conninfo(), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]


@postgres_only
def test_after_its_connections_are_terminated_every_path_gets_a_live_one(ledger):
    w = s.world(ledger)
    cheques = s.book(ledger, w, count=3).cheques
    today = ledger.today()
    ledger.redeem(w.structure_actor, s.redemption(cheques[0].serial, cheques[0].code, today))
    ledger.reconciliation(s.ADMIN, "DEPT26")  # both pools hold connections now

    def in_a_transaction():
        with ledger.db.read() as cur:
            return cur.execute("SELECT 1").fetchone()

    checks = [
        lambda: ledger.db.query_one("SELECT 1"),  # the ledger's tables, outside a transaction
        in_a_transaction,
        lambda: ledger.app.recorder.max_notification_id(),
        lambda: ledger.app.recorder.select_rows(1, 10),
        lambda: ledger.loader.load([w.commitment.id]),
        lambda: ledger.redeem(w.structure_actor, s.redemption(cheques[1].serial, cheques[1].code, today)),
        lambda: ledger.reconciliation(s.ADMIN, "DEPT26"),
    ]
    for check in checks:
        assert terminate_the_ledgers_connections() > 0
        check()  # no error: the dead connections were replaced at checkout
    rec = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert rec.balanced and rec.redeemed_cents == 2 * 1000


@postgres_only
def test_a_commit_whose_answer_was_lost_is_recognised_on_retry(ledger, monkeypatch):
    """The connection dies after the server committed: the retry meets our own events (a version conflict);
    they are ours byte for byte, so the redemption succeeded, and is not refused as already redeemed."""
    from ledger import pg_store

    w = s.world(ledger)
    cheque = s.book(ledger, w, count=1).cheques[0]
    real_insert = pg_store.LIBRARY_INSERT
    calls = []

    def commit_then_lose_the_answer(recorder, stored_events, **kwargs):
        calls.append(len(stored_events))
        ids = real_insert(recorder, stored_events, **kwargs)
        if len(calls) == 1:
            raise wrapped(psycopg.OperationalError("server closed the connection unexpectedly"))
        return ids

    monkeypatch.setattr(pg_store, "INSERT_RETRY_SECONDS", 0)
    monkeypatch.setattr(pg_store, "LIBRARY_INSERT", commit_then_lose_the_answer)
    out = ledger.redeem(w.structure_actor, s.redemption(cheque.serial, cheque.code, ledger.today()))
    assert out.serial == cheque.serial and len(calls) == 2
    monkeypatch.undo()
    assert ledger.get_cheque(s.ADMIN, cheque.serial).status == "redeemed"
    rec = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert rec.balanced and rec.redeemed_cents == 1000


@postgres_only
def test_after_a_lost_connection_a_real_conflict_stays_a_conflict(make_ledger, monkeypatch):
    """The first attempt fails without committing, and another process redeems the cheque meanwhile: the
    retry's version conflict is with events that are not ours, so the redemption is refused."""
    from ledger import pg_store

    ledger, other = make_ledger(), make_ledger()
    w = s.world(ledger)
    cheque = s.book(ledger, w, count=1).cheques[0]
    today = ledger.today()
    other.get_cheque(s.ADMIN, cheque.serial)  # the other process has its pools open
    real_insert = pg_store.LIBRARY_INSERT
    attempts = []

    def lose_the_connection_while_another_redeems(recorder, stored_events, **kwargs):
        if recorder is ledger.app.recorder:
            attempts.append(len(stored_events))
            if len(attempts) == 1:
                other.redeem(w.structure_actor, s.redemption(cheque.serial, cheque.code, today))
                raise wrapped(psycopg.OperationalError("server closed the connection unexpectedly"))
        return real_insert(recorder, stored_events, **kwargs)

    monkeypatch.setattr(pg_store, "INSERT_RETRY_SECONDS", 0)
    monkeypatch.setattr(pg_store, "LIBRARY_INSERT", lose_the_connection_while_another_redeems)
    with pytest.raises(errors.ChequeAlreadyRedeemed):
        ledger.redeem(w.structure_actor, s.redemption(cheque.serial, cheque.code, today))
    assert len(attempts) == 2
    monkeypatch.undo()
    rec = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert rec.balanced and rec.redeemed_cents == 1000
