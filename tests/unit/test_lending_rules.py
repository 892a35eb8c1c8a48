"""Lending and PIX domain rules, without a database: every transition and refusal."""

from __future__ import annotations

import functools
from datetime import date
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import errors
from domain.lending import Device, EquipmentSource, Loan, months_started
from domain.pix import PixAssessment, pix_pairs

D0 = date(2026, 1, 5)


def device(refurbished: bool = True) -> Device:
    d = Device.receive(uuid4(), "s1", "laptop", "SN-1", D0)
    if refurbished:
        d.refurbish("A", date(2026, 1, 10))
    return d


def loan(start=date(2026, 2, 1), due=date(2026, 5, 1), fee=500, deposit=3000) -> Loan:
    return Loan.sign(loan_id=uuid4(), device_id=uuid4(), beneficiary_id=uuid4(), structure_id="s1",
                     start_on=start, due_on=due, monthly_fee_cents=fee, deposit_cents=deposit)


def replayed(aggregate):
    return functools.reduce(lambda a, e: e.mutate(a), aggregate.collect_events(), None)


def test_source_and_device_validations():
    assert EquipmentSource.register("Emmaüs", "association", "26362").kind == "association"
    with pytest.raises(errors.ValidationError):
        EquipmentSource.register("X", "shop", "26362")
    with pytest.raises(errors.ValidationError):
        EquipmentSource.register("  ", "company", "26362")
    with pytest.raises(errors.ValidationError):
        Device.receive(uuid4(), "s1", "fridge", "SN", D0)
    with pytest.raises(errors.ValidationError):
        Device.receive(uuid4(), "s1", "laptop", "  ", D0)


def test_refurbishment_rules():
    d = device(refurbished=False)
    assert d.status == "received"
    with pytest.raises(errors.ValidationError):
        d.refurbish("D", date(2026, 1, 10))
    with pytest.raises(errors.ValidationError):
        d.refurbish("A", date(2026, 1, 1))  # before it was received
    d.refurbish("B", date(2026, 1, 10))
    assert (d.status, d.grade) == ("available", "B")
    with pytest.raises(errors.InvalidTransition):
        d.refurbish("A", date(2026, 1, 11))  # already available


@pytest.mark.parametrize("condition, status", [("good", "available"), ("damaged", "needs_repair"), ("incomplete", "needs_repair")])
def test_a_device_comes_back_available_only_in_good_condition(condition, status):
    d = device()
    loan_id = uuid4()
    d.lend(loan_id)
    assert d.status == "on_loan"
    with pytest.raises(errors.DeviceUnavailable):
        d.lend(uuid4())
    with pytest.raises(errors.InvalidTransition):
        d.come_back(uuid4(), condition, date(2026, 3, 1))  # another loan's return
    d.come_back(loan_id, condition, date(2026, 3, 1))
    assert d.status == status
    if status == "needs_repair":
        with pytest.raises(errors.DeviceUnavailable):
            d.lend(uuid4())
        d.refurbish("C", date(2026, 3, 5))
    d.lend(uuid4())
    assert replayed(d) == d


def test_lost_and_retired_devices_leave_the_fleet():
    d = device()
    loan_id = uuid4()
    d.lend(loan_id)
    with pytest.raises(errors.InvalidTransition):
        d.retire("recycled", date(2026, 3, 1))  # not while on loan
    d.lose(loan_id, date(2026, 3, 1))
    assert d.status == "retired"
    with pytest.raises(errors.DeviceUnavailable):
        d.lend(uuid4())
    with pytest.raises(errors.InvalidTransition):
        d.retire("donated", date(2026, 3, 2))
    fresh = device(refurbished=False)
    with pytest.raises(errors.ValidationError):
        fresh.retire("sold", date(2026, 3, 2))
    fresh.retire("beyond_repair", date(2026, 3, 2))
    assert fresh.status == "retired"


def test_loan_sign_validations():
    with pytest.raises(errors.ValidationError):
        loan(start=date(2026, 2, 1), due=date(2026, 2, 1))
    with pytest.raises(errors.ValidationError):
        loan(fee=-1)
    with pytest.raises(errors.ValidationError):
        loan(deposit=True)


