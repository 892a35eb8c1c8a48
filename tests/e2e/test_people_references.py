"""Issue 18 over HTTP: a structure names the person by the reference printed on the book (loans, PIX), a
reprint reprints exactly the book named and leaves the other books' codes alone, a book that would be valid
for less than 90 days says so (``warnings``), and allocation prefers commitments that leave 90 days."""

from __future__ import annotations

import re
from datetime import timedelta

from tests import scenario as s
from tests.e2e.conftest import bearer
from tests.e2e.web import post_form, sign_in

REFERENCE = re.compile(r"^B-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$")


def lendable_device(ledger, w, clock):
    source = ledger.register_source(
        w.structure_actor, s.t.NewEquipmentSource(name="Don", kind="company", commune_insee=s.VALENCE)
    )
    device = ledger.receive_device(
        w.structure_actor,
        s.t.NewDevice(source_id=source.id, kind="laptop", serial_number="SN-1", received_on=clock.today),
    )
    ledger.refurbish_device(w.structure_actor, str(device.id), s.t.Refurbishment(grade="A", refurbished_on=clock.today))
    return device


def sloppy(reference: str) -> str:
    """As typed on a phone: lower case, no dashes, no B."""
    return reference.replace("-", "").lower()[1:]


def test_registration_answers_the_reference_and_a_structure_uses_only_it(client, ledger_world, clock):
    ledger, w, k = ledger_world
    r = client.post(
        "/v1/beneficiaries",
        json={"first_name": "Zoé", "last_name": "Roux", "birth_year": 1990, "commune_insee": s.VALENCE},
        headers=bearer(k.prescriber),
    )
    assert r.status_code == 201
    reference, bid = r.json()["reference"], r.json()["id"]
    assert REFERENCE.match(reference)
    assert client.get(f"/v1/beneficiaries/{reference}", headers=bearer(k.prescriber)).json()["id"] == bid
    assert client.get(f"/v1/beneficiaries/{bid}", headers=bearer(k.prescriber)).json()["reference"] == reference

    device = lendable_device(ledger, w, clock)
    loan = {
        "device_id": str(device.id),
        "beneficiary_ref": sloppy(reference),
        "start_on": clock.today.isoformat(),
        "due_on": (clock.today + timedelta(days=90)).isoformat(),
        "monthly_fee_cents": 500,
        "deposit_cents": 3000,
    }
    r = client.post("/v1/loans", json=loan, headers=bearer(k.structure))
    assert r.status_code == 201, r.text
    assert r.json()["beneficiary_id"] == bid

    pix = {"phase": "entry", "score": 120, "taken_on": clock.today.isoformat()}
    r = client.post(f"/v1/beneficiaries/{sloppy(reference)}/pix-assessments", json=pix, headers=bearer(k.structure))
    assert r.status_code == 201 and r.json()["beneficiary_id"] == bid
    r = client.get(f"/v1/beneficiaries/{reference}/pix-assessments", headers=bearer(k.prescriber))
    assert [p["score"] for p in r.json()["items"]] == [120]


def test_an_unknown_or_mistyped_reference_is_a_clear_404(client, ledger_world, clock):
    _, w, k = ledger_world
    typo = w.beneficiary.reference[:-1] + ("0" if w.beneficiary.reference[-1] != "0" else "1")
    pix = {"phase": "entry", "score": 120, "taken_on": clock.today.isoformat()}
    for wrong in (typo, "B-0000-0000-0"):
        r = client.post(f"/v1/beneficiaries/{wrong}/pix-assessments", json=pix, headers=bearer(k.structure))
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
        assert "référence" in r.json()["detail"].lower() and "carnet" in r.json()["detail"]


def test_a_loan_names_the_person_once(client, ledger_world, clock):
    ledger, w, k = ledger_world
    device = lendable_device(ledger, w, clock)
    base = {
        "device_id": str(device.id),
        "start_on": clock.today.isoformat(),
        "due_on": (clock.today + timedelta(days=90)).isoformat(),
        "monthly_fee_cents": 500,
        "deposit_cents": 3000,
    }
    both = {**base, "beneficiary_id": str(w.beneficiary.id), "beneficiary_ref": w.beneficiary.reference}
    for body in (base, both):
        r = client.post("/v1/loans", json=body, headers=bearer(k.structure))
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == "beneficiary_ref"
    assert (
        client.post(
            "/v1/loans", json={**base, "beneficiary_id": str(w.beneficiary.id)}, headers=bearer(k.structure)
        ).status_code
        == 201
    )


