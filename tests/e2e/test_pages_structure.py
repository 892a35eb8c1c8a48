"""Structure pages over HTTP: redeem through the form, refusals in words, the statement, loans, PIX entry."""

from __future__ import annotations

import pytest

from api.web.render import euros
from tests import scenario as s
from tests.e2e.web import post_form, sign_in


def redeem(client, serial, code, day, **extra):
    return post_form(
        client,
        "/structure/encaissement",
        "/structure",
        {
            "serial": serial,
            "code": code,
            "session_date": day.isoformat(),
            "kind": "collective",
            "duration_minutes": "90",
            "themes": "messagerie, démarches CAF",
            **extra,
        },
    )


def test_a_structure_redeems_through_the_form_and_sees_it_on_its_statement(client, accounts, ledger_world, stamped):
    clock = stamped  # the statement lists what was recorded this month: events stamped on the test's day
    ledger, w, _ = ledger_world
    cheque = s.book(ledger, w, count=1, face_value_cents=2500).cheques[0]
    sign_in(client, accounts.structure)
    done = redeem(client, cheque.serial.replace("-", "").lower(), cheque.code.lower(), clock.today)
    assert done.status_code == 303 and done.headers["location"] == "/structure?fait=encaisse"
    assert "Chèque encaissé" in client.get(done.headers["location"]).text
    out = ledger.get_cheque(s.ADMIN, cheque.serial)
    assert out.status == "redeemed" and out.redeemed_by == str(w.structure.id)
    statement = client.get("/structure/releve").text
    assert cheque.serial in statement and f'id="attente">{euros(2500)}<' in statement


def test_a_wrong_code_is_refused_in_words_and_not_echoed(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    cheque = s.book(ledger, w, count=1).cheques[0]
    sign_in(client, accounts.structure)
    refused = redeem(client, cheque.serial, "ZZZZZZ", clock.today)
    assert refused.status_code == 422 and "Impossible" in refused.text
    assert "ZZZZZZ" not in refused.text and cheque.serial in refused.text, "the serial is kept, the code is not"
    assert ledger.get_cheque(s.ADMIN, cheque.serial).status == "issued"


def test_a_post_without_csrf_token_changes_nothing(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    cheque = s.book(ledger, w, count=1).cheques[0]
    sign_in(client, accounts.structure)
    refused = client.post(
        "/structure/encaissement",
        data={
            "serial": cheque.serial,
            "code": cheque.code,
            "session_date": clock.today.isoformat(),
            "kind": "individual",
            "duration_minutes": "60",
        },
        follow_redirects=False,
    )
    assert refused.status_code == 403 and "expiré" in refused.text
    assert ledger.get_cheque(s.ADMIN, cheque.serial).status == "issued"


def test_loans_and_pix_pages(client, accounts, ledger_world, clock):
    _, w, _ = ledger_world
    sign_in(client, accounts.structure)
    assert client.get("/structure/prets").status_code == 200
    done = post_form(
        client,
        "/structure/pix",
        "/structure/pix",
        {
            "beneficiary": w.beneficiary.reference,
            "phase": "entry",
            "score": "120",
            "taken_on": clock.today.isoformat(),
        },
    )
    assert done.status_code == 303
    bad = post_form(
        client,
        "/structure/pix",
        "/structure/pix",
        {
            "beneficiary": w.beneficiary.reference,
            "phase": "entry",
            "score": "5000",
            "taken_on": clock.today.isoformat(),
        },
    )
    assert bad.status_code == 400 and "score" in bad.text.lower()


def test_a_structure_lends_a_device_and_takes_it_back_through_the_forms(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    source = ledger.register_source(
        w.structure_actor, s.t.NewEquipmentSource(name="Don", kind="company", commune_insee=s.VALENCE)
    )
    device = ledger.receive_device(
        w.structure_actor,
        s.t.NewDevice(source_id=source.id, kind="laptop", serial_number="SN-1", received_on=clock.today),
    )
    ledger.refurbish_device(w.structure_actor, str(device.id), s.t.Refurbishment(grade="A", refurbished_on=clock.today))
    sign_in(client, accounts.structure)
    fields = {
        "device_id": str(device.id),
        "beneficiary": w.beneficiary.reference,
        "start_on": clock.today.isoformat(),
        "due_on": "2026-06-16",
        "monthly_fee": "5",
        "deposit": "30,50",
    }
    bad = post_form(client, "/structure/prets", "/structure/prets", {**fields, "due_on": "2026-01-01"})
    assert bad.status_code in (400, 409) and "Impossible" in bad.text
    assert ledger.get_device(w.structure_actor, str(device.id)).status == "available"
    signed = post_form(client, "/structure/prets", "/structure/prets", fields)
    assert signed.status_code == 303
    (loan,) = ledger.list_loans(w.structure_actor).items
    assert (loan.deposit_cents, loan.monthly_fee_cents, loan.status) == (3050, 500, "active")
    back = post_form(
        client,
        f"/structure/prets/{loan.id}/retour",
        "/structure/prets",
        {"on": clock.today.isoformat(), "condition": "good"},
    )
    assert back.status_code == 303
    assert ledger.get_loan(w.structure_actor, str(loan.id)).status == "returned"
    assert ledger.get_device(w.structure_actor, str(device.id)).status == "available"


@pytest.mark.parametrize("who", ["prescriber", "funder", "observatory"])
def test_other_roles_cannot_open_structure_pages(client, accounts, who):
    sign_in(client, getattr(accounts, who))
    for path in ("/structure", "/structure/releve", "/structure/prets", "/structure/pix"):
        assert client.get(path).status_code == 403, path