def test_overdue_is_derived_never_stored():
    ln = loan(due=date(2026, 5, 1))
    assert ln.status_on(date(2026, 5, 1)) == "active"
    assert ln.status_on(date(2026, 5, 2)) == "overdue"
    ln.extend(date(2026, 6, 1))
    assert ln.status_on(date(2026, 5, 2)) == "active"
    with pytest.raises(errors.ValidationError):
        ln.extend(date(2026, 5, 15))  # not later than the current due date
    ln.give_back(date(2026, 7, 1), "good")
    assert ln.status_on(date(2026, 12, 1)) == "returned"


def test_follow_ups_and_ends():
    ln = loan()
    with pytest.raises(errors.ValidationError):
        ln.follow_up(date(2026, 2, 5), "letter", None)
    with pytest.raises(errors.ValidationError):
        ln.follow_up(date(2026, 1, 5), "visit", None)  # before the loan
    ln.follow_up(date(2026, 2, 5), "visit", "sealed-note")
    assert ln.follow_ups == 1
    with pytest.raises(errors.ValidationError):
        ln.give_back(date(2026, 3, 1), "broken")
    ln.give_back(date(2026, 3, 1), "damaged")
    for action in (lambda: ln.give_back(date(2026, 3, 2), "good"), lambda: ln.declare_lost(date(2026, 3, 2)),
                   lambda: ln.follow_up(date(2026, 3, 2), "call", None), lambda: ln.extend(date(2026, 9, 1))):
        with pytest.raises(errors.InvalidTransition):
            action()
    assert replayed(ln) == ln


def test_fees_are_for_the_months_begun():
    ln = loan(start=date(2026, 2, 1), fee=500)
    ln.give_back(date(2026, 3, 10), "good")
    assert ln.pending_events[-1].fees_cents == 1000
    lost = loan(start=date(2026, 1, 31), fee=300)
    lost.declare_lost(date(2026, 1, 31))
    assert lost.pending_events[-1].fees_cents == 300  # at least one month


@pytest.mark.parametrize(
    "start, end, months",
    [(date(2026, 1, 15), date(2026, 1, 15), 1), (date(2026, 1, 15), date(2026, 2, 14), 1),
     (date(2026, 1, 15), date(2026, 2, 15), 2), (date(2026, 1, 31), date(2026, 2, 28), 1),
     (date(2025, 12, 1), date(2026, 1, 1), 2), (date(2026, 3, 1), date(2027, 2, 28), 12)],
)
def test_months_started(start, end, months):
    assert months_started(start, end) == months


def test_pix_record_validations():
    today = date(2026, 3, 1)
    ok = PixAssessment.record(beneficiary_id=uuid4(), phase="entry", score=1024, taken_on=today, recorded_by="s", today=today)
    assert (ok.phase, ok.score) == ("entry", 1024)
    for phase, score, on in (("middle", 10, today), ("exit", 1025, today), ("exit", -1, today), ("exit", True, today),
                             ("exit", 10, date(2026, 3, 2))):
        with pytest.raises(errors.ValidationError):
            PixAssessment.record(beneficiary_id=uuid4(), phase=phase, score=score, taken_on=on, recorded_by="s", today=today)


def test_pix_pairs_first_entry_latest_exit():
    rows = [("a", "entry", 100, "2026-01-05"), ("a", "entry", 150, "2026-01-02"), ("a", "exit", 200, "2026-03-01"),
            ("a", "exit", 260, "2026-04-01"), ("b", "entry", 80, "2026-01-01"), ("c", "exit", 90, "2026-02-01")]
    assert pix_pairs(rows) == {"a": (150, 260)}


@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from(["entry", "exit"]), st.integers(0, 1024),
                          st.dates(date(2026, 1, 1), date(2026, 12, 31)).map(date.isoformat)), max_size=30))
def test_pix_pairs_matches_a_reference(rows):
    expected = {}
    for b in {r[0] for r in rows}:
        entries = [r for r in rows if r[0] == b and r[1] == "entry"]
        exits = [r for r in rows if r[0] == b and r[1] == "exit"]
        if entries and exits:
            first = min(entries, key=lambda r: r[3])  # earliest; first given wins a tie
            latest = [r for r in exits if r[3] == max(x[3] for x in exits)][-1]  # latest; last given wins a tie
            expected[b] = (first[2], latest[2])
    assert pix_pairs(rows) == expected
