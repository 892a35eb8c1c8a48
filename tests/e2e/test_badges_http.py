"""PIX certifications and badges over HTTP: who may call what, the answers' shape, the two downloads of a badge
(the JSON credential, checked by the DCC verifier, and the PDF), idempotent awards."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from domain.codes import reference_of
from tests.badges.dcc import dcc_verify
from tests.e2e.conftest import bearer
from tests.e2e.test_authorization_matrix import ACTORS
from tests.integration.test_badges import TEST_BADGE_KEY

ACHIEVEMENT = {
    "slug": "demarches-en-ligne",
    "name": "Démarches en ligne",
    "description": "Sait créer son compte France Connect et déclarer ses ressources à la CAF en ligne.",
    "criteria": "A réalisé seul sa déclaration trimestrielle devant son médiateur.",
}


@pytest.fixture(autouse=True)
def badge_key(monkeypatch):
    """A fixed signing key (PostgreSQL needs one set; on SQLite it would otherwise be generated)."""
    monkeypatch.setenv("LEDGER_BADGE_KEY", TEST_BADGE_KEY)


def keys_by_actor(k):
    return {
        "admin": k.admin,
        "prescriber": k.prescriber,
        "prescriber2": k.other_prescriber,
        "structure": k.structure,
        "structure2": k.other_structure,
        "funder": k.funder,
        "funder2": k.other_funder,
        "observatory": k.observatory,
    }


def test_every_badge_route_for_every_role(client, ledger_world):
    ledger, w, k = ledger_world
    keys = keys_by_actor(k)
    bid = str(w.beneficiary.id)
    assert client.post("/v1/achievements", json=ACHIEVEMENT, headers=bearer(k.admin)).status_code == 201
    awarded = client.post(
        f"/v1/beneficiaries/{bid}/badges", json={"achievement": ACHIEVEMENT["slug"]}, headers=bearer(k.structure)
    )
    assert awarded.status_code == 201, awarded.text
    badge = awarded.json()["id"]
    n = iter(range(10_000))
    writers = {"admin", "prescriber", "structure", "structure2"}
    table = [
        ("POST", f"/v1/beneficiaries/{bid}/pix-certifications", {"certified_on": "2026-03-02", "score": 300}, writers),
        ("GET", f"/v1/beneficiaries/{bid}/pix-certifications", None, writers),
        ("POST", "/v1/achievements", lambda: {**ACHIEVEMENT, "slug": f"a-{next(n)}"}, {"admin"}),
        ("GET", "/v1/achievements", None, {"admin", "prescriber", "prescriber2", "structure", "structure2"}),
        ("POST", f"/v1/beneficiaries/{bid}/badges", {"achievement": ACHIEVEMENT["slug"]}, writers),
        ("GET", f"/v1/beneficiaries/{bid}/badges", None, writers),
        ("GET", f"/v1/badges/{badge}/credential.json", None, {"admin", "prescriber", "structure"}),
        ("GET", f"/v1/badges/{badge}/badge.pdf", None, {"admin", "prescriber", "structure"}),
    ]
    mismatches = []
    for method, path, body, allowed in table:
        for who in [None, *ACTORS]:
            r = client.request(
                method, path, json=body() if callable(body) else body, headers=bearer(keys[who]) if who else {}
            )
            if who is None:
                ok = r.status_code == 401
            elif who in allowed:
                ok = r.status_code < 400
            else:
                ok = r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
            if not ok:
                mismatches.append(f"{method} {path} as {who}: {r.status_code} {r.text[:160]}")
    assert not mismatches, "\n".join(mismatches)


def test_a_badge_awarded_over_http_downloads_as_a_verified_credential_and_a_pdf(client, ledger_world, tmp_path):
    ledger, w, k = ledger_world
    bid = str(w.beneficiary.id)
    assert client.post("/v1/achievements", json=ACHIEVEMENT, headers=bearer(k.admin)).status_code == 201
    again = client.post("/v1/achievements", json=ACHIEVEMENT, headers=bearer(k.admin))
    assert again.status_code == 409 and again.json()["type"] == "/problems/already-exists"
    headers = {**bearer(k.prescriber), "Idempotency-Key": "badge-1"}
    first = client.post(f"/v1/beneficiaries/{bid}/badges", json={"achievement": ACHIEVEMENT["slug"]}, headers=headers)
    assert first.status_code == 201, first.text
    repeat = client.post(f"/v1/beneficiaries/{bid}/badges", json={"achievement": ACHIEVEMENT["slug"]}, headers=headers)
    assert repeat.json() == first.json()  # the same badge, not a second one
    badge = first.json()
    assert set(badge) == {"id", "credential"}
    listed = client.get(f"/v1/beneficiaries/{bid}/badges", headers=bearer(k.prescriber)).json()["items"]
    assert [b["id"] for b in listed] == [badge["id"]] and listed[0]["name"] == ACHIEVEMENT["name"]

    file = client.get(f"/v1/badges/{badge['id']}/credential.json", headers=bearer(k.prescriber))
    assert file.status_code == 200 and file.headers["content-type"].startswith("application/ld+json")
    assert "attachment" in file.headers["content-disposition"]
    assert json.loads(file.content) == badge["credential"]
    assert dcc_verify(json.loads(file.content))["verified"] is True

    pdf = client.get(f"/v1/badges/{badge['id']}/badge.pdf", headers=bearer(k.prescriber))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Démarches en ligne" in text and "Badge numérique" in text and "portefeuille" in text
    (tmp_path / "badge.pdf").write_bytes(pdf.content)

    unknown = client.post(f"/v1/beneficiaries/{bid}/badges", json={"achievement": "nope"}, headers=bearer(k.admin))
    assert unknown.status_code == 404 and unknown.json()["type"] == "/problems/not-found"
    bad = client.post(f"/v1/beneficiaries/{bid}/badges", json={"achievement": "Pas Un Slug"}, headers=bearer(k.admin))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "achievement"


def test_pix_certifications_over_http_reach_the_indicators(client, ledger_world):
    ledger, w, k = ledger_world
    bid = str(w.beneficiary.id)
    r = client.post(
        f"/v1/beneficiaries/{bid}/pix-certifications",
        json={"certified_on": "2026-03-02", "score": 512},
        headers=bearer(k.structure),
    )
    assert r.status_code == 201 and r.json()["score"] == 512
    too_high = client.post(
        f"/v1/beneficiaries/{bid}/pix-certifications",
        json={"certified_on": "2026-03-02", "score": 1025},
        headers=bearer(k.structure),
    )
    assert too_high.status_code == 400 and too_high.json()["errors"][0]["field"] == "score"
    figures = client.get("/v1/indicators", headers=bearer(k.observatory)).json()
    assert figures["pix"]["certifications"] == 1 and figures["badges_awarded"] == 0


def test_a_structure_names_the_person_by_the_reference_on_the_carnet(client, ledger_world):
    """Contract v2, People's references: the badge and certification paths take the reference (any case, dashes
    optional) as well as the id; an unknown reference is a French 404."""
    ledger, w, k = ledger_world
    typed = reference_of(w.beneficiary.id).lower().replace("-", "")
    assert client.post("/v1/achievements", json=ACHIEVEMENT, headers=bearer(k.admin)).status_code == 201
    certified = client.post(
        f"/v1/beneficiaries/{typed}/pix-certifications",
        json={"certified_on": "2026-03-02", "score": 512},
        headers=bearer(k.structure),
    )
    assert certified.status_code == 201, certified.text
    awarded = client.post(
        f"/v1/beneficiaries/{typed}/badges", json={"achievement": ACHIEVEMENT["slug"]}, headers=bearer(k.structure)
    )
    assert awarded.status_code == 201, awarded.text
    listed = client.get(f"/v1/beneficiaries/{w.beneficiary.id}/pix-certifications", headers=bearer(k.structure))
    assert [c["score"] for c in listed.json()["items"]] == [512]
    unknown = client.post(
        "/v1/beneficiaries/B-0000-0000-0/badges", json={"achievement": ACHIEVEMENT["slug"]}, headers=bearer(k.structure)
    )
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("application/problem+json")
