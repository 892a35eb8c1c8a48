"""A structure's statement reads its settlements from rows (``settlement_lines`` of ``projections/payments.py``),
never from the ``Settlement`` aggregates, and says of each what the aggregates say: the transfer's EndToEndId, the
account the order paid (masked), the payment status, the execution day and the bank's reference. On both
backends; for settlements recorded before payment orders existed, ordered, executed, an execution refused, two
structures in one run, and after a change of bank details; then for random ledgers (hypothesis)."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from unittest import mock
from uuid import UUID, uuid4

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from api.bootstrap import open_ledger
from domain import errors
from domain.bank_accounts import mask_iban
from domain.settlement import Settlement, end_to_end_id, settlement_lines
from ledger import types as t
from ledger.clock import PARIS
from projections.payments import Payments
from projections.verify import verify
from tests import scenario as s
from tests.conftest import BACKEND, SECRET, Clock, database_config


def from_aggregates(ledger, structure_id: str, settlements: list[t.StatementSettlement]) -> list[t.StatementSettlement]:
    """The statement's settlements as the statement made them before these rows: from each ``Settlement``."""
    out = []
    for x in settlements:
        settlement = ledger.app.repository.get(UUID(x.settlement_id))
        numbers = [n for n, line in enumerate(settlement.lines, 1) if line["structure_id"] == structure_id]
        payee = settlement.payees.get(structure_id)
        out.append(
            msgspec.structs.replace(
                x,
                end_to_end_id=end_to_end_id(settlement.id, numbers[0]) if numbers else None,
                iban_masked=mask_iban(payee["iban"]) if payee else None,
                payment_status=settlement.payment_status,
                executed_on=settlement.executed_on,
                bank_reference=settlement.bank_reference,
            )
        )
    return out


def paying(ledger, structure_id: str) -> list[tuple[str, int, int]]:
    """(settlement, count, cents) of every settlement paying the structure, from the aggregates."""
    with ledger.db.read() as cur:
        ids = [r[0] for r in cur.execute("SELECT id FROM settlements").fetchall()]
    out = []
    for settlement_id in ids:
        settlement = ledger.app.repository.get(UUID(settlement_id))
        for line in settlement.lines:
            if line["structure_id"] == structure_id:
                out.append((settlement_id, line["count"], line["amount_cents"]))
    return sorted(out)


def no_settlement_loaded(ledger, monkeypatch) -> None:
    """The statement's read may load its structure, never a settlement."""
    load, load_many = ledger._load, ledger._load_many

    def guarded_load(aggregate_id, kind, what="Ressource"):
        assert kind is not Settlement, "a statement must not load a settlement aggregate"
        return load(aggregate_id, kind, what)

    def guarded_many(ids, kind, what="Ressource"):
        assert kind is not Settlement, "a statement must not load a settlement aggregate"
        return load_many(ids, kind, what)

    monkeypatch.setattr(ledger, "_load", guarded_load)
    monkeypatch.setattr(ledger, "_load_many", guarded_many)


def actor(structure_id: str) -> t.Actor:
    return t.Actor(role="structure", org=structure_id)


def settle_without_order(ledger, structure_id: str, cheques: list[t.IssuedCheque]) -> UUID:
    """A settlement as runs were recorded before payment orders existed: ``Made`` without ``Ordered`` (no payee,
    no split by funder), its cheques settled in the same transaction."""
    from domain.cheques import Cheque
    from domain.ids import natural_id

    loaded = [ledger.app.repository.get(natural_id("cheque", c.serial)) for c in cheques]
    assert all(isinstance(c, Cheque) and c.redeemed_by == structure_id for c in loaded)
    lines, total = settlement_lines(loaded)
    settlement_id = uuid4()
    for c in loaded:
        c.settle(settlement_id)
    ledger.app.save(Settlement(id=settlement_id, through=ledger.today(), lines=lines, total_cents=total), *loaded)  # type: ignore[call-arg]
    return settlement_id


