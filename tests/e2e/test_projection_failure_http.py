"""A failed projection over HTTP: its reads answer 503 ``projection-failed`` with Retry-After, the others 200;
``/healthz`` answers 503 naming it and ``/metrics`` shows it, until it is rebuilt."""

from __future__ import annotations

import re
import sqlite3

from tests.e2e.conftest import bearer
from tests.e2e.test_http_flow import problem
from tests.integration.test_poison_event import TOO_BIG, poison_pix, remove_the_cause


def gauge(metrics: str, name: str, projection: str) -> float | None:
    found = re.search(rf'^{name}\{{projection="{projection}"\}} (\S+)$', metrics, re.MULTILINE)
    return float(found.group(1)) if found else None


def test_a_failed_projection_is_refused_reported_and_rebuilt(client, ledger_world):
    ledger, w, k = ledger_world
    pix = f"/v1/beneficiaries/{w.beneficiary.id}/pix-assessments"
    assert client.get("/healthz").json() == {"status": "ok", "position": ledger.views.head()}
    poisoned = poison_pix(ledger, w.beneficiary.id)

    refused = client.get(pix, headers=bearer(k.prescriber))
    body = problem(refused, 503, "projection-failed")
    assert body["title"] == "Une vue est en panne" and refused.headers["retry-after"]
    assert str(TOO_BIG) not in refused.text and "lending_views" not in refused.text
    problem(client.get("/v1/indicators", headers=bearer(k.observatory)), 503, "projection-failed")
    assert client.get("/v1/funders/DEPT26/reconciliation", headers=bearer(k.funder)).status_code == 200

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"status": "degraded", "failing": ["lending_views"], "position": ledger.views.head()}
    metrics = client.get("/metrics").text
    assert gauge(metrics, "cheque_ledger_projection_failed", "lending_views") == 1.0
    assert gauge(metrics, "cheque_ledger_projection_failed", "ledger_views") == 0.0
    assert gauge(metrics, "cheque_ledger_projection_position", "ledger_views") == ledger.views.head()
    assert gauge(metrics, "cheque_ledger_projection_position", "lending_views") < poisoned

    remove_the_cause(ledger, poisoned)
    ledger.views.rebuild("lending_views")
    assert client.get(pix, headers=bearer(k.prescriber)).json()["items"][0]["score"] == 512
    assert client.get("/healthz").status_code == 200
    metrics = client.get("/metrics").text
    assert gauge(metrics, "cheque_ledger_projection_failed", "lending_views") == 0.0
    assert gauge(metrics, "cheque_ledger_projection_position", "lending_views") == ledger.views.head()


def test_the_schema_documents_both_answers_of_healthz(client):
    schema = client.get("/schema/openapi.json").json()
    responses = schema["paths"]["/healthz"]["get"]["responses"]
    assert set(responses) == {"200", "503"}
    degraded = responses["503"]["content"]["application/json"]["schema"]["$ref"].rpartition("/")[2]
    assert {"status", "failing"} <= set(schema["components"]["schemas"][degraded]["required"])


def test_healthz_names_the_event_store_when_the_database_does_not_answer(client, ledger, monkeypatch):
    def unreachable():
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(ledger, "position", unreachable)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json() == {"status": "degraded", "failing": ["event_store"]}
