"""A prescriber's caseload: own beneficiaries only, newest first, with their cheques issued and redeemed; read
with one statement for the beneficiaries and an index for their cheques, however many cheques the ledger holds."""

from __future__ import annotations

from ledger import types as t
from tests import scenario as s


def test_the_caseload_counts_each_beneficiarys_cheques_and_shows_only_ones_own(ledger):
    w = s.world(ledger)
    second = s.beneficiary(ledger, w.prescriber_actor, first_name="Sacha", last_name="Durand")
    erased = s.beneficiary(ledger, w.prescriber_actor, first_name="Noa", last_name="Petit")
    other = s.prescriber(ledger, "CCAS de Romans")
    other_actor = t.Actor(role="prescriber", org=str(other.id))
    theirs = s.beneficiary(ledger, other_actor, first_name="Eden", last_name="Roux")
    cheques = s.book(ledger, w, count=4).cheques
    for c in cheques[:3]:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, ledger.today()))
    for who in (second, theirs):
        ledger.issue_book(
            other_actor if who is theirs else w.prescriber_actor,
            t.NewChequeBook(beneficiary_id=who.id, count=2, face_value_cents=1000),
        )
    ledger.erase_beneficiary(s.ADMIN, str(erased.id))  # erasure is the administrator's

    entries = ledger.caseload(w.prescriber_actor)
    assert [(e.id, e.first_name, e.cheques_issued, e.cheques_redeemed) for e in entries] == [
        (second.id, "Sacha", 2, 0),
        (w.beneficiary.id, "Camille", 4, 3),
    ], "newest first; the erased one and the other prescriber's left out"
    assert [e.id for e in ledger.caseload(other_actor)] == [theirs.id]


def test_the_caseload_loads_its_beneficiaries_in_one_statement(ledger, monkeypatch):
    w = s.world(ledger)
    for i in range(6):
        s.beneficiary(ledger, w.prescriber_actor, first_name=f"B{i}")
    ledger.views.catch_up()
    calls = []
    real_load = ledger.loader.load
    monkeypatch.setattr(ledger.loader, "load", lambda ids: calls.append(list(ids)) or real_load(ids))
    entries = ledger.caseload(w.prescriber_actor)
    assert len(entries) == 7
    assert len(calls) == 1 and len(calls[0]) == 7


def test_a_beneficiarys_cheques_are_found_through_an_index(ledger):
    w = s.world(ledger)
    s.book(ledger, w, count=3)
    ledger.views.catch_up()
    query = "SELECT COUNT(*) FROM cheque_index WHERE beneficiary_id = ?"
    with ledger.db.read() as cur:
        if ledger.db.postgres:
            cur.execute("SET LOCAL enable_seqscan = off")  # a tiny table: only an index can then answer
            plan = " ".join(r[0] for r in cur.execute("EXPLAIN " + query, (str(w.beneficiary.id),)).fetchall())
        else:
            plan = " ".join(
                str(r[-1]) for r in cur.execute("EXPLAIN QUERY PLAN " + query, (str(w.beneficiary.id),)).fetchall()
            )
    assert "cheque_beneficiary" in plan, plan