def test_settlements_on_the_statement_come_from_rows_and_say_what_the_aggregates_say(ledger, stamped, monkeypatch):
    stamped.today = date(2026, 2, 2)
    w = s.world(ledger)
    first = str(w.structure.id)
    other = s.structure(ledger, "Espace numérique de Die", bank=False)
    second = str(other.id)
    s.bank_account(ledger, second, 2)
    cheques = s.book(ledger, w, count=10).cheques

    # a run recorded before payment orders existed: no account named, ordered (nothing executed)
    stamped.today = date(2026, 2, 3)
    ledger.redeem(w.structure_actor, s.redemption(cheques[0].serial, cheques[0].code, date(2026, 2, 3)))
    legacy = settle_without_order(ledger, first, [cheques[0]])

    # two structures in one run, executed
    stamped.today = date(2026, 2, 10)
    for c in cheques[1:3]:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, date(2026, 2, 10)))
    ledger.redeem(actor(second), s.redemption(cheques[3].serial, cheques[3].code, date(2026, 2, 10)))
    stamped.today = date(2026, 2, 12)
    both = ledger.settle(s.ADMIN, t.NewSettlement(through=date(2026, 2, 11)))
    assert {x.structure_id for x in both.lines} == {first, second}
    stamped.today = date(2026, 2, 16)
    ledger.record_execution(
        s.ADMIN, str(both.id), t.NewExecution(executed_on=date(2026, 2, 14), bank_reference="BQ-2026-0214")
    )

    # the first structure changes its bank details: while the change waits for approval its cheques are held,
    # then the next run pays them to the new account
    ledger.submit_bank_details(actor(first), first, t.NewBankDetails(holder="Association titulaire", iban=s.iban(3)))
    stamped.today = date(2026, 2, 17)
    ledger.redeem(w.structure_actor, s.redemption(cheques[4].serial, cheques[4].code, date(2026, 2, 17)))
    pending_change = ledger.settle(s.ADMIN, t.NewSettlement(through=date(2026, 2, 17)))
    ledger.approve_bank_details(s.ADMIN, first)
    stamped.today = date(2026, 2, 20)
    ledger.redeem(w.structure_actor, s.redemption(cheques[5].serial, cheques[5].code, date(2026, 2, 20)))
    after_change = ledger.settle(s.ADMIN, t.NewSettlement(through=date(2026, 2, 20)))
    # an execution the ledger refuses (before the order's day) leaves the run ordered
    with pytest.raises(errors.ValidationError):
        ledger.record_execution(
            s.ADMIN, str(after_change.id), t.NewExecution(executed_on=date(2026, 2, 19), bank_reference="TROP-TOT")
        )
    stamped.today = date(2026, 3, 2)

    with monkeypatch.context() as patched:
        no_settlement_loaded(ledger, patched)
        mine = ledger.period_statement(w.structure_actor, first, date(2026, 2, 1), date(2026, 2, 28)).settlements
        theirs = ledger.period_statement(actor(second), second, date(2026, 2, 1), date(2026, 2, 28)).settlements
    assert mine == from_aggregates(ledger, first, mine)
    assert theirs == from_aggregates(ledger, second, theirs)
    assert [(x.settlement_id, x.count, x.amount_cents) for x in sorted(mine, key=lambda x: x.settlement_id)] == paying(
        ledger, first
    )
    assert [(x.settlement_id, x.count, x.amount_cents) for x in theirs] == paying(ledger, second)

    by_id = {x.settlement_id: x for x in mine}
    old = by_id[str(legacy)]
    assert (old.day, old.count, old.iban_masked, old.payment_status, old.executed_on) == (
        date(2026, 2, 3),
        1,
        None,
        "ordered",
        None,
    )
    assert old.end_to_end_id == end_to_end_id(legacy, 1)
    lines = {x.structure_id: x for x in both.lines}
    for structure_id, got, n in ((first, by_id[str(both.id)], 2000), (second, theirs[0], 1000)):
        assert got.end_to_end_id == lines[structure_id].end_to_end_id and got.amount_cents == n
        assert (got.payment_status, got.executed_on, got.bank_reference) == (
            "executed",
            date(2026, 2, 14),
            "BQ-2026-0214",
        )
    assert {by_id[str(both.id)].end_to_end_id[-5:], theirs[0].end_to_end_id[-5:]} == {"L0001", "L0002"}
    assert theirs[0].iban_masked == mask_iban(s.iban(2))
    # the account each run paid: the old one before the change, the new one once approved (held while it waited)
    assert [x.structure_id for x in pending_change.held] == [first] and str(pending_change.id) not in by_id
    assert by_id[str(both.id)].iban_masked == mask_iban(s.iban(1))
    assert by_id[str(after_change.id)].iban_masked == mask_iban(s.iban(3)) and by_id[str(after_change.id)].count == 2
    assert (by_id[str(after_change.id)].payment_status, by_id[str(after_change.id)].bank_reference) == (
        "ordered",
        None,
    )
    # never the IBAN in clear in the row
    with ledger.db.read() as cur:
        stored = [r[0] for r in cur.execute("SELECT iban_masked FROM settlement_lines").fetchall()]
    assert all(s.iban(n) not in (x or "") for x in stored for n in (1, 2, 3)) and any(stored)
    assert verify(ledger)[0] == []


