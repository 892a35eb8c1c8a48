"""End to end through HTTP: the contract's endpoints and refusals."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.e2e.conftest import bearer

PROBLEM = "application/problem+json"


def problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"] == f"/problems/{slug}" and body["status"] == status and body["title"] and body["detail"]
    return body


def session(day: str, kind: str = "individual") -> dict:
    return {"date": day, "kind": kind, "duration_minutes": 60, "themes": ["messagerie"]}


def test_set_up_issue_redeem_settle_reconcile(client, ledger_world):
    ledger, w, k = ledger_world
    admin = bearer(k.admin)
    r = client.post("/v1/funders", json={"code": "ETAT26", "name": "État", "kind": "state"}, headers=admin)
    assert r.status_code == 201 and r.json()["code"] == "ETAT26"
    problem(
        client.post("/v1/funders", json={"code": "ETAT26", "name": "État", "kind": "state"}, headers=admin),
        409,
        "already-exists",
    )
    r = client.post(
        "/v1/commitments",
        json={
            "funder_code": "ETAT26",
            "reference": "FNE",
            "amount_cents": 5000,
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "eligible_publics": ["senior"],
            "priority": 1,
        },
        headers=admin,
    )
    assert r.status_code == 201 and r.json()["available_cents"] == 5000
    assert (
        client.post(
            "/v1/funders/ETAT26/payments",
            json={"amount_cents": 5000, "received_on": "2026-02-01", "reference": "arrêté"},
            headers=admin,
        ).status_code
        == 201
    )

    # a book of 3: the senior's State commitment (priority 1) funds them
    r = client.post(
        "/v1/cheque-books", json={"beneficiary_id": str(w.beneficiary.id), "count": 3}, headers=bearer(k.prescriber)
    )
    assert r.status_code == 201, r.text
    book = r.json()
    assert {c["funder_code"] for c in book["cheques"]} == {"ETAT26"}
    c0, c1, c2 = book["cheques"]

    r = client.post(
        "/v1/redemptions",
        json={"serial": c0["serial"], "code": c0["code"], "session": session("2026-03-16")},
        headers=bearer(k.structure),
    )
    assert r.status_code == 201 and r.json()["amount_cents"] == 1000
    redemption_id = r.json()["id"]
    problem(
        client.post(
            "/v1/redemptions",
            json={"serial": c0["serial"], "code": c0["code"], "session": session("2026-03-16")},
            headers=bearer(k.structure),
        ),
        409,
        "cheque-already-redeemed",
    )
    problem(
        client.post(
            "/v1/redemptions",
            json={"serial": "0000-0000-0", "code": "X", "session": session("2026-03-16")},
            headers=bearer(k.structure),
        ),
        404,
        "unknown-cheque",
    )
    problem(
        client.post(
            "/v1/redemptions",
            json={"serial": c1["serial"], "code": "WRONG1", "session": session("2026-03-16")},
            headers=bearer(k.structure),
        ),
        422,
        "invalid-verification-code",
    )
    problem(
        client.post(
            "/v1/redemptions",
            json={"serial": c1["serial"], "code": c1["code"], "session": session("2026-03-17")},
            headers=bearer(k.structure),
        ),
        400,
        "validation-error",
    )

    r = client.get(f"/v1/cheques/{c0['serial']}", headers=bearer(k.structure))
    assert r.json()["status"] == "redeemed" and r.json()["redeemed_by"] == str(w.structure.id)
    problem(client.get(f"/v1/cheques/{c0['serial']}", headers=bearer(k.other_structure)), 404, "not-found")
    assert (
        client.get("/v1/cheques/0000-0000-0", headers=bearer(k.other_structure)).json()["detail"]
        == client.get(f"/v1/cheques/{c0['serial']}", headers=bearer(k.other_structure)).json()["detail"]
    )

    r = client.post(f"/v1/redemptions/{redemption_id}/reversal", json={"reason": "erreur"}, headers=bearer(k.structure))
    assert r.status_code == 200 and r.json()["status"] == "issued"
    assert (
        client.post(
            "/v1/redemptions",
            json={"serial": c0["serial"], "code": c0["code"], "session": session("2026-03-16")},
            headers=bearer(k.structure),
        ).status_code
        == 201
    )

    batch = {
        "items": [
            {"serial": c1["serial"], "code": c1["code"], "session": session("2026-03-16", "collective")},
            {"serial": c1["serial"], "code": c1["code"], "session": session("2026-03-16")},
            {"serial": "ZZZZ-ZZZZ-Z", "code": "X", "session": session("2026-03-16")},
        ]
    }
    r = client.post("/v1/redemptions/batch", json=batch, headers=bearer(k.structure))
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["results"]] == [201, 409, 404]
    assert r.json()["results"][1]["problem"]["type"] == "/problems/cheque-already-redeemed"

    r = client.get(f"/v1/structures/{w.structure.id}/statement", headers=bearer(k.structure))
    assert r.json() == {
        "structure_id": str(w.structure.id),
        "redeemed_count": 2,
        "redeemed_cents": 2000,
        "settled_cents": 0,
        "pending_cents": 2000,
        "ordered_cents": 0,  # v2: settled = ordered (ordonnancé) + executed (payé)
        "executed_cents": 0,
        "payments": [],
    }
    problem(
        client.get(f"/v1/structures/{w.structure.id}/statement", headers=bearer(k.other_structure)), 403, "forbidden"
    )

    r = client.post("/v1/settlements", json={"through": "2026-03-16"}, headers=admin)
    assert r.status_code == 201 and r.json()["total_cents"] == 2000 and r.json()["lines"][0]["count"] == 2
    r = client.post(
        "/v1/cheques/" + c2["serial"] + "/cancellation", json={"reason": "perdu"}, headers=bearer(k.prescriber)
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"

    r = client.get("/v1/funders/ETAT26/reconciliation", headers=admin)
    rec = r.json()
    assert rec["balanced"] and (
        rec["committed_cents"],
        rec["available_cents"],
        rec["reserved_cents"],
        rec["redeemed_cents"],
        rec["paid_cents"],
        rec["released_cents"],
        rec["received_cents"],
    ) == (5000, 3000, 0, 0, 2000, 1000, 5000)
    problem(client.get("/v1/funders/ETAT26/reconciliation", headers=bearer(k.funder)), 403, "forbidden")

    # the journal, page by page, sums to the same figures
    postings, cursor = [], None
    while True:
        r = client.get(
            "/v1/funders/ETAT26/journal", params={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=admin
        )
        postings += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    balance = {}
    for p in postings:
        balance[p["debit"]] = balance.get(p["debit"], 0) - p["amount_cents"]
        balance[p["credit"]] = balance.get(p["credit"], 0) + p["amount_cents"]
    assert (-balance["funder"], balance["available"], balance["reserved"], balance["redeemed"], balance["paid"]) == (
        5000,
        3000,
        0,
        0,
        2000,
    )

    r = client.get("/v1/funders/ETAT26/statement.pdf", headers=admin)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert "équilibré : oui" in PdfReader(io.BytesIO(r.content)).pages[0].extract_text()


def test_pdf_book_reprint_and_unlock(client, ledger_world):
    ledger, w, k = ledger_world
    r = client.post(
        "/v1/cheque-books",
        json={"beneficiary_id": str(w.beneficiary.id), "count": 2},
        headers={**bearer(k.prescriber), "Accept": "application/pdf"},
    )
    assert r.status_code == 201 and r.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)  # cover, vouchers
    with ledger.db.read() as cur:
        serials = [row[0] for row in cur.execute("SELECT serial FROM cheque_index").fetchall()]
    ledger.views.catch_up()
    with ledger.db.read() as cur:
        rows = cur.execute("SELECT serial, book_id FROM cheque_index").fetchall()
    assert len(rows) == 2 and all(serial in text for serial, _ in rows)
    book_id = rows[0][1]
    r = client.post(f"/v1/cheque-books/{book_id}/reprint", headers=bearer(k.prescriber))
    assert r.status_code == 200 and len(r.json()["cheques"]) == 2
    serial, code = r.json()["cheques"][0]["serial"], r.json()["cheques"][0]["code"]
    for _ in range(5):
        client.post(
            "/v1/redemptions",
            json={"serial": serial, "code": "BADBAD", "session": session("2026-03-16")},
            headers=bearer(k.structure),
        )
    problem(
        client.post(
            "/v1/redemptions",
            json={"serial": serial, "code": code, "session": session("2026-03-16")},
            headers=bearer(k.structure),
        ),
        423,
        "cheque-locked",
    )
    problem(client.post(f"/v1/cheques/{serial}/unlock", headers=bearer(k.other_prescriber)), 403, "forbidden")
    assert client.post(f"/v1/cheques/{serial}/unlock", headers=bearer(k.prescriber)).json()["status"] == "issued"
    assert (
        client.post(
            "/v1/redemptions",
            json={"serial": serial, "code": code, "session": session("2026-03-16")},
            headers=bearer(k.structure),
        ).status_code
        == 201
    )
    assert serials is not None


def test_beneficiary_personal_data_and_erasure(client, ledger_world):
    ledger, w, k = ledger_world
    body = {
        "first_name": "Zoé",
        "last_name": "Arnaud",
        "birth_year": 2004,
        "commune_insee": "26113",
        "publics": ["ase_young_adult"],
        "email": "zoe@example.org",
    }
    r = client.post("/v1/beneficiaries", json=body, headers=bearer(k.prescriber))
    assert r.status_code == 201 and set(r.json()) == {"id", "reference", "age_band", "commune_insee", "publics"}
    bid = r.json()["id"]
    assert client.get(f"/v1/beneficiaries/{bid}", headers=bearer(k.prescriber)).json()["first_name"] == "Zoé"
    problem(client.get(f"/v1/beneficiaries/{bid}", headers=bearer(k.other_prescriber)), 403, "forbidden")
    problem(client.get(f"/v1/beneficiaries/{bid}", headers=bearer(k.observatory)), 403, "forbidden")
    problem(client.delete(f"/v1/beneficiaries/{bid}", headers=bearer(k.prescriber)), 403, "forbidden")
    assert client.delete(f"/v1/beneficiaries/{bid}", headers=bearer(k.admin)).status_code == 204
    problem(client.get(f"/v1/beneficiaries/{bid}", headers=bearer(k.prescriber)), 404, "not-found")
    problem(
        client.post("/v1/beneficiaries", json={**body, "commune_insee": "38185"}, headers=bearer(k.prescriber)),
        400,
        "validation-error",
    )


def test_problems_auth_idempotency_and_limits(client, ledger_world):
    ledger, w, k = ledger_world
    problem(client.get("/v1/funders/DEPT26/reconciliation"), 401, "unauthenticated")
    problem(client.get("/v1/funders/DEPT26/reconciliation", headers=bearer("nope")), 401, "unauthenticated")
    problem(client.get("/v1/funders/NOPE/reconciliation", headers=bearer(k.admin)), 404, "not-found")
    for path in ("/v1/funders/DEPT26/journal", "/v1/lending/journal"):
        for cursor in ("99999999999999999999.0", "1.x", "-5.0"):
            problem(client.get(path, params={"cursor": cursor}, headers=bearer(k.admin)), 400, "validation-error")
    problem(
        client.post(
            "/v1/funders", content=b"{not json", headers={**bearer(k.admin), "Content-Type": "application/json"}
        ),
        400,
        "validation-error",
    )
    problem(
        client.post("/v1/funders", json={"code": "x", "name": "", "kind": "state"}, headers=bearer(k.admin)),
        400,
        "validation-error",
    )
    problem(
        client.post("/v1/funders", json={"code": "AB", "name": "A", "kind": "state"}, headers=bearer(k.prescriber)),
        403,
        "forbidden",
    )
    problem(
        client.post(
            "/v1/funders",
            content=b"x" * (3 * 1024 * 1024),
            headers={**bearer(k.admin), "Content-Type": "application/json"},
        ),
        413,
        "payload-too-large",
    )
    problem(
        client.post(
            "/v1/funders",
            json={"code": "AB", "name": "A", "kind": "state"},
            headers={**bearer(k.admin), "Idempotency-Key": ""},
        ),
        400,
        "validation-error",
    )

    idem = {**bearer(k.prescriber), "Idempotency-Key": "book-1"}
    body = {"beneficiary_id": str(w.beneficiary.id), "count": 2}
    first = client.post("/v1/cheque-books", json=body, headers=idem)
    position = ledger.position()
    again = client.post("/v1/cheque-books", json=body, headers=idem)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert ledger.position() == position
    problem(client.post("/v1/cheque-books", json={**body, "count": 3}, headers=idem), 422, "idempotency-key-reuse")
    problem(
        client.post("/v1/cheque-books", json={**body, "count": 200}, headers=bearer(k.prescriber)),
        400,
        "validation-error",
    )
    problem(
        client.post(
            "/v1/cheque-books", json={**body, "count": 20, "face_value_cents": 100_000}, headers=bearer(k.prescriber)
        ),
        409,
        "insufficient-eligible-funds",
    )

    # a revoked key stops working at once
    created = client.post("/v1/api-keys", json={"role": "observatory"}, headers=bearer(k.admin)).json()
    assert client.get("/v1/indicators", headers=bearer(created["key"])).status_code == 200
    assert client.delete(f"/v1/api-keys/{created['id']}", headers=bearer(k.admin)).status_code == 204
    problem(client.get("/v1/indicators", headers=bearer(created["key"])), 401, "unauthenticated")
    problem(
        client.post("/v1/api-keys", json={"role": "structure", "org": "no-such"}, headers=bearer(k.admin)),
        400,
        "validation-error",
    )

    assert client.get("/healthz").json()["status"] == "ok"
    schema = client.get("/schema/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    for path in ("/v1/redemptions", "/v1/funders/{code}/reconciliation", "/v1/observatory/export", "/v1/loans"):
        assert path in schema["paths"]
    responses = schema["paths"]["/v1/redemptions"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "409", "410", "422", "423"} <= set(responses)
    assert "application/problem+json" in responses["423"]["content"]
    assert "application/pdf" in schema["paths"]["/v1/cheque-books"]["post"]["responses"]["201"]["content"]
    assert (
        "application/pdf" in schema["paths"]["/v1/funders/{code}/statement.pdf"]["get"]["responses"]["200"]["content"]
    )
    assert not [p for p in schema["paths"] if not p.startswith("/v1") and p != "/healthz"], (
        "pages stay out of the API schema"
    )


def test_observatory_and_lending_over_http(client, ledger_world):
    ledger, w, k = ledger_world
    st = bearer(k.structure)
    source = client.post(
        "/v1/equipment-sources", json={"name": "Don", "kind": "company", "commune_insee": "26362"}, headers=st
    ).json()
    device = client.post(
        "/v1/devices",
        json={"source_id": source["id"], "kind": "laptop", "serial_number": "SN1", "received_on": "2026-01-05"},
        headers=st,
    ).json()
    assert device["status"] == "received"
    problem(
        client.post(
            "/v1/loans",
            json={
                "device_id": device["id"],
                "beneficiary_id": str(w.beneficiary.id),
                "start_on": "2026-02-01",
                "due_on": "2026-03-01",
                "monthly_fee_cents": 500,
                "deposit_cents": 2000,
            },
            headers=st,
        ),
        409,
        "device-unavailable",
    )
    assert (
        client.post(
            f"/v1/devices/{device['id']}/refurbishment", json={"grade": "A", "refurbished_on": "2026-01-10"}, headers=st
        ).json()["status"]
        == "available"
    )
    loan = client.post(
        "/v1/loans",
        json={
            "device_id": device["id"],
            "beneficiary_id": str(w.beneficiary.id),
            "start_on": "2026-02-01",
            "due_on": "2026-03-01",
            "monthly_fee_cents": 500,
            "deposit_cents": 2000,
        },
        headers=st,
    )
    assert loan.status_code == 201
    assert (
        client.post(
            f"/v1/loans/{loan.json()['id']}/follow-ups", json={"on": "2026-02-10", "kind": "call"}, headers=st
        ).status_code
        == 201
    )
    postings = client.get("/v1/lending/journal", headers=st).json()["items"]
    assert [(p["kind"], p["debit"], p["credit"], p["amount_cents"]) for p in postings] == [
        ("deposit_held", "beneficiary", "deposits_held", 2000)
    ]
    assert client.get("/v1/lending/journal", headers=bearer(k.other_structure)).json()["items"] == []
    problem(client.get("/v1/lending/journal", headers=bearer(k.funder)), 403, "forbidden")
    overdue = client.get("/v1/loans", params={"status": "overdue", "as_of": "2026-04-01"}, headers=st).json()
    assert [x["id"] for x in overdue["items"]] == [loan.json()["id"]]
    assert (
        client.get("/v1/loans", params={"status": "overdue", "as_of": "2026-02-15"}, headers=st).json()["items"] == []
    )
    problem(client.get("/v1/loans", headers=bearer(k.funder)), 403, "forbidden")
    problem(
        client.post(
            f"/v1/beneficiaries/{w.beneficiary.id}/pix-assessments",
            json={"phase": "entry", "score": 2000, "taken_on": "2026-02-01"},
            headers=st,
        ),
        400,
        "validation-error",
    )
    assert (
        client.post(
            f"/v1/beneficiaries/{w.beneficiary.id}/pix-assessments",
            json={"phase": "entry", "score": 200, "taken_on": "2026-02-01"},
            headers=st,
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/v1/beneficiaries/{w.beneficiary.id}/pix-assessments",
            json={"phase": "exit", "score": 320, "taken_on": "2026-03-01"},
            headers=st,
        ).status_code
        == 201
    )
    i = client.get("/v1/indicators", headers=bearer(k.observatory)).json()
    assert i["pix"] == {
        "entries": 1,
        "exits": 1,
        "pairs": 1,
        "entry_avg": 200.0,
        "exit_avg": 320.0,
        "delta_avg": 120.0,
        "certifications": 0,
    }
    assert i["loans"]["agreements_signed"] == 1 and i["equipment_sources"] == 1
    assert client.get("/v1/indicators", headers=bearer(k.funder)).status_code == 200
    problem(client.get("/v1/observatory/export", headers=bearer(k.funder)), 403, "forbidden")
    csv = client.get("/v1/observatory/export", params={"format": "csv"}, headers=bearer(k.observatory))
    assert csv.status_code == 200 and csv.text.lstrip("\ufeff").startswith("trimestre;code_commune_insee")
    problem(
        client.get("/v1/indicators", params={"from": "2026-05-01", "to": "2026-01-01"}, headers=bearer(k.observatory)),
        400,
        "validation-error",
    )


def test_export_csv_and_json_show_six_and_suppress_two(client, ledger_world):
    ledger, w, k = ledger_world
    from tests import scenario as s

    for commune, n in ((s.VALENCE, 6), (s.DIE, 2)):
        for _ in range(n):
            b = s.beneficiary(ledger, w.prescriber_actor, commune=commune, publics=["job_seeker"], birth_year=1985)
            c = ledger.issue_book(w.prescriber_actor, s.t.NewChequeBook(beneficiary_id=b.id, count=1)).cheques[0]
            ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, ledger.today(), minutes=30))
    obs = bearer(k.observatory)
    rows = {
        r["commune_insee"]: r
        for r in client.get("/v1/observatory/export", headers=obs).json()["items"]
        if r["public"] == "job_seeker"
    }
    assert (
        rows[s.VALENCE]["beneficiaries"] == 6
        and rows[s.VALENCE]["minutes"] == 180
        and not rows[s.VALENCE]["suppressed"]
    )
    assert rows[s.DIE]["suppressed"] and rows[s.DIE]["beneficiaries"] is None and rows[s.DIE]["sessions"] is None
    r = client.get("/v1/observatory/export", params={"format": "csv"}, headers=obs)
    assert r.headers["content-type"].startswith("text/csv")
    lines = [line.split(";") for line in r.text.lstrip("\ufeff").strip().splitlines()]
    header, body = lines[0], lines[1:]
    assert header[:6] == ["trimestre", "code_commune_insee", "siren_epci", "public", "tranche_age", "beneficiaires"]
    by_commune = {row[1]: dict(zip(header, row, strict=True)) for row in body if row[3] == "job_seeker"}
    assert by_commune[s.VALENCE]["beneficiaires"] == "6" and by_commune[s.VALENCE]["secret_statistique"] == "non"
    assert (
        by_commune[s.DIE]["beneficiaires"] == ""
        and by_commune[s.DIE]["accompagnements"] == ""
        and by_commune[s.DIE]["secret_statistique"] == "oui"
    )
    # after the codes, words for people: the commune and its EPCI by name, the public and age band in French
    valence = by_commune[s.VALENCE]
    assert (valence["nom_commune"], valence["public_libelle"], valence["tranche_age_libelle"]) == (
        "Valence",
        "Demandeur d'emploi",
        "35 à 44 ans",
    )
    assert valence["nom_epci"] and not valence["nom_epci"].isdigit()


def test_unknown_query_parameters_are_refused(client, ledger_world):
    _, _, k = ledger_world
    admin = bearer(k.admin)
    assert client.get("/v1/loans?limit=5&status=active", headers=admin).status_code == 200
    assert client.get("/v1/funders/DEPT26/journal?limit=1", headers=admin).status_code == 200
    refused = problem(client.get("/v1/loans?limt=5", headers=admin), 400, "validation-error")
    assert "limit" in refused["detail"] and "limt" not in refused["detail"], "names what is accepted, not what was sent"
    problem(client.get("/v1/funders/DEPT26/journal?limit=1&secret=x", headers=admin), 400, "validation-error")
    problem(client.get("/v1/funders/DEPT26?verbose=1", headers=admin), 400, "validation-error")


def test_a_query_parameter_given_twice_is_refused(client, ledger_world):
    _, _, k = ledger_world
    admin = bearer(k.admin)
    assert client.get("/v1/settlements?limit=1", headers=admin).status_code == 200
    refused = problem(client.get("/v1/settlements?limit=5&limit=1", headers=admin), 400, "validation-error")
    assert "limit" in refused["detail"] and "5" not in refused["detail"]
    problem(client.get("/v1/funders/DEPT26/journal?cursor=&cursor=1.0", headers=admin), 400, "validation-error")
