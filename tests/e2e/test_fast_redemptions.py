"""``POST /v1/redemptions`` answers alike on its short path and through litestar, for every outcome."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from api.app import create_app
from ledger import types as t
from ledger.access import hash_key
from tests import scenario as s
from tests.e2e.conftest import bearer

TODAY = "2026-03-16"
IGNORED_HEADERS = {"date", "server"}


def body(serial: str, code: str, day: str = TODAY, **extra) -> dict:
    return {
        "serial": serial,
        "code": code,
        "session": {"date": day, "kind": "individual", "duration_minutes": 60},
        **extra,
    }


@pytest.fixture
def two_paths(ledger_world):
    ledger, w, keys = ledger_world
    with (
        TestClient(app=create_app(ledger, background_projections=False, fast_redemptions=False)) as slow,
        TestClient(app=create_app(ledger, background_projections=False)) as fast,
    ):
        yield ledger, w, keys, slow, fast


def answer(response, serial: str) -> tuple:
    """Status, headers and body, with the cheque's own serial blanked (each path redeems its own cheque)."""
    headers = {k: v for k, v in response.headers.items() if k not in IGNORED_HEADERS}
    headers.pop("content-length", None)  # lengths differ with the serial; the body is compared instead
    return response.status_code, headers, response.text.replace(serial, "<serial>")


# Each case: (name, does the short path answer it itself, request for a cheque (serial, code) and keys)
CASES: list[tuple[str, bool, Callable]] = [
    ("redeemed", True, lambda c, k: dict(json=body(c.serial, c.code), headers=bearer(k.structure))),
    ("wrong code", True, lambda c, k: dict(json=body(c.serial, "WRONG1"), headers=bearer(k.structure))),
    ("unknown serial", True, lambda c, k: dict(json=body("0000-0000-0", "X"), headers=bearer(k.structure))),
    (
        "session in the future",
        False,
        lambda c, k: dict(json=body(c.serial, c.code, "2026-03-17"), headers=bearer(k.structure)),
    ),
    ("a prescriber's key", True, lambda c, k: dict(json=body(c.serial, c.code), headers=bearer(k.prescriber))),
    ("no key", False, lambda c, k: dict(json=body(c.serial, c.code))),
    ("unknown key", False, lambda c, k: dict(json=body(c.serial, c.code), headers=bearer("cl_nope"))),
    ("missing field", False, lambda c, k: dict(json={"serial": c.serial, "code": c.code}, headers=bearer(k.structure))),
    ("unknown field", False, lambda c, k: dict(json=body(c.serial, c.code, extra=1), headers=bearer(k.structure))),
    (
        "not JSON",
        False,
        lambda c, k: dict(content=b"{serial", headers={**bearer(k.structure), "Content-Type": "application/json"}),
    ),
    (
        "text/plain",
        False,
        lambda c, k: dict(
            content=json.dumps(body(c.serial, c.code)), headers={**bearer(k.structure), "Content-Type": "text/plain"}
        ),
    ),
    (
        "bad idempotency key",
        False,
        lambda c, k: dict(json=body(c.serial, c.code), headers={**bearer(k.structure), "Idempotency-Key": "a b"}),
    ),
    (
        "query string",
        False,
        lambda c, k: dict(json=body(c.serial, c.code), params={"x": "1"}, headers=bearer(k.structure)),
    ),
    (
        "too large",
        False,
        lambda c, k: dict(
            content=b" " * (3 * 1024 * 1024), headers={**bearer(k.structure), "Content-Type": "application/json"}
        ),
    ),
]


@pytest.mark.parametrize("name,short,make", CASES, ids=[c[0] for c in CASES])
def test_both_paths_answer_alike(two_paths, name, short, make):
    ledger, w, keys, slow, fast = two_paths
    cheques = s.book(ledger, w, count=2).cheques
    taken = fast.app.fast.answered
    answers = []
    for client, cheque in ((slow, cheques[0]), (fast, cheques[1])):
        answers.append(answer(client.post("/v1/redemptions", **make(cheque, keys)), cheque.serial))
    assert answers[0] == answers[1], name
    assert fast.app.fast.answered - taken == (1 if short else 0), "the short path answered only what it should"
    assert slow.app.fast is None


def test_locked_and_already_redeemed_alike(two_paths):
    ledger, w, keys, slow, fast = two_paths
    cheques = s.book(ledger, w, count=4).cheques
    answers = {"locked": [], "again": []}
    for client, locked, redeemed in ((slow, cheques[0], cheques[1]), (fast, cheques[2], cheques[3])):
        for _ in range(5):
            client.post("/v1/redemptions", json=body(locked.serial, "WRONG1"), headers=bearer(keys.structure))
        r = client.post("/v1/redemptions", json=body(locked.serial, locked.code), headers=bearer(keys.structure))
        answers["locked"].append(answer(r, locked.serial))
        client.post("/v1/redemptions", json=body(redeemed.serial, redeemed.code), headers=bearer(keys.structure))
        r = client.post("/v1/redemptions", json=body(redeemed.serial, redeemed.code), headers=bearer(keys.structure))
        answers["again"].append(answer(r, redeemed.serial))
    assert answers["locked"][0] == answers["locked"][1] and answers["locked"][0][0] == 423
    assert answers["again"][0] == answers["again"][1] and answers["again"][0][0] == 409