def test_verify_names_a_settlement_line_that_differs_from_the_events(ledger, stamped):
    stamped.today = date(2026, 3, 2)
    w = s.world(ledger)
    c = s.book(ledger, w, count=1).cheques[0]
    ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, date(2026, 3, 2)))
    settlement = ledger.settle(s.ADMIN, t.NewSettlement(through=date(2026, 3, 2)))
    ledger.record_execution(
        s.ADMIN, str(settlement.id), t.NewExecution(executed_on=date(2026, 3, 2), bank_reference="REF-1")
    )
    ledger.views.catch_up()
    assert verify(ledger)[0] == []
    for change in (
        "iban_masked = 'FR76 **** **** **** **** *** 0000'",
        "line_number = 2",
        "bank_reference = 'REF-2'",
        "executed_on = NULL, payment_status = 'ordered'",
    ):
        with ledger.db.transaction() as cur:
            saved = cur.execute(
                "SELECT line_number, iban_masked, payment_status, executed_on, bank_reference FROM settlement_lines"
            ).fetchone()
            cur.execute(f"UPDATE settlement_lines SET {change}")
        problems = verify(ledger)[0]
        assert [p for p in problems if p.startswith("settlement_lines:")] == problems and len(problems) == 1, change
        assert str(settlement.id) in problems[0]
        with ledger.db.transaction() as cur:
            cur.execute(
                "UPDATE settlement_lines SET line_number = ?, iban_masked = ?, payment_status = ?, executed_on = ?,"
                " bank_reference = ?",
                saved,
            )
        assert verify(ledger)[0] == []


# settlement_lines as the payments projection kept it at version 1
OLD_SETTLEMENT_LINES = [
    "DROP TABLE settlement_lines",
    "CREATE TABLE settlement_lines (settlement_id TEXT NOT NULL, structure_id TEXT NOT NULL,"
    " count INTEGER NOT NULL, amount_cents BIGINT NOT NULL, PRIMARY KEY (settlement_id, structure_id))",
]


def test_a_database_of_the_previous_shape_replays_its_payments(make_ledger, stamped):
    stamped.today = date(2026, 3, 2)
    first = make_ledger()
    w = s.world(first)
    c = s.book(first, w, count=1).cheques[0]
    first.redeem(w.structure_actor, s.redemption(c.serial, c.code, date(2026, 3, 2)))
    settlement = first.settle(s.ADMIN, t.NewSettlement(through=date(2026, 3, 2)))
    first.record_execution(
        s.ADMIN, str(settlement.id), t.NewExecution(executed_on=date(2026, 3, 2), bank_reference="REF-1")
    )
    sid = str(w.structure.id)
    wanted = first.period_statement(w.structure_actor, sid).settlements
    with first.db.transaction() as cur:
        for statement in OLD_SETTLEMENT_LINES:
            cur.execute(statement)
        cur.execute(
            "INSERT INTO settlement_lines (settlement_id, structure_id, count, amount_cents) VALUES (?, ?, 1, 1000)",
            (str(settlement.id), sid),
        )
        cur.execute("UPDATE projection_versions SET version = 1 WHERE name = 'payments'")
    first.close()

    second = make_ledger()
    assert second.views.positions()["payments"] == 0, "its tables were dropped: it starts again"
    with second.db.read() as cur:
        assert dict(cur.execute("SELECT name, version FROM projection_versions").fetchall())["payments"] == 2
    assert Payments.version == 2
    got = second.period_statement(w.structure_actor, sid).settlements
    assert got == wanted == from_aggregates(second, sid, got)
    assert got[0].payment_status == "executed" and got[0].bank_reference == "REF-1"
    assert verify(second)[0] == []


START = date(2026, 1, 5)
STRUCTURES = 3
OPS = st.lists(
    st.tuples(
        st.sampled_from(["book", "redeem", "redeem", "redeem", "settle", "execute", "submit", "approve", "days"]),
        st.integers(min_value=0, max_value=200),
    ),
    min_size=5,
    max_size=30,
)


