"""Lending pages over HTTP: sources and devices, one loan's follow-ups, extension and loss, its papers,
the overdue list; refusals in words, and another structure's loan out of reach."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from ledger import types as t
from tests import scenario as s
from tests.e2e.web import post_form, sign_in


def lent(ledger, w, clock, *, days_ago: int = 0, due_in: int = 90):
    lender = t.Actor(role="structure", org=str(w.structure.id))
    source = ledger.register_source(lender, t.NewEquipmentSource(name="Donateur", kind="company", commune_insee=s.DIE))
    device = ledger.receive_device(
        lender, t.NewDevice(source_id=source.id, kind="tablet", serial_number="TB-1", received_on=clock.today)
    )
    ledger.refurbish_device(lender, str(device.id), t.Refurbishment(grade="C", refurbished_on=clock.today))
    start = clock.today - timedelta(days=days_ago)
    return ledger.sign_loan(
        lender,
        t.NewLoan(
            device_id=device.id,
            beneficiary_id=w.beneficiary.id,
            start_on=start,
            due_on=clock.today + timedelta(days=due_in),
            monthly_fee_cents=300,
            deposit_cents=4000,
        ),
    )


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_a_device_is_received_refurbished_and_retired_through_the_forms(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    sign_in(client, accounts.structure)
    done = post_form(
        client,
        "/structure/materiel/gisements",
        "/structure/materiel",
        {"name": "Ressourcerie de Crest", "kind": "association", "commune_insee": s.DIE},
    )
    assert done.status_code == 303 and done.headers["location"] == "/structure/materiel?fait=gisement"
    lender = t.Actor(role="structure", org=str(w.structure.id))
    source = ledger.equipment_sources(lender)[0]
    assert source.name == "Ressourcerie de Crest"
    fields = {"source_id": str(source.id), "kind": "laptop", "serial_number": "SN-9", "received_on": str(clock.today)}
    assert post_form(client, "/structure/materiel/appareils", "/structure/materiel", fields).status_code == 303
    device = ledger.devices_of(lender, str(w.structure.id))[0]
    assert device.status == "received" and device.serial_number == "SN-9"
    page = client.get("/structure/materiel").text
    assert "SN-9" in page and "Ressourcerie de Crest" in page
    path = f"/structure/materiel/appareils/{device.id}"
    on = {"on": str(clock.today)}
    assert (
        post_form(client, path + "/reconditionnement", "/structure/materiel", {"grade": "B", **on}).status_code == 303
    )
    assert ledger.get_device(lender, str(device.id)).status == "available"
    assert post_form(client, path + "/retrait", "/structure/materiel", {"reason": "donated", **on}).status_code == 303
    assert ledger.get_device(lender, str(device.id)).status == "retired"
    again = post_form(client, path + "/reconditionnement", "/structure/materiel", {"grade": "B", **on})
    assert again.status_code == 409 and "Impossible" in again.text, "a retired device is refused in words"


def test_a_device_with_no_serial_is_refused_in_french(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    lender = t.Actor(role="structure", org=str(w.structure.id))
    source = ledger.register_source(lender, t.NewEquipmentSource(name="D", kind="company", commune_insee=s.DIE))
    sign_in(client, accounts.structure)
    fields = {"source_id": str(source.id), "kind": "laptop", "serial_number": "", "received_on": str(clock.today)}
    refused = post_form(client, "/structure/materiel/appareils", "/structure/materiel", fields)
    assert refused.status_code == 400 and "Impossible" in refused.text and 'role="alert"' in refused.text
    assert ledger.devices_of(lender, str(w.structure.id)) == []


def test_follow_up_extension_and_loss_then_the_papers(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    loan = lent(ledger, w, clock, days_ago=40)
    sign_in(client, accounts.structure)
    page = f"/structure/prets/{loan.id}"
    assert "TB-1" in client.get(page).text
    assert post_form(client, page + "/suivi", page, {"on": str(clock.today), "kind": "visit"}).status_code == 303
    later = loan.due_on + timedelta(days=30)
    assert post_form(client, page + "/prolongation", page, {"due_on": str(later)}).status_code == 303
    refused = post_form(client, page + "/prolongation", page, {"due_on": str(loan.start_on)})
    assert refused.status_code == 400 and "échéance" in refused.text
    out = ledger.get_loan(t.Actor(role="structure", org=str(w.structure.id)), str(loan.id))
    assert out.follow_ups == 1 and out.due_on == later
    assert client.get(page + "/restitution.pdf").status_code == 409, "no receipt while the device is out"
    agreement = client.get(page + "/convention.pdf")
    assert agreement.headers["content-type"] == "application/pdf"
    assert "Convention de prêt de matériel" in text_of(agreement.content) and "40,00 euros" in text_of(
        agreement.content
    )
    assert post_form(client, page + "/perte", page, {"on": str(clock.today)}).status_code == 303
    receipt = text_of(client.get(page + "/restitution.pdf").content)
    assert "Déclaration de perte" in receipt and "Caution conservée 40,00 euros" in receipt
    assert "Caution rendue 0,00 euros" in receipt and "Mois commencés 2" in receipt


def test_the_overdue_list_and_another_structures_loan(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    late = lent(ledger, w, clock, days_ago=100, due_in=-10)
    sign_in(client, accounts.structure)
    overdue = client.get("/structure/retards").text
    assert f"/structure/prets/{late.id}" in overdue and ">10</td>" in overdue
    sign_in(client, accounts.other_structure)
    assert f"/structure/prets/{late.id}" not in client.get("/structure/retards").text
    assert client.get(f"/structure/prets/{late.id}").status_code == 403
    assert client.get(f"/structure/prets/{late.id}/convention.pdf").status_code == 403