def test_idempotent_repeat_and_reuse_alike(two_paths):
    ledger, w, keys, slow, fast = two_paths
    cheques = s.book(ledger, w, count=3).cheques
    answers = []
    for client, cheque, other, key in (
        (slow, cheques[0], cheques[2], "k-slow"),
        (fast, cheques[1], cheques[2], "k-fast"),
    ):
        headers = {**bearer(keys.structure), "Idempotency-Key": key}
        first = client.post("/v1/redemptions", json=body(cheque.serial, cheque.code), headers=headers)
        again = client.post("/v1/redemptions", json=body(cheque.serial, cheque.code), headers=headers)
        reuse = client.post("/v1/redemptions", json=body(other.serial, other.code), headers=headers)
        assert first.json() == again.json() and first.status_code == again.status_code == 201
        answers.append([answer(r, cheque.serial) for r in (first, again, reuse)])
    assert answers[0] == answers[1]
    assert answers[0][2][0] == 422
    assert ledger.get_cheque(s.ADMIN, cheques[2].serial).status == "issued"  # the reused key redeemed nothing


def redeemed_count(client) -> float:
    """``cheque_ledger_requests_total`` for 201 answers to POST /v1/redemptions (the registry is per process)."""
    for line in client.get("/metrics").text.splitlines():
        if (
            line.startswith("cheque_ledger_requests_total{")
            and 'path="/v1/redemptions"' in line
            and 'status_code="201"' in line
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_the_short_path_logs_and_counts_like_litestar(two_paths, caplog):
    ledger, w, keys, _, fast = two_paths
    cheque = s.book(ledger, w, count=1).cheques[0]
    before = redeemed_count(fast)
    with caplog.at_level(logging.INFO, logger="cheque_ledger.access"):
        r = fast.post("/v1/redemptions", json=body(cheque.serial, cheque.code), headers=bearer(keys.structure))
    assert r.status_code == 201 and fast.app.fast.answered == 1
    lines = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == "cheque_ledger.access"]
    assert lines[-1] | {"duration_ms": 0} == {
        "method": "POST",
        "path": "/v1/redemptions",
        "status": 201,
        "duration_ms": 0,
        "role": "structure",
        "org": str(w.structure.id),
    }
    assert cheque.code not in caplog.text and cheque.serial not in caplog.text
    assert redeemed_count(fast) == before + 1


def test_a_revoked_key_is_refused_on_the_short_path_at_once(two_paths):
    ledger, w, keys, _, fast = two_paths
    cheques = s.book(ledger, w, count=2).cheques
    key = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="structure", org=str(w.structure.id)))
    assert (
        fast.post("/v1/redemptions", json=body(cheques[0].serial, cheques[0].code), headers=bearer(key.key)).status_code
        == 201
    )
    ledger.revoke_api_key(s.ADMIN, str(key.id))
    r = fast.post("/v1/redemptions", json=body(cheques[1].serial, cheques[1].code), headers=bearer(key.key))
    assert r.status_code == 401
    assert ledger.get_cheque(s.ADMIN, cheques[1].serial).status == "issued"


def test_a_key_revoked_by_another_process_is_refused_by_the_writer_before_deciding(make_ledger):
    serving, other = make_ledger(), make_ledger()  # two processes on one database
    w = s.world(other)
    cheques = s.book(other, w, count=2).cheques
    key = other.create_api_key(s.ADMIN, t.NewApiKey(role="structure", org=str(w.structure.id)))
    with TestClient(app=create_app(serving, background_projections=False)) as fast:
        assert (
            fast.post(
                "/v1/redemptions", json=body(cheques[0].serial, cheques[0].code), headers=bearer(key.key)
            ).status_code
            == 201
        )
        assert serving.key_cache.peek(hash_key(serving.secret, key.key)) is not None
        other.revoke_api_key(s.ADMIN, str(key.id))  # the serving process still has the key in its cache
        r = fast.post("/v1/redemptions", json=body(cheques[1].serial, cheques[1].code), headers=bearer(key.key))
        assert r.status_code == 401 and r.json()["type"] == "/problems/unauthenticated"
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert fast.app.fast.answered == 1, "the refusal was litestar's"
    assert other.get_cheque(s.ADMIN, cheques[1].serial).status == "issued"