@settings(max_examples=30 if BACKEND == "sqlite" else 10, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=OPS)
@example(  # two structures in a run, executed, then a change of account and another run
    ops=[
        ("book", 0),
        ("redeem", 0),
        ("redeem", 1),
        ("settle", 0),
        ("execute", 0),
        ("submit", 0),
        ("redeem", 3),
        ("settle", 0),
        ("approve", 0),
        ("redeem", 0),
        ("settle", 0),
    ]
)
def test_statement_settlements_equal_the_aggregates(ops):
    clock = Clock(START)
    tmp = tempfile.TemporaryDirectory()
    ledger = open_ledger(database_config(Path(tmp.name)), SECRET, clock=clock)
    stamped = mock.patch(  # events stamped at noon (Paris) of the clock's day, as the ``stamped`` fixture does
        "eventsourcing.domain.datetime_now_with_tzinfo",
        lambda: datetime.combine(clock.today, time(12), PARIS).astimezone(UTC),
    )
    stamped.start()
    try:
        w = s.world(ledger, amount_cents=10_000_000)
        structures = [str(w.structure.id)]
        for n in range(1, STRUCTURES):
            other = s.structure(ledger, f"Lieu {n}", bank=False)
            structures.append(str(other.id))
            s.bank_account(ledger, str(other.id), n + 1)
        accounts = STRUCTURES + 1
        unused: list[t.IssuedCheque] = []
        settled: list[str] = []
        for op, n in ops:
            try:
                if op == "days":
                    clock.today = clock.today + timedelta(days=1 + n % 20)
                elif op == "book":
                    unused += s.book(ledger, w, count=1 + n % 4).cheques
                elif op == "redeem" and unused:
                    c = unused.pop(n % len(unused))
                    who = structures[n % STRUCTURES]
                    ledger.redeem(actor(who), s.redemption(c.serial, c.code, clock.today))
                elif op == "settle":
                    out = ledger.settle(s.ADMIN, t.NewSettlement(through=clock.today))
                    settled.append(str(out.id))
                elif op == "execute" and settled:
                    on = clock.today - timedelta(days=n % 3)  # sometimes before the order: refused
                    ledger.record_execution(
                        s.ADMIN, settled[n % len(settled)], t.NewExecution(executed_on=on, bank_reference=f"BQ-{n}")
                    )
                elif op == "submit":
                    who = structures[n % STRUCTURES]
                    accounts += 1
                    ledger.submit_bank_details(
                        actor(who), who, t.NewBankDetails(holder="Association titulaire", iban=s.iban(accounts))
                    )
                elif op == "approve":
                    ledger.approve_bank_details(s.ADMIN, structures[n % STRUCTURES])
            except errors.DomainError as refused:  # nothing to pay, already executed, nothing pending…
                if isinstance(refused, (errors.ProjectionFailed, errors.ProjectionLagging)):
                    raise
        # every row against its aggregate
        ledger.views.catch_up()
        with ledger.db.read() as cur:
            rows = cur.execute(
                "SELECT settlement_id, structure_id, count, amount_cents, line_number, iban_masked, payment_status,"
                " executed_on, bank_reference FROM settlement_lines"
            ).fetchall()
        want = set()
        for settlement_id in {r[0] for r in rows} | set(settled):
            settlement = ledger.app.repository.get(UUID(settlement_id))
            for number, line in enumerate(settlement.lines, 1):
                payee = settlement.payees.get(line["structure_id"])
                want.add(
                    (
                        settlement_id,
                        line["structure_id"],
                        line["count"],
                        line["amount_cents"],
                        number,
                        mask_iban(payee["iban"]) if payee else None,
                        settlement.payment_status,
                        settlement.executed_on.isoformat() if settlement.executed_on else None,
                        settlement.bank_reference,
                    )
                )
        assert {(*r[:2], int(r[2]), int(r[3]), int(r[4]), *r[5:]) for r in rows} == want
        # each structure's statements, whole and by month, against the aggregates
        for who in structures:
            whole = ledger.period_statement(actor(who), who, date(2025, 12, 1), clock.today).settlements
            assert whole == from_aggregates(ledger, who, whole)
            assert sorted((x.settlement_id, x.count, x.amount_cents) for x in whole) == paying(ledger, who)
            month = ledger.period_statement(actor(who), who, clock.today.replace(day=1), clock.today).settlements
            assert month == [x for x in whole if x.day >= clock.today.replace(day=1)]
        assert verify(ledger)[0] == []
    finally:
        stamped.stop()
        ledger.close()
        tmp.cleanup()
