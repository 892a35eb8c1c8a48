"""Every route × every role (and another organisation of the same role, and no key): allowed, or 401/403.

"Allowed" means the request got past authentication and authorization (any status but 401/403)."""

from __future__ import annotations

import itertools
from datetime import date

from ledger import types as t
from tests import scenario as s
from tests.e2e.conftest import bearer

ACTORS = ["admin", "prescriber", "prescriber2", "structure", "structure2", "funder", "funder2", "observatory"]
counter = itertools.count()


def routes(ledger, w):
    """(method, path, body or callable making a fresh body, allowed actors)."""
    p_actor, st_actor = w.prescriber_actor, w.structure_actor
    book = s.book(ledger, w, count=4)
    serial, to_cancel, to_redeem = book.cheques[0].serial, book.cheques[1].serial, book.cheques[2]
    rid = ledger.redeem(st_actor, s.redemption(to_redeem.serial, to_redeem.code, ledger.today())).id
    doomed = s.beneficiary(ledger, p_actor)
    key_id = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="observatory")).id
    source = ledger.register_source(st_actor, t.NewEquipmentSource(name="G", kind="company", commune_insee=s.VALENCE))

    def device(refurbished: bool = True) -> str:
        d = ledger.receive_device(
            st_actor, t.NewDevice(source_id=source.id, kind="tablet", serial_number="S", received_on=date(2026, 1, 5))
        )
        if refurbished:
            ledger.refurbish_device(st_actor, str(d.id), t.Refurbishment(grade="A", refurbished_on=date(2026, 1, 6)))
        return str(d.id)

    def loan() -> str:
        return str(
            ledger.sign_loan(
                st_actor,
                t.NewLoan(
                    device_id=device(),
                    beneficiary_id=w.beneficiary.id,
                    start_on=date(2026, 2, 1),
                    due_on=date(2026, 5, 1),
                    monthly_fee_cents=0,
                    deposit_cents=0,
                ),
            ).id
        )

    sid, pid, bid = str(w.structure.id), str(w.prescriber.id), str(w.beneficiary.id)
    dev, dev2, loan1, loan2 = device(False), device(), loan(), loan()
    session = {"date": ledger.today().isoformat(), "kind": "individual", "duration_minutes": 30}
    redemption = {"serial": "ZZZZ-ZZZZ-Z", "code": "AAAAAA", "session": session}
    admin, fund = {"admin"}, {"admin", "funder"}
    return [
        ("POST", "/v1/funders", lambda: {"code": f"F{next(counter)}", "name": "F", "kind": "other"}, admin),
        ("GET", "/v1/funders/DEPT26", None, fund),
        (
            "POST",
            "/v1/commitments",
            {
                "funder_code": "DEPT26",
                "reference": "R",
                "amount_cents": 100,
                "valid_from": "2026-01-01",
                "valid_until": "2026-12-31",
            },
            admin,
        ),
        ("GET", f"/v1/commitments/{w.commitment.id}", None, fund),
        (
            "POST",
            "/v1/funders/DEPT26/payments",
            {"amount_cents": 1, "received_on": "2026-01-01", "reference": "v"},
            admin,
        ),
        ("POST", "/v1/structures", {"siret": s.SIRET_FABAT, "name": "S", "commune_insee": s.VALENCE}, admin),
        ("GET", f"/v1/structures/{sid}", None, {"admin", "structure"}),
        ("POST", f"/v1/structures/{sid}/suspension", {"reason": "contrôle"}, admin),
        ("POST", f"/v1/structures/{sid}/reinstatement", {"reason": "fin du contrôle"}, admin),
        ("POST", "/v1/prescribers", {"name": "P", "kind": "ccas", "commune_insee": s.VALENCE}, admin),
        ("GET", f"/v1/prescribers/{pid}", None, {"admin", "prescriber"}),
        ("POST", "/v1/api-keys", {"role": "observatory"}, admin),
        ("GET", "/v1/api-keys", None, admin),
        ("DELETE", f"/v1/api-keys/{key_id}", None, admin),
        (
            "POST",
            "/v1/beneficiaries",
            {"first_name": "A", "last_name": "B", "birth_year": 1980, "commune_insee": s.VALENCE},
            {"admin", "prescriber", "prescriber2"},
        ),
        ("GET", f"/v1/beneficiaries/{bid}", None, {"admin", "prescriber"}),
        ("DELETE", f"/v1/beneficiaries/{doomed.id}", None, admin),
        ("POST", "/v1/cheque-books", {"beneficiary_id": bid, "count": 1}, {"admin", "prescriber"}),
        ("POST", f"/v1/cheque-books/{book.id}/reprint", None, {"admin", "prescriber"}),
        ("GET", f"/v1/cheques/{serial}", None, {"admin", "prescriber"}),
        ("GET", f"/v1/cheques/{to_redeem.serial}", None, {"admin", "prescriber", "structure"}),
        ("POST", f"/v1/cheques/{to_cancel}/cancellation", {"reason": "perdu"}, {"admin", "prescriber"}),
        ("POST", f"/v1/cheques/{serial}/unlock", None, {"admin", "prescriber"}),
        ("POST", "/v1/redemptions", redemption, {"structure", "structure2"}),
        ("POST", "/v1/redemptions/batch", {"items": [redemption]}, {"structure", "structure2"}),
        ("POST", f"/v1/redemptions/{rid}/reversal", {"reason": "erreur"}, {"admin", "structure"}),
        ("GET", f"/v1/structures/{sid}/statement", None, {"admin", "structure"}),
        ("GET", f"/v1/structures/{sid}/statement?from=2026-01-01", None, {"admin", "structure"}),
        ("GET", f"/v1/structures/{sid}/statement?format=csv", None, {"admin", "structure"}),
        ("GET", f"/v1/structures/{sid}/statement.pdf", None, {"admin", "structure"}),
        ("POST", "/v1/settlements", {"through": "2026-01-01"}, admin),
        ("POST", "/v1/expiries", {"as_of": "2026-01-01"}, admin),
        ("GET", "/v1/funders/DEPT26/reconciliation", None, fund),
        ("GET", "/v1/funders/DEPT26/journal", None, fund),
        ("GET", "/v1/funders/DEPT26/statement.pdf", None, fund),
        ("GET", "/v1/indicators", None, {"admin", "observatory", "funder", "funder2"}),
        ("GET", "/v1/observatory/export", None, {"admin", "observatory"}),
        (
            "POST",
            "/v1/equipment-sources",
            {"name": "G", "kind": "individual", "commune_insee": s.DIE},
            {"admin", "structure", "structure2"},
        ),
        (
            "POST",
            "/v1/devices",
            {"source_id": str(source.id), "kind": "laptop", "serial_number": "X", "received_on": "2026-01-01"},
            {"admin", "structure", "structure2"},
        ),
        ("GET", f"/v1/devices/{dev}", None, {"admin", "structure"}),
        (
            "POST",
            f"/v1/devices/{dev}/refurbishment",
            {"grade": "B", "refurbished_on": "2026-01-10"},
            {"admin", "structure"},
        ),
        ("POST", f"/v1/devices/{dev2}/retirement", {"reason": "donated", "on": "2026-01-10"}, {"admin", "structure"}),
        (
            "POST",
            "/v1/loans",
            {
                "device_id": dev,
                "beneficiary_id": bid,
                "start_on": "2026-02-01",
                "due_on": "2026-03-01",
                "monthly_fee_cents": 0,
                "deposit_cents": 0,
            },
            {"admin", "structure"},
        ),
        ("GET", "/v1/loans", None, {"admin", "structure", "structure2"}),
        ("GET", "/v1/lending/journal", None, {"admin", "structure", "structure2"}),
        ("GET", f"/v1/loans/{loan1}", None, {"admin", "structure"}),
        ("POST", f"/v1/loans/{loan1}/follow-ups", {"on": "2026-02-10", "kind": "call"}, {"admin", "structure"}),
        ("POST", f"/v1/loans/{loan1}/extension", {"due_on": "2026-09-01"}, {"admin", "structure"}),
        ("POST", f"/v1/loans/{loan1}/return", {"on": "2026-03-01", "condition": "good"}, {"admin", "structure"}),
        ("POST", f"/v1/loans/{loan2}/loss", {"on": "2026-03-01"}, {"admin", "structure"}),
        ("GET", f"/v1/beneficiaries/{bid}/loans", None, {"admin", "prescriber", "structure", "structure2"}),
        (
            "POST",
            f"/v1/beneficiaries/{bid}/pix-assessments",
            {"phase": "entry", "score": 100, "taken_on": "2026-02-01"},
            {"admin", "prescriber", "structure", "structure2"},
        ),
        ("GET", f"/v1/beneficiaries/{bid}/pix-assessments", None, {"admin", "prescriber"}),
        ("PUT", f"/v1/structures/{sid}/details", {"address": "1 rue A", "postal_code": "26000"}, admin),
        ("GET", "/v1/structures/export", None, set(ACTORS)),
        ("POST", "/v1/structures/import", [], admin),
        ("GET", "/v1/directory.pdf?commune=26362", None, set(ACTORS)),
        ("GET", "/v1/observatory/datapackage.zip", None, {"admin", "observatory"}),
    ]


