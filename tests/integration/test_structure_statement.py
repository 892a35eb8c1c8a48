"""A structure's statement by period, through the real ledger (SQLite or PostgreSQL): opening and closing
balances, the period's redemptions, reversals and settlements, keyset pages, and the refusals."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from ledger import types as t
from projections.verify import verify
from tests import scenario as s
from tests.scenario import ADMIN


def test_a_period_opens_where_the_previous_one_closed(ledger, stamped):
    clock = stamped
    clock.today = date(2026, 2, 2)
    w = s.world(ledger)
    cheques = s.book(ledger, w, count=5).cheques
    sid = str(w.structure.id)
    clock.today = date(2026, 2, 10)
    for c in cheques[:2]:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, date(2026, 2, 9)))
    clock.today = date(2026, 3, 5)
    ledger.redeem(w.structure_actor, s.redemption(cheques[2].serial, cheques[2].code, date(2026, 3, 4), "collective"))
    ledger.reverse_redemption(w.structure_actor, f"RDM-{cheques[0].serial}-1", t.ReasonBody(reason="erreur"))
    clock.today = date(2026, 3, 10)
    settlement = ledger.settle(ADMIN, t.NewSettlement(through=date(2026, 3, 10)))
    clock.today = date(2026, 4, 2)
    ledger.redeem(w.structure_actor, s.redemption(cheques[3].serial, cheques[3].code, date(2026, 4, 1)))

    february = ledger.period_statement(w.structure_actor, sid, date(2026, 2, 1), date(2026, 2, 28))
    march = ledger.period_statement(w.structure_actor, sid, date(2026, 3, 1), date(2026, 3, 31))
    assert (february.opening.due_cents, february.closing.due_cents) == (0, 2000)
    assert march.opening == february.closing
    assert (march.redeemed_count, march.reversed_count, march.settled_count) == (1, 1, 2)
    assert (march.closing.due_cents, march.closing.paid_cents) == (0, 2000)
    assert [(x.kind, x.serial, x.day, x.session_date, x.session_kind) for x in march.redemptions] == [
        ("redeemed", cheques[2].serial, date(2026, 3, 5), date(2026, 3, 4), "collective"),
        ("reversed", cheques[0].serial, date(2026, 3, 5), date(2026, 2, 9), "individual"),
    ]
    [line] = march.settlements
    assert (line.settlement_id, line.count, line.amount_cents) == (str(settlement.id), 2, 2000)
    assert line.end_to_end_id == settlement.lines[0].end_to_end_id
    assert line.iban_masked and line.iban_masked.startswith("FR76") and "*" in line.iban_masked
    assert line.payment_status == "ordered"

    # the period's figures agree with the statement of all time, and with each other
    whole = ledger.period_statement(w.structure_actor, sid, date(2026, 1, 1), date(2026, 4, 2))
    now = ledger.statement(w.structure_actor, sid)
    assert (whole.closing.due_cents, whole.closing.paid_cents) == (now.pending_cents, now.settled_cents)
    for p in (february, march, whole):
        assert p.closing.due_cents == (p.opening.due_cents + p.redeemed_cents - p.reversed_cents - p.settled_cents)
        assert p.closing.paid_cents == p.opening.paid_cents + p.settled_cents
    assert verify(ledger)[0] == []  # every row recomputed from the journal


def test_lines_come_in_keyset_pages(ledger, stamped):
    clock = stamped
    clock.today = date(2026, 3, 2)
    w = s.world(ledger)
    cheques = s.book(ledger, w, count=5).cheques
    sid = str(w.structure.id)
    for n, c in enumerate(cheques):
        clock.today = date(2026, 3, 3 + n // 2)
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, clock.today))
    seen, cursor = [], None
    while True:
        page = ledger.period_statement(w.structure_actor, sid, date(2026, 3, 1), limit=2, cursor=cursor)
        assert len(page.redemptions) <= 2
        seen += [x.serial for x in page.redemptions]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [c.serial for c in cheques]
    with pytest.raises(errors.ValidationError) as bad:
        ledger.period_statement(w.structure_actor, sid, cursor="1 OR 1=1")
    assert bad.value.fields[0][0] == "cursor"


def test_periods_the_ledger_refuses(ledger, stamped):
    stamped.today = date(2026, 3, 16)
    w = s.world(ledger)
    sid = str(w.structure.id)
    with pytest.raises(errors.ValidationError) as backwards:
        ledger.period_statement(w.structure_actor, sid, date(2026, 3, 10), date(2026, 3, 1))
    assert backwards.value.fields[0][0] == "to"
    with pytest.raises(errors.ValidationError) as future:
        ledger.period_statement(w.structure_actor, sid, date(2026, 3, 1), date(2026, 3, 17))
    assert future.value.fields[0][0] == "to"
    other = s.structure(ledger, "Autre lieu", bank=False)
    with pytest.raises(errors.Forbidden):
        ledger.period_statement(w.structure_actor, str(other.id))
    default = ledger.period_statement(w.structure_actor, sid)
    assert (default.start, default.end) == (date(2026, 3, 1), date(2026, 3, 16))


def test_verify_names_a_statement_row_that_differs_from_the_journal(ledger, stamped):
    stamped.today = date(2026, 3, 2)
    w = s.world(ledger)
    c = s.book(ledger, w, count=1).cheques[0]
    ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, date(2026, 3, 2)))
    ledger.period_statement(w.structure_actor, str(w.structure.id))  # the views caught up
    assert verify(ledger)[0] == []
    with ledger.db.transaction() as cur:
        cur.execute("UPDATE structure_days SET redeemed_cents = redeemed_cents + 1")
        cur.execute("UPDATE structure_lines SET amount_cents = amount_cents + 1")
    problems = verify(ledger)[0]
    assert any(p.startswith("structure_days:") for p in problems)
    assert any(p.startswith("structure_lines:") for p in problems)
