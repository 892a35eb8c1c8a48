"""Equipment lending and PIX through the real ledger."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from ledger import types as t
from tests import scenario as s

OBSERVATORY = t.Actor(role="observatory")


def stock(ledger, actor, n: int = 1) -> list[t.DeviceOut]:
    source = ledger.register_source(
        actor, t.NewEquipmentSource(name="Entreprise Numérique Drôme", kind="company", commune_insee=s.VALENCE)
    )
    devices = []
    for i in range(n):
        d = ledger.receive_device(
            actor,
            t.NewDevice(source_id=source.id, kind="laptop", serial_number=f"SN-{i}", received_on=date(2026, 1, 5)),
        )
        assert d.status == "received"
        devices.append(
            ledger.refurbish_device(actor, str(d.id), t.Refurbishment(grade="B", refurbished_on=date(2026, 1, 20)))
        )
    return devices


def lend(ledger, w, device, start=date(2026, 2, 1), due=date(2026, 5, 1), fee=500, deposit=3000) -> t.LoanOut:
    return ledger.sign_loan(
        w.structure_actor,
        t.NewLoan(
            device_id=device.id,
            beneficiary_id=w.beneficiary.id,
            start_on=start,
            due_on=due,
            monthly_fee_cents=fee,
            deposit_cents=deposit,
        ),
    )


def test_loan_lifecycle_and_device_states(ledger, clock):
    w = s.world(ledger)
    (device,) = stock(ledger, w.structure_actor)
    assert device.status == "available"
    loan = lend(ledger, w, device)
    assert loan.status == "active"
    assert ledger.get_device(w.structure_actor, str(device.id)).status == "on_loan"
    with pytest.raises(errors.DeviceUnavailable):
        lend(ledger, w, device)
    ledger.follow_up_loan(
        w.structure_actor,
        str(loan.id),
        t.NewFollowUp(on=date(2026, 2, 15), kind="visit", note="Mme X. à l'aise avec la messagerie"),
    )
    ledger.extend_loan(w.structure_actor, str(loan.id), t.LoanExtension(due_on=date(2026, 6, 1)))
    back = ledger.return_loan(w.structure_actor, str(loan.id), t.LoanReturn(on=date(2026, 3, 10), condition="damaged"))
    assert (back.status, back.follow_ups, back.due_on) == ("returned", 1, date(2026, 6, 1))
    # damaged goes to repair, not back to lending
    assert ledger.get_device(w.structure_actor, str(device.id)).status == "needs_repair"
    with pytest.raises(errors.DeviceUnavailable):
        lend(ledger, w, device)
    with pytest.raises(errors.InvalidTransition):
        ledger.return_loan(w.structure_actor, str(loan.id), t.LoanReturn(on=date(2026, 3, 11), condition="good"))
    with pytest.raises(errors.InvalidTransition):
        ledger.declare_loan_lost(w.structure_actor, str(loan.id), t.LoanLoss(on=date(2026, 3, 11)))
    with pytest.raises(errors.ValidationError):  # a fact is recorded once it has happened
        ledger.refurbish_device(
            w.structure_actor, str(device.id), t.Refurbishment(grade="C", refurbished_on=date(2026, 3, 20))
        )
    clock.today = date(2026, 3, 20)
    ledger.refurbish_device(
        w.structure_actor, str(device.id), t.Refurbishment(grade="C", refurbished_on=date(2026, 3, 20))
    )
    clock.today = date(2026, 4, 1)
    second = lend(ledger, w, device, start=date(2026, 4, 1), due=date(2026, 4, 30))
    clock.today = date(2026, 5, 15)
    ledger.declare_loan_lost(w.structure_actor, str(second.id), t.LoanLoss(on=date(2026, 5, 15)))
    assert ledger.get_device(w.structure_actor, str(device.id)).status == "retired"

    ledger.views.catch_up()
    with ledger.db.read() as cur:
        postings = cur.execute(
            "SELECT loan_id, kind, debit, credit, amount_cents FROM loan_journal ORDER BY position, seq"
        ).fetchall()
    assert [(p[1], p[4]) for p in postings] == [
        ("deposit_held", 3000),
        ("deposit_returned", 3000),
        ("fees_collected", 1000),  # Feb and Mar begun
        ("deposit_held", 3000),
        ("deposit_kept", 3000),
        ("fees_collected", 1000),  # Apr and May begun
    ]


def test_note_is_sealed_and_erased_with_the_person(ledger):
    w = s.world(ledger)
    (device,) = stock(ledger, w.structure_actor)
    loan = lend(ledger, w, device)
    ledger.follow_up_loan(
        w.structure_actor, str(loan.id), t.NewFollowUp(on=date(2026, 2, 15), kind="call", note="Appel à Camille Martin")
    )
    with ledger.db.read() as cur:
        table = ledger.app.recorder.events_table_name
        states = b"".join(bytes(r[0]) for r in cur.execute(f"SELECT state FROM {table}").fetchall())
    assert b"Camille Martin" not in states
    ledger.erase_beneficiary(s.ADMIN, str(w.beneficiary.id))
    # the follow-up still counts; its note can no longer be read, nor new notes sealed
    out = ledger.follow_up_loan(
        w.structure_actor, str(loan.id), t.NewFollowUp(on=date(2026, 3, 1), kind="visit", note="encore")
    )
    assert out.follow_ups == 2


def test_overdue_is_derived_from_a_date(ledger):
    w = s.world(ledger)
    devices = stock(ledger, w.structure_actor, 3)
    a = lend(ledger, w, devices[0], due=date(2026, 3, 1))
    b = lend(ledger, w, devices[1], due=date(2026, 9, 1))
    c = lend(ledger, w, devices[2], due=date(2026, 3, 1))
    ledger.return_loan(w.structure_actor, str(c.id), t.LoanReturn(on=date(2026, 2, 20), condition="good"))

    def ids(status, as_of):
        return {x.id for x in ledger.list_loans(w.structure_actor, status=status, as_of=as_of).items}

    assert ids("active", date(2026, 2, 15)) == {a.id, b.id}
    assert ids("overdue", date(2026, 2, 15)) == set()
    assert ids("overdue", date(2026, 4, 1)) == {a.id}
    assert ids("active", date(2026, 4, 1)) == {b.id}
    assert ids("returned", date(2026, 4, 1)) == {c.id}
    assert {x.status for x in ledger.list_loans(w.structure_actor, as_of=date(2026, 4, 1)).items} == {
        "overdue",
        "active",
        "returned",
    }
    page = ledger.list_loans(w.structure_actor, limit=2)
    assert len(page.items) == 2 and page.next_cursor
    rest = ledger.list_loans(w.structure_actor, limit=2, cursor=page.next_cursor)
    assert len(rest.items) == 1 and rest.next_cursor is None
    other = t.Actor(
        role="structure",
        org=str(
            ledger.register_structure(
                s.ADMIN, t.NewStructure(siret=s.SIRET_FABAT, name="Autre", commune_insee=s.DIE)
            ).id
        ),
    )
    assert ledger.list_loans(other).items == []
    with pytest.raises(errors.Forbidden):
        ledger.get_loan(other, str(a.id))


def test_pix_pairs_and_indicators(ledger, clock):
    w = s.world(ledger)
    people = [w.beneficiary.id] + [s.beneficiary(ledger, w.prescriber_actor).id for _ in range(2)]
    scores = {
        people[0]: [("entry", 120, 1), ("entry", 200, 5), ("exit", 260, 20), ("exit", 300, 40)],
        people[1]: [("entry", 400, 2), ("exit", 380, 30)],
        people[2]: [("entry", 50, 3)],
    }
    for person, tests in scores.items():
        for phase, score, day in tests:
            ledger.record_pix(
                w.structure_actor,
                str(person),
                t.NewPixAssessment(
                    phase=phase, score=score, taken_on=date(2026, 1, day) if day <= 31 else date(2026, 2, day - 31)
                ),
            )
    with pytest.raises(errors.ValidationError):
        ledger.record_pix(
            w.structure_actor, str(people[0]), t.NewPixAssessment(phase="exit", score=10, taken_on=date(2026, 12, 1))
        )
    history = ledger.pix_history(w.prescriber_actor, str(people[0]))
    assert [x.score for x in history.items] == [120, 200, 260, 300]
    (device,) = stock(ledger, w.structure_actor)
    lend(ledger, w, device, start=date(2026, 2, 1), due=date(2026, 3, 1))
    i = ledger.indicators(OBSERVATORY)
    assert (i.pix.entries, i.pix.exits, i.pix.pairs) == (4, 3, 2)
    # pairs: (120 → 300) and (400 → 380)
    assert (i.pix.entry_avg, i.pix.exit_avg, i.pix.delta_avg) == (260.0, 340.0, 80.0)
    assert (i.loans.agreements_signed, i.loans.overdue, i.equipment_sources) == (1, 1, 1)
    assert i.loans.agreements_by_quarter == {"2026-Q1": 1}
    assert i.partners == 2  # the world's structure and prescriber
