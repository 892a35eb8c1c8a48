"""A process that starts after the cheques were issued projects their redemptions without looking cheques up:
the postings take the cheques' amounts and owners from their rows, in the database."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

import msgspec
import pytest

from ledger.database import Cursor
from projections.ledger_views import LedgerViews
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


def test_a_move_of_a_cheque_with_no_row_refuses_the_whole_batch(ledger):
    """A posting whose cheque is not indexed is never dropped silently: the batch fails and writes nothing."""
    views = LedgerViews()
    stored = msgspec.json.encode(
        {
            "timestamp": {"_type_": "datetime_iso", "_data_": "2026-06-01T10:00:00.000000+00:00"},
            "structure_id": {"_type_": "uuid_hex", "_data_": uuid4().hex},
            "session_date": {"_type_": "date_iso", "_data_": "2026-06-01"},
            "session_kind": "individual",
            "duration_minutes": 30,
        }
    )
    row = SimpleNamespace(
        id=10**9, originator_id=str(uuid4()), originator_version=2, topic="domain.cheques:Cheque.Redeemed", state=stored
    )
    with ledger.db.read() as cur:
        before = cur.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
    with pytest.raises(Exception, match="(?i)null"), ledger.db.transaction() as cur:
        views.begin(cur)
        views.apply(cur, None, row)
        views.flush(cur)
    with ledger.db.read() as cur:
        assert cur.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == before
