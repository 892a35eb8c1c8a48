"""The ledger when the database goes away: errors told apart, connections replaced, nothing acknowledged lost."""

from __future__ import annotations

import sqlite3
import threading

import psycopg
import psycopg_pool
import pytest
from eventsourcing import persistence

from domain import errors
from ledger.connections import database_unavailable, service_unavailable
from tests import scenario as s
from tests.integration.test_group_commit import run_concurrently


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
        (persistence.OperationalError("no connection available"), True),
        (sqlite3.OperationalError("database is locked"), True),
        (wrapped(sqlite3.OperationalError("database is locked")), True),
        (wrapped(sqlite3.OperationalError("no such table: journal")), False),  # a fault of ours: stays a 500
        (sqlite3.OperationalError('near "SELEC": syntax error'), False),
        (psycopg.errors.UndefinedTable("relation does not exist"), False),
        (wrapped(psycopg.errors.UniqueViolation("duplicate"), persistence.IntegrityError), False),
        (KeyError("x"), False),
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