def test_reprint_reprints_exactly_the_book_named_and_only_its_codes_change(client, ledger_world, clock):
    """Finding 2: « Réimprimer le dernier carnet » reprinted the first book (9 cheques), not the last (2)."""
    ledger, w, k = ledger_world
    first = client.post(
        "/v1/cheque-books", json={"beneficiary_id": str(w.beneficiary.id), "count": 9}, headers=bearer(k.prescriber)
    ).json()
    last = client.post(
        "/v1/cheque-books", json={"beneficiary_id": str(w.beneficiary.id), "count": 2}, headers=bearer(k.prescriber)
    ).json()
    r = client.post(f"/v1/cheque-books/{last['id']}/reprint", headers=bearer(k.prescriber))
    assert r.status_code == 200
    assert [c["serial"] for c in r.json()["cheques"]] == [c["serial"] for c in last["cheques"]]
    assert r.json()["beneficiary_reference"] == w.beneficiary.reference
    new_codes = {c["serial"]: c["code"] for c in r.json()["cheques"]}

    def redeem(serial: str, code: str) -> int:
        body = {
            "serial": serial,
            "code": code,
            "session": {"date": clock.today.isoformat(), "kind": "individual", "duration_minutes": 60, "themes": []},
        }
        return client.post("/v1/redemptions", json=body, headers=bearer(k.structure)).status_code

    old = last["cheques"][0]
    assert redeem(old["serial"], old["code"]) == 422, "the reprinted book's old code stops working"
    assert redeem(old["serial"], new_codes[old["serial"]]) == 201
    kept = first["cheques"][0]
    assert redeem(kept["serial"], kept["code"]) == 201, "the other book's paper codes still work"


def test_a_short_validity_is_avoided_then_warned(client, ledger, clock):
    """Finding 4: a commitment ending in 25 days with a better priority funded the book, with no warning."""
    s.funder(ledger)
    ending = clock.today + timedelta(days=25)
    s.commitment(ledger, amount_cents=10_000, valid_until=ending, priority=1, reference="ENDING")
    p = s.prescriber(ledger)
    actor = s.t.Actor(role="prescriber", org=str(p.id))
    b = s.beneficiary(ledger, actor)
    key = ledger.create_api_key(s.ADMIN, s.t.NewApiKey(role="prescriber", org=str(p.id))).key
    book = {"beneficiary_id": str(b.id), "count": 2}

    r = client.post("/v1/cheque-books", json=book, headers=bearer(key))
    assert r.status_code == 201
    assert {c["valid_until"] for c in r.json()["cheques"]} == {ending.isoformat()}
    [warning] = r.json()["warnings"]
    assert warning["code"] == "short-validity" and "90 jours" in warning["message"]

    s.commitment(ledger, amount_cents=10_000, valid_until=clock.today + timedelta(days=400), reference="LASTING")
    r = client.post("/v1/cheque-books", json=book, headers=bearer(key))
    assert r.status_code == 201 and r.json()["warnings"] == []
    assert all(c["valid_until"] > (clock.today + timedelta(days=90)).isoformat() for c in r.json()["cheques"])


def test_the_web_reprint_asks_which_book_and_for_a_confirmation(client, accounts, ledger_world):
    """Nothing is reprinted (no code changes) until the prescriber names a book of this person and confirms."""
    ledger, w, _ = ledger_world
    first = s.book(ledger, w, count=3)
    other = s.book(ledger, w, count=1)
    sign_in(client, accounts.prescriber)
    page = f"/prescripteur/beneficiaires/{w.beneficiary.id}"
    action = f"{page}/reimpression"
    unconfirmed = post_form(client, action, page, {"book": str(other.id)})
    assert unconfirmed.status_code == 400 and "anciens codes" in unconfirmed.text.replace("&#39;", "'")
    unknown = post_form(client, action, page, {"book": "00000000-0000-4000-8000-000000000000", "confirm": "oui"})
    assert unknown.status_code == 400 and "Choisissez le carnet" in unknown.text
    cheque = first.cheques[0]
    still = ledger.redeem(w.structure_actor, s.redemption(cheque.serial, cheque.code, ledger.today()))
    assert still.serial == cheque.serial, "refused reprints changed no code"
    done = post_form(client, action, page, {"book": str(other.id), "confirm": "oui"})
    assert done.status_code == 201 and other.cheques[0].serial in done.text and first.cheques[1].serial not in done.text
