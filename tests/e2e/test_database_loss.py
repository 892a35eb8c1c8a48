"""The database goes away: any database error answered 503 ``service-unavailable`` with ``Retry-After`` on
every path (both backends)."""

from __future__ import annotations

import sqlite3

import httpx
import psycopg
import psycopg_pool
import pytest
from eventsourcing import persistence
from litestar.testing import TestClient

from api.app import create_app
from tests import scenario as s
from tests.e2e.conftest import bearer
from tests.e2e.web import sign_in


SECRET_LOOKING = "host=db.internal port=5432 user=ledger password=hunter2"


def wrapped(cause: BaseException) -> Exception:
    try:
        raise persistence.OperationalError(str(cause)) from cause
    except Exception as e:  # noqa: BLE001
        return e


# What the store may raise when the database is away, on either backend (the errors are made, not met: the
# same answers whatever the backend under the test).
UNAVAILABLE = {
    "connection terminated": lambda: wrapped(psycopg.errors.AdminShutdown(f"terminating connection ({SECRET_LOOKING})")),
    "connection refused": lambda: psycopg.OperationalError(f"connection failed: {SECRET_LOOKING}"),
    "pool timeout": lambda: psycopg_pool.PoolTimeout("couldn't get a connection after 30.00 sec"),
    "sqlite locked": lambda: wrapped(sqlite3.OperationalError("database is locked")),
}


def store_fails(ledger, monkeypatch, make_error) -> None:
    """Every aggregate load raises (authentication, commands and queries all load aggregates)."""

    def fail(*_args, **_kwargs):
        raise make_error()

    monkeypatch.setattr(ledger.loader, "load", fail)


def is_unavailable(response: httpx.Response) -> bool:
    return (
        response.status_code == 503
        and response.headers.get("content-type", "").startswith("application/problem+json")
        and response.json().get("type") == "/problems/service-unavailable"
        and response.headers.get("retry-after", "").isdigit()
    )


def assert_unavailable(response: httpx.Response) -> None:
    assert is_unavailable(response), (response.status_code, response.headers, response.text[:300])
    problem = response.json()
    assert problem["status"] == 503 and problem["title"] == "Service momentanément indisponible"
    assert "réessayez" in problem["detail"]
    assert "hunter2" not in response.text and "db.internal" not in response.text and "locked" not in response.text


@pytest.mark.parametrize("error", list(UNAVAILABLE))
def test_a_database_error_is_a_503_with_retry_after_on_every_path(ledger_world, monkeypatch, error):
    ledger, w, keys = ledger_world
    cheques = s.book(ledger, w, count=4).cheques
    redeem = {"serial": cheques[0].serial, "code": cheques[0].code, "session": {"date": "2026-03-16", "kind": "individual", "duration_minutes": 60}}
    with (
        TestClient(app=create_app(ledger, background_projections=False)) as fast,
        TestClient(app=create_app(ledger, background_projections=False, fast_redemptions=False)) as slow,
    ):
        assert fast.get("/v1/funders/DEPT26", headers=bearer(keys.admin)).status_code == 200  # keys cached
        assert slow.get("/v1/funders/DEPT26", headers=bearer(keys.structure)).status_code in (200, 403)
        store_fails(ledger, monkeypatch, UNAVAILABLE[error])
        # litestar's handlers: a query, and authentication of a key not cached yet
        assert_unavailable(fast.get("/v1/funders/DEPT26", headers=bearer(keys.admin)))
        assert_unavailable(fast.get(f"/v1/cheques/{cheques[0].serial}", headers=bearer(keys.other_prescriber)))
        # the short path: the group-commit writer's batch fails, and the short path answers it
        answered = fast.app.fast.answered
        assert_unavailable(fast.post("/v1/redemptions", json=redeem, headers=bearer(keys.structure)))
        assert fast.app.fast.answered == answered + 1
        # the short path with a key it cannot authenticate: litestar answers
        assert_unavailable(fast.post("/v1/redemptions", json=redeem, headers=bearer(keys.other_structure)))
        assert fast.app.fast.answered == answered + 1
        # litestar's redemption route (the group commit, awaited by the handler)
        assert_unavailable(slow.post("/v1/redemptions", json=redeem, headers={**bearer(keys.structure), "Idempotency-Key": "k-1"}))
        monkeypatch.undo()
        # the database is back: the same requests succeed
        assert fast.post("/v1/redemptions", json=redeem, headers=bearer(keys.structure)).status_code == 201
        assert fast.get("/v1/funders/DEPT26", headers=bearer(keys.admin)).status_code == 200


def test_a_fault_of_ours_is_still_a_500(ledger_world, monkeypatch):
    """SQLite's OperationalError also reports mistakes in SQL: those are not the database going away."""
    ledger, _, keys = ledger_world
    with TestClient(app=create_app(ledger, background_projections=False)) as client:
        assert client.get("/v1/funders/DEPT26", headers=bearer(keys.admin)).status_code == 200
        store_fails(ledger, monkeypatch, lambda: wrapped(sqlite3.OperationalError("no such table: events")))
        r = client.get("/v1/funders/DEPT26", headers=bearer(keys.admin))
        assert r.status_code == 500 and r.json()["type"] == "/problems/internal-error" and "events" not in r.text


def test_a_page_says_so_in_french_with_a_503(client, accounts, monkeypatch, ledger_world):
    ledger, _, _ = ledger_world
    sign_in(client, accounts.funder)
    assert client.get("/financeur").status_code == 200
    store_fails(ledger, monkeypatch, UNAVAILABLE["connection terminated"])
    page = client.get("/financeur", headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert page.headers["retry-after"].isdigit()
    assert "Service momentanément indisponible" in page.text and "réessayez" in page.text
    assert "hunter2" not in page.text and "Traceback" not in page.text