def test_every_route_for_every_role(client, ledger_world):
    ledger, w, k = ledger_world
    keys = {
        "admin": k.admin,
        "prescriber": k.prescriber,
        "prescriber2": k.other_prescriber,
        "structure": k.structure,
        "structure2": k.other_structure,
        "funder": k.funder,
        "funder2": k.other_funder,
        "observatory": k.observatory,
    }
    table = routes(ledger, w)
    mismatches, cells = [], 0
    for method, path, body, allowed in table:
        for who in [None, *ACTORS]:
            payload = body() if callable(body) else body
            headers = bearer(keys[who]) if who else {}
            r = client.request(method, path, json=payload, headers=headers)
            cells += 1
            if who is None:
                expected_ok = r.status_code == 401
            elif who in allowed:
                expected_ok = r.status_code not in (401, 403) and r.status_code < 500
            elif who.startswith("structure") and method == "GET" and path.startswith("/v1/cheques/"):
                # A structure must not learn that a cheque it did not redeem exists: 404, as for an unknown serial.
                expected_ok = r.status_code == 404
            else:
                expected_ok = r.status_code == 403
            if not expected_ok:
                mismatches.append(f"{method} {path} as {who}: {r.status_code} {r.text[:120]}")
    assert not mismatches, "\n".join(mismatches)
    assert cells == len(table) * (len(ACTORS) + 1) == 58 * 9
