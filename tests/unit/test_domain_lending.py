"""Refurbished-equipment lending (domain/lending.py): sources, devices, loans and months begun. No database.

Every transition and every refusal of the Device and Loan aggregates, the fee rule (monthly fee × months
begun), and a stateful model of a small fleet lent on loans, checked against the aggregates after every step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain import errors
from domain.lending import (
    MAX_DEPOSIT_CENTS,
    MAX_MONTHLY_FEE_CENTS,
    Device,
    DeviceKind,
    DeviceStatus,
    EquipmentSource,
    Loan,
    LoanStatus,
    SourceKind,
    months_started,
)

RECEIVED_ON = date(2026, 1, 5)
REFURBISHED_ON = date(2026, 1, 10)
START = date(2026, 2, 1)
DUE = date(2026, 5, 1)
STRUCTURE = "structure-1"

GRADES = ["A", "B", "C"]
CONDITIONS = ["good", "damaged", "incomplete"]
REASONS = ["recycled", "beyond_repair", "donated"]
FOLLOW_UP_KINDS = ["visit", "call", "workshop"]


def replay(events: list) -> Any:
    return functools.reduce(lambda aggregate, event: event.mutate(aggregate), events, None)


def names(events: list) -> list[str]:
    return [type(e).__name__ for e in events]


def receive(kind: str = "laptop", serial: str = "SN-0001", received_on: date = RECEIVED_ON) -> Device:
    return Device.receive(uuid4(), STRUCTURE, kind, serial, received_on)


def device_in(status: str) -> tuple[Device, UUID | None]:
    """A device brought to ``status`` through the ordinary transitions, with its loan id when on loan."""
    d = receive()
    if status == DeviceStatus.RECEIVED:
        return d, None
    d.refurbish("A", REFURBISHED_ON)
    if status == DeviceStatus.AVAILABLE:
        return d, None
    loan_id = uuid4()
    d.lend(loan_id)
    if status == DeviceStatus.ON_LOAN:
        return d, loan_id
    if status == DeviceStatus.NEEDS_REPAIR:
        d.come_back(loan_id, "damaged", START)
        return d, None
    if status == DeviceStatus.RETIRED:
        d.lose(loan_id, START)
        return d, None
    raise AssertionError(status)


def sign(
    *,
    loan_id: UUID | None = None,
    start_on: date = START,
    due_on: date = DUE,
    monthly_fee_cents: Any = 500,
    deposit_cents: Any = 3000,
) -> Loan:
    return Loan.sign(
        loan_id=loan_id or uuid4(),
        device_id=uuid4(),
        beneficiary_id=uuid4(),
        structure_id=STRUCTURE,
        start_on=start_on,
        due_on=due_on,
        monthly_fee_cents=monthly_fee_cents,
        deposit_cents=deposit_cents,
    )


def refused(action: Callable[[], Any], error: type[errors.DomainError], aggregate: Any) -> errors.DomainError:
    """``action`` raises ``error`` and leaves ``aggregate`` exactly as it was, with nothing recorded."""
    before = dict(aggregate.__dict__)
    pending = list(aggregate.pending_events)
    with pytest.raises(error) as info:
        action()
    assert type(info.value) is error
    assert aggregate.__dict__ == before
    assert list(aggregate.pending_events) == pending
    return info.value


# -- the refusals' contract --------------------------------------------------------------------------


def test_the_lending_refusals_carry_their_problem_type_and_status() -> None:
    assert (errors.DeviceUnavailable.slug, errors.DeviceUnavailable.status) == ("device-unavailable", 409)
    assert (errors.InvalidTransition.slug, errors.InvalidTransition.status) == ("invalid-transition", 409)
    assert (errors.ValidationError.slug, errors.ValidationError.status) == ("validation-error", 400)
    for cls in (errors.DeviceUnavailable, errors.InvalidTransition, errors.ValidationError):
        assert issubclass(cls, errors.DomainError)
        assert type(errors.from_slug(cls.slug, "x")) is cls


# -- equipment sources ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [k.value for k in SourceKind])
def test_a_source_is_registered(kind: str) -> None:
    source = EquipmentSource.register("  Emmaüs Valence  ", kind, "26362")
    assert (source.name, source.kind, source.commune_insee) == ("Emmaüs Valence", kind, "26362")
    events = list(source.collect_events())
    assert names(events) == ["Registered"]
    assert replay(events) == source


def test_a_source_kind_may_be_given_as_the_enum() -> None:
    assert EquipmentSource.register("Mairie", SourceKind.PUBLIC_BODY, "26362").kind == "public_body"


@pytest.mark.parametrize("kind", ["shop", "Company", "", "COMPANY"])
def test_a_source_of_unknown_kind_is_refused(kind: str) -> None:
    with pytest.raises(errors.ValidationError):
        EquipmentSource.register("Emmaüs", kind, "26362")


@pytest.mark.parametrize("name", ["", " ", "\t\n"])
def test_a_source_needs_a_name(name: str) -> None:
    with pytest.raises(errors.ValidationError):
        EquipmentSource.register(name, "company", "26362")


# -- devices: reception --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [k.value for k in DeviceKind])
def test_a_device_is_received(kind: str) -> None:
    source_id = uuid4()
    d = Device.receive(source_id, STRUCTURE, kind, "  SN-42 ", RECEIVED_ON)
    assert d.source_id == source_id and d.structure_id == STRUCTURE
    assert d.kind == kind
    assert d.serial_number == "SN-42"  # trimmed
    assert d.received_on == RECEIVED_ON
    assert d.status == DeviceStatus.RECEIVED == "received"
    assert d.grade is None and d.loan_id is None
    events = list(d.collect_events())
    assert names(events) == ["Received"]
    assert replay(events) == d


def test_a_device_kind_may_be_given_as_the_enum() -> None:
    assert receive(kind=DeviceKind.TABLET).kind == "tablet"


@pytest.mark.parametrize("kind", ["fridge", "Laptop", "LAPTOP", "", "printer"])
def test_a_device_of_unknown_kind_is_refused(kind: str) -> None:
    with pytest.raises(errors.ValidationError):
        receive(kind=kind)


@pytest.mark.parametrize("serial", ["", " ", "   ", "\t", "\n \t"])
def test_a_device_needs_a_serial_number(serial: str) -> None:
    with pytest.raises(errors.ValidationError):
        receive(serial=serial)


# -- devices: refurbishment -----------------------------------------------------------------------------


@pytest.mark.parametrize("grade", GRADES)
def test_a_received_device_is_refurbished_to_a_grade(grade: str) -> None:
    d = receive()
    d.collect_events()
    d.refurbish(grade, REFURBISHED_ON)
    assert (d.status, d.grade) == ("available", grade)
    (e,) = d.collect_events()
    assert isinstance(e, Device.Refurbished)
    assert (e.grade, e.on) == (grade, REFURBISHED_ON)


@pytest.mark.parametrize("grade", GRADES)
def test_a_device_needing_repair_is_refurbished_again(grade: str) -> None:
    d, _ = device_in("needs_repair")
    d.refurbish(grade, START + timedelta(days=3))
    assert (d.status, d.grade) == ("available", grade)


def test_refurbishment_on_the_day_of_reception_is_accepted() -> None:
    d = receive()
    d.refurbish("B", RECEIVED_ON)
    assert d.status == "available"


def test_refurbishment_before_reception_is_refused() -> None:
    d = receive()
    refused(lambda: d.refurbish("A", RECEIVED_ON - timedelta(days=1)), errors.ValidationError, d)
    assert d.status == "received"


@pytest.mark.parametrize("grade", ["D", "a", "b", "", " A", "A+", "AB", None])
def test_only_grades_a_b_c_exist(grade: Any) -> None:
    d = receive()
    refused(lambda: d.refurbish(grade, REFURBISHED_ON), errors.ValidationError, d)


@pytest.mark.parametrize("status", ["available", "on_loan", "retired"])
def test_refurbishment_is_refused_outside_received_and_needs_repair(status: str) -> None:
    d, _ = device_in(status)
    err = refused(lambda: d.refurbish("A", START + timedelta(days=10)), errors.InvalidTransition, d)
    assert err.status == 409 and err.slug == "invalid-transition"


def test_a_retired_device_that_was_never_lent_cannot_be_refurbished() -> None:
    d = receive()
    d.retire("recycled", REFURBISHED_ON)
    refused(lambda: d.refurbish("A", REFURBISHED_ON), errors.InvalidTransition, d)


# -- devices: lending ----------------------------------------------------------------------------------


def test_an_available_device_is_lent() -> None:
    d, _ = device_in("available")
    d.collect_events()
    loan_id = uuid4()
    d.lend(loan_id)
    assert (d.status, d.loan_id) == ("on_loan", loan_id)
    (e,) = d.collect_events()
    assert isinstance(e, Device.Lent) and e.loan_id == loan_id


@pytest.mark.parametrize("status", ["received", "on_loan", "needs_repair", "retired"])
def test_lending_is_refused_unless_available(status: str) -> None:
    d, _ = device_in(status)
    err = refused(lambda: d.lend(uuid4()), errors.DeviceUnavailable, d)
    assert err.status == 409 and err.slug == "device-unavailable"
    assert status in err.detail


@pytest.mark.parametrize("reason", REASONS)
def test_a_retired_device_is_never_lent(reason: str) -> None:
    d, _ = device_in("available")
    d.retire(reason, START)
    refused(lambda: d.lend(uuid4()), errors.DeviceUnavailable, d)


def test_a_device_on_loan_is_not_lent_again_even_on_the_same_loan() -> None:
    d, loan_id = device_in("on_loan")
    refused(lambda: d.lend(loan_id), errors.DeviceUnavailable, d)
    assert d.loan_id == loan_id


# -- devices: coming back ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "status"), [("good", "available"), ("damaged", "needs_repair"), ("incomplete", "needs_repair")]
)
def test_a_device_comes_back_available_only_in_good_condition(condition: str, status: str) -> None:
    d, loan_id = device_in("on_loan")
    d.collect_events()
    d.come_back(loan_id, condition, START)
    assert d.status == status
    assert d.loan_id is None
    (e,) = d.collect_events()
    assert isinstance(e, Device.CameBack)
    assert (e.loan_id, e.condition, e.on) == (loan_id, condition, START)


def test_coming_back_on_another_loan_is_refused() -> None:
    d, loan_id = device_in("on_loan")
    refused(lambda: d.come_back(uuid4(), "good", START), errors.InvalidTransition, d)
    assert (d.status, d.loan_id) == ("on_loan", loan_id)


@pytest.mark.parametrize("status", ["received", "available", "needs_repair", "retired"])
def test_coming_back_is_refused_when_not_on_loan(status: str) -> None:
    d, _ = device_in(status)
    refused(lambda: d.come_back(uuid4(), "good", START), errors.InvalidTransition, d)
    refused(lambda: d.come_back(None, "good", START), errors.InvalidTransition, d)  # type: ignore[arg-type]


def test_a_device_comes_back_only_once_per_loan() -> None:
    d, loan_id = device_in("on_loan")
    d.come_back(loan_id, "good", START)
    refused(lambda: d.come_back(loan_id, "good", START), errors.InvalidTransition, d)
    # lent again on a new loan: the old loan's return is still refused
    new_loan = uuid4()
    d.lend(new_loan)
    refused(lambda: d.come_back(loan_id, "good", START), errors.InvalidTransition, d)
    d.come_back(new_loan, "incomplete", START)
    assert d.status == "needs_repair"


def test_a_repaired_device_is_lent_again() -> None:
    d, _ = device_in("needs_repair")
    refused(lambda: d.lend(uuid4()), errors.DeviceUnavailable, d)
    d.refurbish("C", START + timedelta(days=1))
    second = uuid4()
    d.lend(second)
    assert (d.status, d.loan_id, d.grade) == ("on_loan", second, "C")


# -- devices: loss and retirement ----------------------------------------------------------------------


def test_a_lost_device_is_retired() -> None:
    d, loan_id = device_in("on_loan")
    d.collect_events()
    d.lose(loan_id, START)
    assert (d.status, d.loan_id) == ("retired", None)
    (e,) = d.collect_events()
    assert isinstance(e, Device.Lost) and (e.loan_id, e.on) == (loan_id, START)
    refused(lambda: d.lend(uuid4()), errors.DeviceUnavailable, d)
    refused(lambda: d.refurbish("A", START), errors.InvalidTransition, d)
    refused(lambda: d.retire("recycled", START), errors.InvalidTransition, d)
    refused(lambda: d.lose(loan_id, START), errors.InvalidTransition, d)
    refused(lambda: d.come_back(loan_id, "good", START), errors.InvalidTransition, d)


def test_losing_on_another_loan_is_refused() -> None:
    d, loan_id = device_in("on_loan")
    refused(lambda: d.lose(uuid4(), START), errors.InvalidTransition, d)
    assert (d.status, d.loan_id) == ("on_loan", loan_id)


@pytest.mark.parametrize("status", ["received", "available", "needs_repair", "retired"])
def test_losing_is_refused_when_not_on_loan(status: str) -> None:
    d, _ = device_in(status)
    refused(lambda: d.lose(uuid4(), START), errors.InvalidTransition, d)


@pytest.mark.parametrize("reason", REASONS)
@pytest.mark.parametrize("status", ["received", "available", "needs_repair"])
def test_a_device_is_retired_for_a_known_reason(status: str, reason: str) -> None:
    d, _ = device_in(status)
    d.collect_events()
    d.retire(reason, START)
    assert d.status == "retired"
    (e,) = d.collect_events()
    assert isinstance(e, Device.Retired) and (e.reason, e.on) == (reason, START)


@pytest.mark.parametrize("reason", ["sold", "", "Recycled", "recycle", "lost", None])
def test_unknown_retirement_reasons_are_refused(reason: Any) -> None:
    d, _ = device_in("available")
    refused(lambda: d.retire(reason, START), errors.ValidationError, d)


@pytest.mark.parametrize("status", ["on_loan", "retired"])
@pytest.mark.parametrize("reason", REASONS)
def test_retirement_is_refused_on_loan_or_once_retired(status: str, reason: str) -> None:
    d, _ = device_in(status)
    refused(lambda: d.retire(reason, START), errors.InvalidTransition, d)


def test_a_retired_device_cannot_be_retired_again() -> None:
    d, _ = device_in("available")
    d.retire("donated", START)
    for reason in REASONS:
        refused(lambda: d.retire(reason, START), errors.InvalidTransition, d)


# -- devices: replay -----------------------------------------------------------------------------------


def test_a_devices_whole_life_replays() -> None:
    d = receive()
    events = list(d.collect_events())
    first, second = uuid4(), uuid4()
    steps = [
        lambda: d.refurbish("B", REFURBISHED_ON),
        lambda: d.lend(first),
        lambda: d.come_back(first, "damaged", START),
        lambda: d.refurbish("C", START + timedelta(days=2)),
        lambda: d.lend(second),
        lambda: d.come_back(second, "good", DUE),
        lambda: d.retire("donated", DUE + timedelta(days=1)),
    ]
    snapshots = []
    for step in steps:
        step()
        events.extend(d.collect_events())
        snapshots.append((list(events), dict(status=d.status, grade=d.grade, loan_id=d.loan_id)))
    assert names(events) == [
        "Received",
        "Refurbished",
        "Lent",
        "CameBack",
        "Refurbished",
        "Lent",
        "CameBack",
        "Retired",
    ]
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    rebuilt = replay(events)
    assert rebuilt == d and rebuilt is not d
    assert rebuilt.version == len(events)
    for prefix, state in snapshots:  # every prefix rebuilds the state at that time
        again = replay(prefix)
        assert dict(status=again.status, grade=again.grade, loan_id=again.loan_id) == state


def test_a_lost_device_replays() -> None:
    d, loan_id = device_in("on_loan")
    events = list(d.collect_events())
    d.lose(loan_id, START)
    events += d.collect_events()
    assert names(events) == ["Received", "Refurbished", "Lent", "Lost"]
    assert replay(events) == d


def test_a_device_rebuilt_from_its_events_continues_like_the_original() -> None:
    d, loan_id = device_in("on_loan")
    rebuilt = replay(list(d.collect_events()))
    refused(lambda: rebuilt.lend(uuid4()), errors.DeviceUnavailable, rebuilt)
    rebuilt.come_back(loan_id, "good", START)
    assert rebuilt.status == "available"


# -- loans: signature ----------------------------------------------------------------------------------


def test_a_loan_is_signed() -> None:
    loan_id, device_id, beneficiary_id = uuid4(), uuid4(), uuid4()
    ln = Loan.sign(
        loan_id=loan_id,
        device_id=device_id,
        beneficiary_id=beneficiary_id,
        structure_id=STRUCTURE,
        start_on=START,
        due_on=DUE,
        monthly_fee_cents=500,
        deposit_cents=3000,
    )
    assert ln.id == loan_id  # the caller's id, stamped on the device in the same transaction
    assert (ln.device_id, ln.beneficiary_id, ln.structure_id) == (device_id, beneficiary_id, STRUCTURE)
    assert (ln.start_on, ln.due_on) == (START, DUE)
    assert (ln.monthly_fee_cents, ln.deposit_cents) == (500, 3000)
    assert ln.state == LoanStatus.ACTIVE == "active"
    assert ln.follow_ups == 0 and ln.ended_on is None
    events = list(ln.collect_events())
    assert names(events) == ["Signed"]
    assert events[0].originator_id == loan_id
    assert replay(events) == ln


def test_a_loan_due_the_day_after_it_starts_is_accepted() -> None:
    assert sign(start_on=START, due_on=START + timedelta(days=1)).state == "active"


@pytest.mark.parametrize("due_on", [START, START - timedelta(days=1), date(2000, 1, 1)])
def test_a_loan_must_fall_due_after_it_starts(due_on: date) -> None:
    with pytest.raises(errors.ValidationError):
        sign(start_on=START, due_on=due_on)


@pytest.mark.parametrize("fee", [0, 1, 500, MAX_MONTHLY_FEE_CENTS])
@pytest.mark.parametrize("deposit", [0, 1, 3000, MAX_DEPOSIT_CENTS])
def test_fees_and_deposits_are_non_negative_cents(fee: int, deposit: int) -> None:
    ln = sign(monthly_fee_cents=fee, deposit_cents=deposit)
    assert (ln.monthly_fee_cents, ln.deposit_cents) == (fee, deposit)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("monthly_fee_cents", MAX_MONTHLY_FEE_CENTS + 1),
        ("deposit_cents", MAX_DEPOSIT_CENTS + 1),
        ("deposit_cents", 2**63),
    ],
)
def test_fees_and_deposits_have_a_ceiling(field: str, value: int) -> None:
    with pytest.raises(errors.ValidationError) as info:
        sign(**{field: value})
    assert info.value.fields == [(field, info.value.detail)]


@pytest.mark.parametrize("field", ["monthly_fee_cents", "deposit_cents"])
@pytest.mark.parametrize("value", [-1, -500, True, False, 5.0, 0.5, "500", None, 10**20 * 1.0])
def test_fees_and_deposits_must_be_non_negative_integers(field: str, value: Any) -> None:
    with pytest.raises(errors.ValidationError) as info:
        sign(**{field: value})
    assert info.value.fields[0][0] == field


# -- loans: overdue is derived -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (START - timedelta(days=30), "active"),
        (START, "active"),
        (DUE - timedelta(days=1), "active"),
        (DUE, "active"),  # due today: not yet overdue
        (DUE + timedelta(days=1), "overdue"),
        (DUE + timedelta(days=400), "overdue"),
    ],
)
def test_status_on_a_day(day: date, status: str) -> None:
    assert sign().status_on(day) == status


def test_overdue_is_derived_never_stored() -> None:
    ln = sign()
    events = list(ln.collect_events())
    assert ln.status_on(DUE) == "active"
    assert ln.status_on(DUE + timedelta(days=1)) == LoanStatus.OVERDUE == "overdue"
    assert ln.status_on(DUE) == "active"  # asking about a later day changed nothing
    assert ln.state == "active"
    assert ln.pending_events == []
    rebuilt = replay(events)
    assert rebuilt == ln
    assert rebuilt.status_on(DUE) == "active" and rebuilt.status_on(DUE + timedelta(days=1)) == "overdue"


def test_an_extension_brings_an_overdue_loan_back_to_active() -> None:
    ln = sign()
    late = DUE + timedelta(days=10)
    assert ln.status_on(late) == "overdue"
    ln.extend(late)
    assert ln.status_on(late) == "active"
    assert ln.status_on(late + timedelta(days=1)) == "overdue"


@pytest.mark.parametrize("end", ["give_back", "declare_lost"])
def test_an_ended_loan_is_never_overdue(end: str) -> None:
    ln = sign()
    late = DUE + timedelta(days=20)
    if end == "give_back":
        ln.give_back(late, "good")
    else:
        ln.declare_lost(late)
    expected = "returned" if end == "give_back" else "lost"
    for day in (START, DUE, late, late + timedelta(days=365)):
        assert ln.status_on(day) == expected


# -- loans: follow-ups ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", FOLLOW_UP_KINDS)
def test_a_loan_is_followed_up(kind: str) -> None:
    ln = sign()
    ln.collect_events()
    ln.follow_up(START, kind, "sealed:abc")
    ln.follow_up(START + timedelta(days=7), kind, None)
    assert ln.follow_ups == 2
    first, second = ln.collect_events()
    assert isinstance(first, Loan.FollowedUp)
    assert (first.on, first.kind, first.sealed_note) == (START, kind, "sealed:abc")
    assert second.sealed_note is None


def test_an_overdue_loan_is_still_active_and_is_followed_up() -> None:
    ln = sign()
    ln.follow_up(DUE + timedelta(days=30), "call", None)
    assert ln.follow_ups == 1


@pytest.mark.parametrize("kind", ["letter", "Visit", "", "email", None])
def test_unknown_follow_up_kinds_are_refused(kind: Any) -> None:
    ln = sign()
    refused(lambda: ln.follow_up(START, kind, None), errors.ValidationError, ln)


def test_a_follow_up_before_the_loan_is_refused() -> None:
    ln = sign()
    refused(lambda: ln.follow_up(START - timedelta(days=1), "visit", None), errors.ValidationError, ln)


@pytest.mark.parametrize("end", ["give_back", "declare_lost"])
def test_an_ended_loan_is_not_followed_up(end: str) -> None:
    ln = sign()
    getattr(ln, end)(START, *(["good"] if end == "give_back" else []))
    err = refused(lambda: ln.follow_up(START, "visit", None), errors.InvalidTransition, ln)
    assert err.status == 409


# -- loans: extension ----------------------------------------------------------------------------------


def test_a_loan_is_extended_to_a_later_date() -> None:
    ln = sign()
    ln.collect_events()
    ln.extend(DUE + timedelta(days=1))
    ln.extend(DUE + timedelta(days=60))
    assert ln.due_on == DUE + timedelta(days=60)
    assert [e.due_on for e in ln.collect_events()] == [DUE + timedelta(days=1), DUE + timedelta(days=60)]


@pytest.mark.parametrize("due_on", [DUE, DUE - timedelta(days=1), START, START - timedelta(days=1)])
def test_an_extension_must_be_later_than_the_current_due_date(due_on: date) -> None:
    ln = sign()
    refused(lambda: ln.extend(due_on), errors.ValidationError, ln)


def test_an_extension_is_measured_from_the_latest_due_date() -> None:
    ln = sign()
    ln.extend(DUE + timedelta(days=30))
    refused(lambda: ln.extend(DUE + timedelta(days=15)), errors.ValidationError, ln)


@pytest.mark.parametrize("end", ["give_back", "declare_lost"])
def test_an_ended_loan_is_not_extended(end: str) -> None:
    ln = sign()
    getattr(ln, end)(START, *(["good"] if end == "give_back" else []))
    refused(lambda: ln.extend(DUE + timedelta(days=30)), errors.InvalidTransition, ln)


# -- loans: return and loss ----------------------------------------------------------------------------


@pytest.mark.parametrize("condition", CONDITIONS)
def test_a_loan_is_given_back(condition: str) -> None:
    ln = sign(monthly_fee_cents=500)
    ln.collect_events()
    on = date(2026, 3, 10)
    ln.give_back(on, condition)
    assert (ln.state, ln.ended_on) == ("returned", on)
    (e,) = ln.collect_events()
    assert isinstance(e, Loan.Returned)
    assert (e.on, e.condition, e.fees_cents) == (on, condition, 1000)  # February and March begun


def test_a_loan_is_given_back_on_its_first_day() -> None:
    ln = sign(monthly_fee_cents=700)
    ln.give_back(START, "good")
    assert ln.pending_events[-1].fees_cents == 700  # at least one month


@pytest.mark.parametrize("condition", ["broken", "Good", "", "lost", None])
def test_unknown_return_conditions_are_refused(condition: Any) -> None:
    ln = sign()
    refused(lambda: ln.give_back(START, condition), errors.ValidationError, ln)


def test_a_return_before_the_loan_is_refused() -> None:
    ln = sign()
    refused(lambda: ln.give_back(START - timedelta(days=1), "good"), errors.ValidationError, ln)


def test_a_loan_is_declared_lost() -> None:
    ln = sign(monthly_fee_cents=300)
    ln.collect_events()
    on = date(2026, 4, 1)
    ln.declare_lost(on)
    assert (ln.state, ln.ended_on) == ("lost", on)
    (e,) = ln.collect_events()
    assert isinstance(e, Loan.Lost)
    assert (e.on, e.fees_cents) == (on, 900)  # February, March and April begun


def test_a_loss_before_the_loan_is_refused() -> None:
    ln = sign()
    refused(lambda: ln.declare_lost(START - timedelta(days=1)), errors.ValidationError, ln)


def test_a_loan_is_given_back_only_once() -> None:
    ln = sign()
    ln.give_back(date(2026, 3, 1), "good")
    for condition in CONDITIONS:
        err = refused(lambda: ln.give_back(date(2026, 3, 2), condition), errors.InvalidTransition, ln)
        assert "returned" in err.detail
    assert ln.ended_on == date(2026, 3, 1)


def test_a_returned_loan_cannot_be_declared_lost() -> None:
    ln = sign()
    ln.give_back(date(2026, 3, 1), "damaged")
    refused(lambda: ln.declare_lost(date(2026, 3, 2)), errors.InvalidTransition, ln)
    assert ln.state == "returned"


def test_a_lost_loan_cannot_be_given_back_or_lost_again() -> None:
    ln = sign()
    ln.declare_lost(date(2026, 3, 1))
    refused(lambda: ln.give_back(date(2026, 3, 2), "good"), errors.InvalidTransition, ln)
    refused(lambda: ln.declare_lost(date(2026, 3, 2)), errors.InvalidTransition, ln)
    assert ln.state == "lost"


def test_an_ended_loan_refuses_before_validating() -> None:
    # on an ended loan every command is an invalid transition, whatever its arguments
    ln = sign()
    ln.give_back(date(2026, 3, 1), "good")
    refused(lambda: ln.give_back(START - timedelta(days=1), "broken"), errors.InvalidTransition, ln)
    refused(lambda: ln.follow_up(START - timedelta(days=1), "letter", None), errors.InvalidTransition, ln)
    refused(lambda: ln.extend(START), errors.InvalidTransition, ln)


@pytest.mark.parametrize(
    ("start_on", "on", "fee", "fees"),
    [
        (date(2026, 2, 1), date(2026, 2, 1), 500, 500),
        (date(2026, 2, 1), date(2026, 2, 28), 500, 500),
        (date(2026, 2, 1), date(2026, 3, 1), 500, 1000),
        (date(2026, 2, 1), date(2026, 3, 10), 500, 1000),
        (date(2026, 1, 31), date(2026, 2, 28), 300, 300),
        (date(2026, 1, 31), date(2026, 3, 1), 300, 600),
        (date(2025, 12, 15), date(2026, 1, 15), 250, 500),
        (date(2026, 2, 1), date(2027, 1, 31), 100, 1200),
        (date(2026, 2, 1), date(2027, 2, 1), 100, 1300),
        (date(2026, 2, 1), date(2026, 9, 1), 0, 0),  # a free loan costs nothing
    ],
)
@pytest.mark.parametrize("end", ["give_back", "declare_lost"])
def test_fees_are_the_monthly_fee_times_the_months_begun(
    start_on: date, on: date, fee: int, fees: int, end: str
) -> None:
    ln = sign(start_on=start_on, due_on=start_on + timedelta(days=90), monthly_fee_cents=fee)
    getattr(ln, end)(on, *(["good"] if end == "give_back" else []))
    (_, ended) = ln.collect_events()
    assert ended.fees_cents == fees == fee * months_started(start_on, on)


def test_the_deposit_does_not_change_the_fees() -> None:
    a, b = sign(deposit_cents=0), sign(deposit_cents=99_999)
    for ln in (a, b):
        ln.give_back(date(2026, 4, 2), "good")
    assert a.pending_events[-1].fees_cents == b.pending_events[-1].fees_cents == 1500


# -- loans: replay -------------------------------------------------------------------------------------


@pytest.mark.parametrize("end", ["give_back", "declare_lost"])
def test_a_loans_whole_life_replays(end: str) -> None:
    ln = sign()
    events = list(ln.collect_events())
    ln.follow_up(START + timedelta(days=3), "visit", "sealed:1")
    ln.extend(DUE + timedelta(days=30))
    ln.follow_up(DUE + timedelta(days=1), "workshop", None)
    ln.extend(DUE + timedelta(days=60))
    getattr(ln, end)(DUE + timedelta(days=45), *(["incomplete"] if end == "give_back" else []))
    events += ln.collect_events()
    last = "Returned" if end == "give_back" else "Lost"
    assert names(events) == ["Signed", "FollowedUp", "Extended", "FollowedUp", "Extended", last]
    assert [e.originator_version for e in events] == list(range(1, 7))
    rebuilt = replay(events)
    assert rebuilt == ln and rebuilt is not ln
    assert rebuilt.follow_ups == 2 and rebuilt.due_on == DUE + timedelta(days=60)
    assert replay(events[:3]).state == "active" and replay(events[:3]).due_on == DUE + timedelta(days=30)


# -- months begun --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        # same day and the days around the first anniversary
        (date(2026, 1, 15), date(2026, 1, 15), 1),
        (date(2026, 1, 15), date(2026, 1, 16), 1),
        (date(2026, 1, 15), date(2026, 2, 14), 1),  # the day before
        (date(2026, 1, 15), date(2026, 2, 15), 2),  # the anniversary: a second month begins
        (date(2026, 1, 15), date(2026, 3, 14), 2),
        (date(2026, 1, 15), date(2026, 3, 15), 3),
        (date(2026, 1, 1), date(2026, 1, 31), 1),
        (date(2026, 1, 1), date(2026, 2, 1), 2),
        # a 31st start: a missing anniversary day falls on the 1st of the next month
        (date(2026, 3, 31), date(2026, 4, 30), 1),
        (date(2026, 3, 31), date(2026, 5, 1), 2),
        (date(2026, 1, 31), date(2026, 4, 30), 3),
        (date(2026, 1, 31), date(2026, 2, 28), 1),
        (date(2026, 1, 31), date(2026, 3, 1), 2),
        (date(2026, 1, 31), date(2026, 3, 30), 2),
        (date(2026, 1, 31), date(2026, 3, 31), 3),
        (date(2026, 1, 30), date(2026, 3, 1), 2),
        (date(2024, 1, 31), date(2024, 2, 29), 1),  # leap year
        (date(2024, 1, 29), date(2024, 2, 29), 2),
        (date(2024, 2, 29), date(2025, 2, 28), 12),
        (date(2024, 2, 29), date(2025, 3, 1), 13),
        # over the new year
        (date(2025, 12, 15), date(2026, 1, 14), 1),
        (date(2025, 12, 15), date(2026, 1, 15), 2),
        (date(2025, 12, 1), date(2026, 1, 1), 2),
        (date(2025, 12, 31), date(2026, 1, 1), 1),
        (date(2025, 12, 31), date(2026, 1, 31), 2),
        (date(2025, 11, 30), date(2026, 2, 28), 3),
        (date(2026, 3, 1), date(2027, 2, 28), 12),
        (date(2026, 3, 1), date(2027, 3, 1), 13),
        (date(2026, 1, 1), date(2028, 12, 31), 36),
        # at least one
        (date(2026, 1, 15), date(2026, 1, 14), 1),
        (date(2026, 1, 15), date(2025, 6, 1), 1),
    ],
)
def test_months_started(start: date, end: date, months: int) -> None:
    assert months_started(start, end) == months


def _anniversary(start: date, k: int) -> date:
    """The day month ``k`` of a loan begins: the same day-of-month, or the 1st of the next month if missing."""
    index = start.month - 1 + k
    year, month = start.year + index // 12, index % 12 + 1
    try:
        return date(year, month, start.day)
    except ValueError:
        index += 1
        return date(start.year + index // 12, index % 12 + 1, 1)


def _reference_months(start: date, end: date) -> int:
    """Months begun, counted one day at a time: the anniversaries reached by ``end`` (at least one)."""
    k = 0
    while _anniversary(start, k + 1) <= end:
        k += 1
    return max(1, k + 1) if end >= start else 1


@settings(max_examples=300, deadline=None)
@given(start=st.dates(date(2020, 1, 1), date(2030, 12, 31)), days=st.integers(-40, 1200))
def test_months_started_counts_the_anniversaries_reached(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    assert months_started(start, end) == _reference_months(start, end)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(date(2020, 1, 1), date(2030, 12, 31)), days=st.integers(0, 1200))
def test_months_begun_grow_by_at_most_one_a_day(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    today, tomorrow = months_started(start, end), months_started(start, end + timedelta(days=1))
    assert 1 <= today <= tomorrow <= today + 1
    # a month lasts 28 to 31 days
    assert days // 31 + 1 <= today <= days // 28 + 1


# -- a small fleet lent on loans, as a state machine ---------------------------------------------------
#
# Devices are received, refurbished, lent, brought back, lost and retired, and loans are signed, followed up,
# extended and ended, the way the ledger does it (device and loan changed together). Every command is also
# tried where it must be refused. A simple model says what each device and loan should be; it is compared
# with the aggregates after every step, and every aggregate must replay from its events to an equal state.

DEVICE_TRANSITIONS_REFUSED = {
    "refurbish": {s: errors.InvalidTransition for s in ("available", "on_loan", "retired")},
    "lend": {s: errors.DeviceUnavailable for s in ("received", "on_loan", "needs_repair", "retired")},
    "retire": {"on_loan": errors.InvalidTransition, "retired": errors.InvalidTransition},
}


class Fleet(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.today = date(2026, 1, 5)
        self.devices: list[Device] = []
        self.loans: list[Loan] = []
        self.events: dict[UUID, list] = {}
        self.device_model: dict[UUID, dict[str, Any]] = {}  # device id -> {"status", "loan", "grade"}
        self.loan_model: dict[UUID, dict[str, Any]] = {}  # loan id -> {"state", "device", "due_on", "follow_ups"}

    # -- helpers
    def _record(self, *aggregates: Any) -> None:
        for a in aggregates:
            self.events.setdefault(a.id, []).extend(a.collect_events())

    def _device(self, data: st.DataObject, *statuses: str) -> Device:
        pool = [d for d in self.devices if not statuses or self.device_model[d.id]["status"] in statuses]
        return pool[data.draw(st.integers(0, len(pool) - 1))]  # aggregates are not hashable

    def _loan(self, data: st.DataObject) -> Loan:
        pool = [ln for ln in self.loans if self.loan_model[ln.id]["state"] == "active"]
        return pool[data.draw(st.integers(0, len(pool) - 1))]

    def _has_device(self, *statuses: str) -> bool:
        return any(m["status"] in statuses for m in self.device_model.values())

    def _in_service(self) -> int:
        return sum(m["status"] != "retired" for m in self.device_model.values())

    def _has_active_loan(self) -> bool:
        return any(m["state"] == "active" for m in self.loan_model.values())

    def _refused(self, aggregate: Any, action: Callable[[], Any], error: type[errors.DomainError]) -> None:
        before = dict(aggregate.__dict__)
        with pytest.raises(error):
            action()
        assert aggregate.pending_events == [] and aggregate.__dict__ == before

    # -- rules
    @initialize(kind=st.sampled_from([k.value for k in DeviceKind]))
    def first_device(self, kind: str) -> None:
        self.receive(kind)

    @precondition(lambda self: len(self.devices) < 5)
    @rule(kind=st.sampled_from([k.value for k in DeviceKind]))
    def receive(self, kind: str) -> None:
        d = Device.receive(uuid4(), STRUCTURE, kind, f"SN-{len(self.devices) + 1}", self.today)
        self.devices.append(d)
        self.device_model[d.id] = {"status": "received", "loan": None, "grade": None}
        self._record(d)

    @rule(days=st.integers(1, 90))
    def time_passes(self, days: int) -> None:
        self.today += timedelta(days=days)

    @precondition(lambda self: self._has_device("received", "needs_repair"))
    @rule(data=st.data(), grade=st.sampled_from(GRADES))
    def refurbish(self, data: st.DataObject, grade: str) -> None:
        d = self._device(data, "received", "needs_repair")
        m = self.device_model[d.id]
        event(f"refurbish: from {m['status']}")
        d.refurbish(grade, self.today)
        m.update(status="available", grade=grade)
        self._record(d)

    @precondition(lambda self: self._has_device("available"))
    @rule(data=st.data(), months=st.integers(1, 6), fee=st.sampled_from([0, 300, 500]))
    def lend(self, data: st.DataObject, months: int, fee: int) -> None:
        """The ledger's lending: the device is lent, then the loan signed with the same id."""
        d = self._device(data, "available")
        m = self.device_model[d.id]
        loan_id = uuid4()
        event("lend: lent")
        d.lend(loan_id)
        loan = Loan.sign(
            loan_id=loan_id,
            device_id=d.id,
            beneficiary_id=uuid4(),
            structure_id=STRUCTURE,
            start_on=self.today,
            due_on=self.today + timedelta(days=30 * months),
            monthly_fee_cents=fee,
            deposit_cents=3000,
        )
        assert loan.id == loan_id
        self.loans.append(loan)
        m.update(status="on_loan", loan=loan_id)
        self.loan_model[loan_id] = {"state": "active", "device": d.id, "due_on": loan.due_on, "follow_ups": 0}
        self._record(d, loan)

    @rule(data=st.data(), command=st.sampled_from(["refurbish", "lend", "retire"]))
    def any_command_on_any_device(self, data: st.DataObject, command: str) -> None:
        """Any device, any command: done when the model allows it, refused (and nothing recorded) otherwise."""
        d = self._device(data)
        m = self.device_model[d.id]
        error = DEVICE_TRANSITIONS_REFUSED[command].get(m["status"])
        if error is None:
            event(f"any: {command} from {m['status']}")
            if command == "refurbish":
                self.refurbish_device(d, data.draw(st.sampled_from(GRADES)))
            elif command == "lend":
                loan_id = uuid4()
                d.lend(loan_id)  # a loan the ledger then signs in the same transaction
                self.device_model[d.id].update(status="on_loan", loan=loan_id)
                loan = Loan.sign(
                    loan_id=loan_id,
                    device_id=d.id,
                    beneficiary_id=uuid4(),
                    structure_id=STRUCTURE,
                    start_on=self.today,
                    due_on=self.today + timedelta(days=60),
                    monthly_fee_cents=500,
                    deposit_cents=0,
                )
                self.loans.append(loan)
                self.loan_model[loan.id] = {"state": "active", "device": d.id, "due_on": loan.due_on, "follow_ups": 0}
                self._record(d, loan)
            elif self._in_service() > 1:  # keep the fleet alive: retirement is final
                self.retire_device(d, data.draw(st.sampled_from(REASONS)))
            return
        event(f"any: {command} refused ({m['status']})")
        action = {
            "refurbish": lambda: d.refurbish("A", self.today),
            "lend": lambda: d.lend(uuid4()),
            "retire": lambda: d.retire("recycled", self.today),
        }[command]
        self._refused(d, action, error)

    def refurbish_device(self, d: Device, grade: str) -> None:
        d.refurbish(grade, self.today)
        self.device_model[d.id].update(status="available", grade=grade)
        self._record(d)

    def retire_device(self, d: Device, reason: str) -> None:
        d.retire(reason, self.today)
        self.device_model[d.id]["status"] = "retired"
        self._record(d)

    @precondition(lambda self: self._has_active_loan())
    @rule(data=st.data(), condition=st.sampled_from(CONDITIONS))
    def give_back(self, data: st.DataObject, condition: str) -> None:
        loan = self._loan(data)
        d = next(x for x in self.devices if x.id == loan.device_id)
        # another loan's return never touches this device
        self._refused(d, lambda: d.come_back(uuid4(), condition, self.today), errors.InvalidTransition)
        event(f"give_back: {condition}, {loan.status_on(self.today)}")
        loan.give_back(self.today, condition)
        d.come_back(loan.id, condition, self.today)
        (returned,) = loan.pending_events
        assert returned.fees_cents == loan.monthly_fee_cents * months_started(loan.start_on, self.today)
        self.loan_model[loan.id]["state"] = "returned"
        self.device_model[d.id].update(status="available" if condition == "good" else "needs_repair", loan=None)
        self._record(d, loan)
        # neither can be ended again
        self._refused(loan, lambda: loan.give_back(self.today, condition), errors.InvalidTransition)
        self._refused(loan, lambda: loan.declare_lost(self.today), errors.InvalidTransition)
        self._refused(d, lambda: d.come_back(loan.id, condition, self.today), errors.InvalidTransition)
        self._refused(d, lambda: d.lose(loan.id, self.today), errors.InvalidTransition)

    @precondition(lambda self: self._has_active_loan())
    @rule(data=st.data())
    def declare_lost(self, data: st.DataObject) -> None:
        loan = self._loan(data)
        d = next(x for x in self.devices if x.id == loan.device_id)
        self._refused(d, lambda: d.lose(uuid4(), self.today), errors.InvalidTransition)
        event(f"declare_lost: {loan.status_on(self.today)}")
        loan.declare_lost(self.today)
        d.lose(loan.id, self.today)
        self.loan_model[loan.id]["state"] = "lost"
        self.device_model[d.id].update(status="retired", loan=None)
        self._record(d, loan)
        self._refused(loan, lambda: loan.give_back(self.today, "good"), errors.InvalidTransition)

    @precondition(lambda self: self._has_active_loan())
    @rule(data=st.data(), kind=st.sampled_from(FOLLOW_UP_KINDS))
    def follow_up(self, data: st.DataObject, kind: str) -> None:
        loan = self._loan(data)
        loan.follow_up(self.today, kind, None)
        self.loan_model[loan.id]["follow_ups"] += 1
        self._record(loan)

    @precondition(lambda self: self._has_active_loan())
    @rule(data=st.data(), days=st.integers(-10, 60))
    def extend(self, data: st.DataObject, days: int) -> None:
        loan = self._loan(data)
        m = self.loan_model[loan.id]
        due_on = m["due_on"] + timedelta(days=days)
        if days <= 0:
            self._refused(loan, lambda: loan.extend(due_on), errors.ValidationError)
            return
        event(f"extend: {loan.status_on(self.today)}")
        loan.extend(due_on)
        m["due_on"] = due_on
        self._record(loan)

    @precondition(lambda self: any(m["state"] != "active" for m in self.loan_model.values()))
    @rule(data=st.data())
    def ended_loans_refuse_everything(self, data: st.DataObject) -> None:
        ended = [ln for ln in self.loans if self.loan_model[ln.id]["state"] != "active"]
        loan = ended[data.draw(st.integers(0, len(ended) - 1))]
        for action in (
            lambda: loan.give_back(self.today, "good"),
            lambda: loan.declare_lost(self.today),
            lambda: loan.follow_up(self.today, "visit", None),
            lambda: loan.extend(self.today + timedelta(days=999)),
        ):
            self._refused(loan, action, errors.InvalidTransition)

    @precondition(lambda self: self._has_device("received", "available", "needs_repair") and self._in_service() > 1)
    @rule(data=st.data(), reason=st.sampled_from(REASONS))
    def retire(self, data: st.DataObject, reason: str) -> None:
        d = self._device(data, "received", "available", "needs_repair")
        event(f"retire: from {self.device_model[d.id]['status']}")
        self.retire_device(d, reason)

    @precondition(lambda self: self._has_device("received", "available", "needs_repair", "retired"))
    @rule(data=st.data())
    def stray_return_or_loss(self, data: st.DataObject) -> None:
        d = self._device(data, "received", "available", "needs_repair", "retired")
        for loan in self.loans:  # not on loan: no loan's return or loss applies, not even its past ones
            self._refused(d, lambda: d.come_back(loan.id, "good", self.today), errors.InvalidTransition)
            self._refused(d, lambda: d.lose(loan.id, self.today), errors.InvalidTransition)

    # -- invariants
    @invariant()
    def devices_agree_with_the_model(self) -> None:
        for d in self.devices:
            m = self.device_model[d.id]
            assert d.status == m["status"]
            assert d.loan_id == m["loan"]
            assert (d.loan_id is not None) == (d.status == "on_loan")
            if m["grade"] is not None:
                assert d.grade == m["grade"]

    @invariant()
    def a_device_is_never_lent_twice_at_once(self) -> None:
        active: dict[UUID, list[UUID]] = {}
        for loan in self.loans:
            if loan.state == "active":
                active.setdefault(loan.device_id, []).append(loan.id)
        for d in self.devices:
            on_it = active.get(d.id, [])
            assert len(on_it) <= 1
            assert (d.status == "on_loan") == (len(on_it) == 1)
            if on_it:
                assert d.loan_id == on_it[0]

    @invariant()
    def loans_agree_with_the_model(self) -> None:
        for loan in self.loans:
            m = self.loan_model[loan.id]
            assert loan.state == m["state"] and loan.state != "overdue"  # overdue is never stored
            assert loan.due_on == m["due_on"]
            assert loan.follow_ups == m["follow_ups"]
            expected = "overdue" if m["state"] == "active" and m["due_on"] < self.today else m["state"]
            assert loan.status_on(self.today) == expected
            assert (loan.ended_on is None) == (m["state"] == "active")

    @invariant()
    def every_aggregate_replays_to_an_equal_state(self) -> None:
        for aggregate in [*self.devices, *self.loans]:
            assert aggregate.pending_events == []
            rebuilt = replay(self.events[aggregate.id])
            assert rebuilt == aggregate
            assert rebuilt.version == len(self.events[aggregate.id])


Fleet.TestCase.settings = settings(
    max_examples=80, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestFleet = Fleet.TestCase


def test_come_back_refuses_an_unknown_condition():
    from domain.lending import Device as _Device

    d = _Device.receive(uuid4(), "s1", "laptop", "SN", date(2026, 1, 5))
    d.refurbish("A", date(2026, 1, 6))
    loan_id = uuid4()
    d.lend(loan_id)
    with pytest.raises(errors.ValidationError):
        d.come_back(loan_id, "broken", date(2026, 2, 1))
    assert d.status == "on_loan"
