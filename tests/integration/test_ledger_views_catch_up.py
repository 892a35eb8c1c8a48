"""A process that starts after the cheques were issued projects their redemptions without looking cheques up:
the postings take the cheques' amounts and owners from their rows, in the database."""

from __future__ import annotations

from ledger.database import Cursor
from tests import scenario as s


def test_a_fresh_process_projects_redemptions_of_cheques_it_never_saw_issued(make_ledger, monkeypatch):
    first = make_ledger()
    w = s.world(first)
    cheques = [c for _ in range(3) for c in s.book(first, w, count=10).cheques]
    first.views.catch_up()
    expected_before = first.reconciliation(s.ADMIN, "DEPT26")

    second = make_ledger()  # a new process: its projections have cached nothing
    for c in cheques:
        second.redeem(w.structure_actor, s.redemption(c.serial, c.code, second.today()))
    lookups = []
    real_execute = Cursor.execute

    def counting(self, sql, params=()):
        if "FROM cheque_index" in sql and sql.lstrip().startswith("SELECT"):
            lookups.append(len(params))
        return real_execute(self, sql, params)

    monkeypatch.setattr(Cursor, "execute", counting)
    second.views.catch_up()
    monkeypatch.undo()
    assert lookups == [], "no cheque is read back by the projection (its writes never wait on a read)"

    rec = second.reconciliation(s.ADMIN, "DEPT26")
    assert rec.balanced
    assert rec.redeemed_cents == len(cheques) * 1000
    assert rec.reserved_cents == expected_before.reserved_cents - len(cheques) * 1000
    statement = second.statement(w.structure_actor, str(w.structure.id))
    assert (statement.redeemed_count, statement.pending_cents) == (len(cheques), len(cheques) * 1000)
