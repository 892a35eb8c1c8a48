"""The life of a cheque (domain/cheques.py) and settlement grouping (domain/settlement.py). No database."""

from __future__ import annotations

import functools
import itertools
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import project_aggregate
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import errors
from domain.cheques import (
    DEFAULT_VALIDITY_MONTHS,
    MAX_BOOK_SIZE,
    MAX_WRONG_CODES,
    Cheque,
    ChequeBook,
    Status,
    check_book_request,
    check_session,
    cheque_validity,
    redemption_id,
    serial_of_redemption,
)
from domain.codes import SERIAL_ALPHABET, format_serial, hash_code
from domain.ids import natural_id
from domain.settlement import Settlement, settlement_lines
from domain.values import add_months

SECRET = b"unit-test-secret"
CODE = "AC34DF"
WRONG = "XXXXXX"
ISSUED_ON = date(2026, 1, 10)
VALID_UNTIL = date(2027, 1, 10)
TODAY = date(2026, 3, 16)
STRUCTURE = "structure-1"

_serials = (format_serial(f"{n:08d}") for n in itertools.count(1))


def make_cheque(**overrides: Any) -> Cheque:
    serial = overrides.pop("serial", None) or next(_serials)
    kwargs: dict[str, Any] = dict(
        serial=serial,
        book_id=uuid4(),
        commitment_id=uuid4(),
        funder_code="DEPT26",
        face_value_cents=1000,
        valid_until=VALID_UNTIL,
        code_hash=hash_code(SECRET, serial, CODE),
        beneficiary_id=uuid4(),
        prescriber_id="p",
        issued_on=ISSUED_ON,
    )
    kwargs.update(overrides)
    return Cheque(**kwargs)


def redeem(
    cheque: Cheque,
    code: str = CODE,
    *,
    structure_id: str = STRUCTURE,
    accredited: bool = True,
    session_date: date = TODAY,
    today: date = TODAY,
    kind: str = "individual",
    duration: int = 60,
    themes: list[str] | None = None,
) -> errors.DomainError | None:
    return cheque.redeem(
        presented_code_hash=hash_code(SECRET, cheque.serial, code),
        structure_id=structure_id,
        structure_accredited=accredited,
        session_date=session_date,
        session_kind=kind,
        duration_minutes=duration,
        themes=["démarches en ligne"] if themes is None else themes,
        today=today,
    )


def replay(events: list) -> Any:
    return functools.reduce(lambda aggregate, event: event.mutate(aggregate), events, None)


def new_events(cheque: Cheque) -> list[str]:
    return [type(e).__name__ for e in cheque.collect_events()]


# -- issue -----------------------------------------------------------------------------------------


def test_a_new_cheque_is_issued() -> None:
    cheque = make_cheque(serial=format_serial("00000001"))
    assert cheque.id == natural_id("cheque", cheque.serial)
    assert cheque.status == Status.ISSUED == "issued"
    assert cheque.wrong_codes == 0 and not cheque.locked
    assert cheque.current_redemption_id is None
    assert cheque.redeemed_by is None and cheque.session_date is None and cheque.settlement_id is None
    assert new_events(cheque) == ["Issued"]


def test_cheque_id_is_its_serials_natural_id() -> None:
    serial = format_serial("ABCDEFGH")
    assert Cheque.create_id(serial) == natural_id("cheque", serial)
    assert make_cheque(serial=serial).id == natural_id("cheque", serial)


@pytest.mark.parametrize(
    ("issued_on", "commitment_until", "expected"),
    [
        (date(2026, 1, 10), date(2030, 12, 31), date(2027, 1, 10)),
        (date(2026, 1, 10), date(2026, 6, 30), date(2026, 6, 30)),  # never past the commitment
        (date(2026, 1, 10), date(2027, 1, 10), date(2027, 1, 10)),
        (date(2026, 1, 10), date(2027, 1, 9), date(2027, 1, 9)),
        (date(2024, 2, 29), date(2030, 1, 1), date(2025, 2, 28)),  # 29 Feb clamps
        (date(2027, 2, 28), date(2030, 1, 1), date(2028, 2, 28)),
        (date(2026, 1, 31), date(2030, 1, 1), date(2027, 1, 31)),
        (date(2026, 3, 16), date(2026, 3, 16), date(2026, 3, 16)),  # a commitment ending on the day of issue
    ],
)
def test_cheque_validity(issued_on: date, commitment_until: date, expected: date) -> None:
    assert DEFAULT_VALIDITY_MONTHS == 12
    assert cheque_validity(issued_on, commitment_until) == expected


@given(issued_on=st.dates(date(2000, 1, 1), date(2100, 1, 1)), days=st.integers(0, 800))
def test_cheque_validity_is_the_earlier_of_a_year_and_the_commitment(issued_on: date, days: int) -> None:
    commitment_until = issued_on + timedelta(days=days)
    validity = cheque_validity(issued_on, commitment_until)
    assert validity == min(add_months(issued_on, 12), commitment_until)
    assert issued_on <= validity <= commitment_until


@pytest.mark.parametrize(("count", "face"), [(1, 1), (MAX_BOOK_SIZE, 100_000), (5, 1000), (10, 1000)])
def test_book_requests_accepted(count: int, face: int) -> None:
    check_book_request(count, face)


@pytest.mark.parametrize(
    ("count", "face"),
    [(0, 1000), (MAX_BOOK_SIZE + 1, 1000), (-1, 1000), (5, 0), (5, -1000), (5, 100_001), (5, 10.0), ("5", 1000)],
)
def test_book_requests_refused(count: Any, face: Any) -> None:
    with pytest.raises(errors.ValidationError):
        check_book_request(count, face)


# -- redemption: the happy path -------------------------------------------------------------------


def test_redeem() -> None:
    cheque = make_cheque()
    cheque.collect_events()
    assert redeem(cheque) is None
    assert cheque.status == Status.REDEEMED
    assert cheque.redeemed_by == STRUCTURE
    assert cheque.session_date == TODAY
    rid = redemption_id(cheque.serial, 1)
    assert cheque.current_redemption_id == rid == f"RDM-{cheque.serial}-1"
    assert cheque.redeemer_of(rid) == STRUCTURE
    (event,) = cheque.collect_events()
    assert isinstance(event, Cheque.Redeemed)
    assert event.redemption_id == rid
    assert event.structure_id == STRUCTURE
    assert event.session_date == TODAY
    assert event.session_kind == "individual" and event.duration_minutes == 60


@pytest.mark.parametrize(
    "session_date",
    [ISSUED_ON, TODAY, ISSUED_ON + timedelta(days=1)],
)
def test_session_dates_inside_the_window_are_accepted(session_date: date) -> None:
    assert redeem(make_cheque(), session_date=session_date) is None


def test_session_on_the_last_valid_day_is_accepted() -> None:
    cheque = make_cheque(valid_until=date(2026, 2, 1))
    assert redeem(cheque, session_date=date(2026, 2, 1), today=date(2026, 5, 1)) is None


def test_code_is_compared_after_normalisation() -> None:
    assert redeem(make_cheque(), "ac3-4df") is None


@pytest.mark.parametrize("kind", ["individual", "collective", "administrative_procedure"])
@pytest.mark.parametrize("duration", [1, 600])
def test_session_kinds_and_duration_bounds(kind: str, duration: int) -> None:
    assert redeem(make_cheque(), kind=kind, duration=duration, themes=[]) is None


def test_twenty_themes_of_a_hundred_characters_are_accepted() -> None:
    assert redeem(make_cheque(), themes=["x" * 100] * 20) is None


# -- redemption: refusals, each alone ------------------------------------------------------------


def test_wrong_code_is_refused_and_counted() -> None:
    cheque = make_cheque()
    cheque.collect_events()
    refusal = redeem(cheque, WRONG)
    assert isinstance(refusal, errors.InvalidVerificationCode)
    assert refusal.status == 422
    assert "4" in refusal.detail  # attempts left
    assert cheque.wrong_codes == 1
    assert cheque.status == Status.ISSUED
    (event,) = cheque.collect_events()
    assert isinstance(event, Cheque.CodeRejected) and event.wrong_codes == 1


def test_fifth_wrong_code_in_a_row_locks() -> None:
    cheque = make_cheque()
    for n in range(1, MAX_WRONG_CODES):
        assert isinstance(redeem(cheque, WRONG), errors.InvalidVerificationCode)
        assert cheque.wrong_codes == n and not cheque.locked and cheque.status == Status.ISSUED
    fifth = redeem(cheque, WRONG)
    assert isinstance(fifth, errors.InvalidVerificationCode)  # the 5th is still a wrong code (422) ...
    assert cheque.locked and cheque.status == Status.LOCKED  # ... and it locks
    cheque.collect_events()
    locked = redeem(cheque)  # even the right code
    assert isinstance(locked, errors.ChequeLocked) and locked.status == 423
    assert isinstance(redeem(cheque, WRONG), errors.ChequeLocked)
    assert cheque.wrong_codes == MAX_WRONG_CODES  # no more counting once locked
    assert cheque.collect_events() == []  # and nothing recorded


def test_a_successful_redemption_resets_the_wrong_code_count() -> None:
    cheque = make_cheque()
    for _ in range(MAX_WRONG_CODES - 1):
        redeem(cheque, WRONG)
    assert redeem(cheque) is None
    assert cheque.wrong_codes == 0
    cheque.reverse_redemption(cheque.current_redemption_id, "erreur de saisie")
    for _ in range(MAX_WRONG_CODES - 1):
        assert isinstance(redeem(cheque, WRONG), errors.InvalidVerificationCode)
    assert not cheque.locked  # four in a row, not eight
    assert redeem(cheque) is None


def test_cancelled_cheque_is_refused() -> None:
    cheque = make_cheque()
    cheque.cancel("perdu")
    refusal = redeem(cheque)
    assert isinstance(refusal, errors.ChequeCancelled) and refusal.status == 410


def test_expired_cheque_is_refused() -> None:
    cheque = make_cheque(valid_until=date(2026, 2, 1))
    cheque.expire(date(2026, 2, 2))
    refusal = redeem(cheque, session_date=date(2026, 1, 20))  # even for a session inside the validity
    assert isinstance(refusal, errors.ChequeExpired) and refusal.status == 410


def test_session_after_validity_is_refused_as_expired() -> None:
    cheque = make_cheque(valid_until=date(2026, 2, 1))
    refusal = redeem(cheque, session_date=date(2026, 2, 2))
    assert isinstance(refusal, errors.ChequeExpired)
    assert "2026-02-01" in refusal.detail


def test_redeemed_cheque_is_refused() -> None:
    cheque = make_cheque()
    assert redeem(cheque) is None
    refusal = redeem(cheque, structure_id="another")
    assert isinstance(refusal, errors.ChequeAlreadyRedeemed) and refusal.status == 409
    assert cheque.redeemed_by == STRUCTURE


def test_settled_cheque_is_refused_as_already_redeemed() -> None:
    cheque = make_cheque()
    redeem(cheque)
    cheque.settle(uuid4())
    assert isinstance(redeem(cheque), errors.ChequeAlreadyRedeemed)


def test_structure_not_accredited_is_refused() -> None:
    cheque = make_cheque()
    refusal = redeem(cheque, accredited=False)
    assert isinstance(refusal, errors.StructureNotAccredited) and refusal.status == 403
    assert cheque.status == Status.ISSUED


def test_session_in_the_future_is_refused() -> None:
    cheque = make_cheque()
    refusal = redeem(cheque, session_date=TODAY + timedelta(days=1))
    assert isinstance(refusal, errors.ValidationError) and refusal.status == 400
    assert cheque.status == Status.ISSUED


def test_session_before_issue_is_refused() -> None:
    cheque = make_cheque()
    refusal = redeem(cheque, session_date=ISSUED_ON - timedelta(days=1))
    assert isinstance(refusal, errors.ValidationError)
    assert cheque.status == Status.ISSUED


@pytest.mark.parametrize(
    ("kind", "duration", "themes"),
    [
        ("workshop", 60, []),
        ("", 60, []),
        ("individual", 0, []),
        ("individual", 601, []),
        ("individual", -5, []),
        ("individual", 60.0, []),
        ("individual", 60, ["x" * 101]),
        ("individual", 60, ["ok"] * 21),
        ("individual", 60, [""]),
    ],
)
def test_check_session_refuses_bad_sessions(kind: str, duration: Any, themes: list[str]) -> None:
    with pytest.raises(errors.ValidationError):
        check_session(kind, duration, themes)


def test_invalid_session_is_returned_as_a_refusal_not_raised() -> None:
    cheque = make_cheque()
    refusal = redeem(cheque, themes=["   "])
    assert isinstance(refusal, errors.ValidationError)
    assert cheque.status == Status.ISSUED


# -- redemption: the contract's order of checks --------------------------------------------------
#
# locked 423 > wrong code 422 > cancelled 410 > expired 410 > already redeemed 409 > not accredited 403
# > session date in the future 400.

LIFECYCLES = ["issued", "cancelled", "expired", "redeemed", "settled"]
SESSIONS = ["ok", "after_validity", "future", "after_validity_and_future"]


def _scenario(locked: bool, lifecycle: str) -> Cheque:
    cheque = make_cheque(valid_until=date(2026, 2, 1))
    if lifecycle in ("redeemed", "settled"):
        assert redeem(cheque, session_date=date(2026, 1, 20), today=date(2026, 1, 20)) is None
        if lifecycle == "settled":
            cheque.settle(uuid4())
    if locked:
        for _ in range(MAX_WRONG_CODES):
            redeem(cheque, WRONG, session_date=date(2026, 1, 20), today=date(2026, 1, 20))
        assert cheque.locked
    if lifecycle == "cancelled":
        cheque.cancel("perdu")
    elif lifecycle == "expired":
        cheque.expire(date(2026, 2, 2))
    cheque.collect_events()
    return cheque


@pytest.mark.parametrize("accredited", [True, False], ids=["accredited", "suspended"])
@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("lifecycle", LIFECYCLES)
@pytest.mark.parametrize("right_code", [True, False], ids=["right", "wrong"])
@pytest.mark.parametrize("locked", [False, True], ids=["unlocked", "locked"])
def test_refusal_order(locked: bool, right_code: bool, lifecycle: str, session: str, accredited: bool) -> None:
    cheque = _scenario(locked, lifecycle)
    session_date, today = {
        "ok": (date(2026, 1, 25), date(2026, 3, 1)),
        "after_validity": (date(2026, 2, 2), date(2026, 3, 1)),
        "future": (date(2026, 1, 25), date(2026, 1, 24)),
        "after_validity_and_future": (date(2026, 2, 2), date(2026, 2, 1)),
    }[session]
    expected: type[errors.DomainError] | None
    if locked:
        expected = errors.ChequeLocked
    elif not right_code:
        expected = errors.InvalidVerificationCode
    elif lifecycle == "cancelled":
        expected = errors.ChequeCancelled
    elif lifecycle == "expired" or session.startswith("after_validity"):
        expected = errors.ChequeExpired
    elif lifecycle in ("redeemed", "settled"):
        expected = errors.ChequeAlreadyRedeemed
    elif not accredited:
        expected = errors.StructureNotAccredited
    elif session == "future":
        expected = errors.ValidationError
    else:
        expected = None
    before = cheque.lifecycle
    result = redeem(
        cheque, CODE if right_code else WRONG, accredited=accredited, session_date=session_date, today=today
    )
    if expected is None:
        assert result is None
        assert cheque.status == Status.REDEEMED
        assert new_events(cheque) == ["Redeemed"]
    else:
        assert type(result) is expected, (result, expected)
        assert cheque.lifecycle == before
        # only a wrong code leaves a trace
        assert new_events(cheque) == (["CodeRejected"] if expected is errors.InvalidVerificationCode else [])


# -- reversal ------------------------------------------------------------------------------------


def test_reverse_a_redemption_issues_the_cheque_again() -> None:
    cheque = make_cheque()
    redeem(cheque)
    rid = cheque.current_redemption_id
    cheque.collect_events()
    cheque.reverse_redemption(rid, "  séance annulée  ")
    assert cheque.status == Status.ISSUED
    assert cheque.redeemed_by is None and cheque.session_date is None
    assert cheque.current_redemption_id is None
    (event,) = cheque.collect_events()
    assert isinstance(event, Cheque.RedemptionReversed)
    assert (event.redemption_id, event.structure_id, event.reason) == (rid, STRUCTURE, "séance annulée")
    # the redemption stays known (for authorisation of later calls)
    assert cheque.redeemer_of(rid) == STRUCTURE


def test_a_reversed_cheque_can_be_redeemed_again_under_a_new_id() -> None:
    cheque = make_cheque()
    redeem(cheque)
    first = cheque.current_redemption_id
    cheque.reverse_redemption(first, "erreur")
    assert redeem(cheque, structure_id="structure-2") is None
    second = cheque.current_redemption_id
    assert second == redemption_id(cheque.serial, 2) != first
    assert cheque.redeemer_of(first) == STRUCTURE
    assert cheque.redeemer_of(second) == "structure-2"
    with pytest.raises(errors.RedemptionAlreadyReversed):
        cheque.reverse_redemption(first, "encore")
    assert cheque.status == Status.REDEEMED


def test_double_reversal_is_refused() -> None:
    cheque = make_cheque()
    redeem(cheque)
    rid = cheque.current_redemption_id
    cheque.reverse_redemption(rid, "erreur")
    cheque.collect_events()
    with pytest.raises(errors.RedemptionAlreadyReversed) as info:
        cheque.reverse_redemption(rid, "erreur")
    assert info.value.status == 409
    assert cheque.collect_events() == []


def test_reversal_after_settlement_is_refused() -> None:
    cheque = make_cheque()
    redeem(cheque)
    cheque.settle(uuid4())
    cheque.collect_events()
    with pytest.raises(errors.ChequeAlreadySettled) as info:
        cheque.reverse_redemption(cheque.current_redemption_id, "trop tard")
    assert info.value.status == 409
    assert cheque.status == Status.SETTLED
    assert cheque.collect_events() == []


@pytest.mark.parametrize("rid_of", [lambda c: redemption_id(c.serial, 2), lambda c: "RDM-nope-1", lambda c: "x"])
def test_reversal_of_an_unknown_redemption_is_not_found(rid_of: Any) -> None:
    cheque = make_cheque()
    redeem(cheque)
    with pytest.raises(errors.NotFound):
        cheque.reverse_redemption(rid_of(cheque), "erreur")
    assert cheque.status == Status.REDEEMED


def test_reversal_of_a_never_redeemed_cheque_is_not_found() -> None:
    cheque = make_cheque()
    with pytest.raises(errors.NotFound):
        cheque.reverse_redemption(redemption_id(cheque.serial, 1), "erreur")
    with pytest.raises(errors.NotFound):
        cheque.redeemer_of(redemption_id(cheque.serial, 1))


@pytest.mark.parametrize("reason", ["", "   "])
def test_reversal_needs_a_reason(reason: str) -> None:
    cheque = make_cheque()
    redeem(cheque)
    with pytest.raises(errors.ValidationError):
        cheque.reverse_redemption(cheque.current_redemption_id, reason)
    assert cheque.status == Status.REDEEMED


def test_reversed_then_cancelled_cheque_redemption_is_already_reversed() -> None:
    cheque = make_cheque()
    redeem(cheque)
    rid = cheque.current_redemption_id
    cheque.reverse_redemption(rid, "erreur")
    cheque.cancel("perdu")
    with pytest.raises(errors.RedemptionAlreadyReversed):
        cheque.reverse_redemption(rid, "erreur")


@given(
    body=st.text(alphabet=SERIAL_ALPHABET, min_size=8, max_size=8),
    number=st.integers(min_value=1, max_value=10**6),
)
def test_redemption_ids_round_trip(body: str, number: int) -> None:
    serial = format_serial(body)
    assert serial_of_redemption(redemption_id(serial, number)) == (serial, number)


@pytest.mark.parametrize(
    "rid",
    [
        "",
        "RDM",
        "RDM-",
        "RDM-ABCD",
        "XYZ-ABCD-EFGH-K-1",
        "RDM-ABCD-EFGH-K-",
        "RDM-ABCD-EFGH-K-x",
        "RDM-ABCD-EFGH-K-²",
        "rdm-ABCD-EFGH-K-1",
    ],
)
def test_malformed_redemption_ids_are_not_found(rid: str) -> None:
    with pytest.raises(errors.NotFound):
        serial_of_redemption(rid)


# -- cancel ------------------------------------------------------------------------------------


def test_cancel() -> None:
    cheque = make_cheque()
    cheque.collect_events()
    cheque.cancel("  carnet perdu ")
    assert cheque.status == Status.CANCELLED
    (event,) = cheque.collect_events()
    assert isinstance(event, Cheque.Cancelled) and event.reason == "carnet perdu"


def test_a_locked_cheque_can_be_cancelled() -> None:
    cheque = make_cheque()
    for _ in range(MAX_WRONG_CODES):
        redeem(cheque, WRONG)
    cheque.cancel("perdu")
    assert cheque.status == Status.CANCELLED


@pytest.mark.parametrize(
    ("prepare", "refusal"),
    [
        (lambda c: redeem(c), errors.ChequeAlreadyRedeemed),
        (lambda c: (redeem(c), c.settle(uuid4())), errors.ChequeAlreadyRedeemed),
        (lambda c: c.cancel("perdu"), errors.ChequeCancelled),
        (lambda c: c.expire(VALID_UNTIL + timedelta(days=1)), errors.ChequeExpired),
    ],
    ids=["redeemed", "settled", "cancelled", "expired"],
)
def test_cancel_only_an_issued_cheque(prepare: Any, refusal: type[errors.DomainError]) -> None:
    cheque = make_cheque()
    prepare(cheque)
    status = cheque.status
    cheque.collect_events()
    with pytest.raises(refusal):
        cheque.cancel("pourquoi pas")
    assert cheque.status == status
    assert cheque.collect_events() == []


@pytest.mark.parametrize("reason", ["", " \t "])
def test_cancel_needs_a_reason(reason: str) -> None:
    cheque = make_cheque()
    with pytest.raises(errors.ValidationError):
        cheque.cancel(reason)
    assert cheque.status == Status.ISSUED


# -- expire ------------------------------------------------------------------------------------


def test_expire_after_validity() -> None:
    cheque = make_cheque()
    cheque.collect_events()
    cheque.expire(VALID_UNTIL + timedelta(days=1))
    assert cheque.status == Status.EXPIRED
    (event,) = cheque.collect_events()
    assert isinstance(event, Cheque.Expired) and event.as_of == VALID_UNTIL + timedelta(days=1)


@pytest.mark.parametrize("as_of", [VALID_UNTIL, VALID_UNTIL - timedelta(days=1), ISSUED_ON])
def test_expire_not_before_the_day_after_validity(as_of: date) -> None:
    cheque = make_cheque()
    with pytest.raises(errors.ValidationError):
        cheque.expire(as_of)
    assert cheque.status == Status.ISSUED


@pytest.mark.parametrize(
    "prepare",
    [
        lambda c: redeem(c),
        lambda c: (redeem(c), c.settle(uuid4())),
        lambda c: c.cancel("perdu"),
        lambda c: c.expire(VALID_UNTIL + timedelta(days=1)),
    ],
    ids=["redeemed", "settled", "cancelled", "expired"],
)
def test_expire_only_an_issued_cheque(prepare: Any) -> None:
    cheque = make_cheque()
    prepare(cheque)
    status = cheque.status
    with pytest.raises(errors.ValidationError):
        cheque.expire(VALID_UNTIL + timedelta(days=30))
    assert cheque.status == status


def test_a_locked_cheque_expires() -> None:
    cheque = make_cheque()
    for _ in range(MAX_WRONG_CODES):
        redeem(cheque, WRONG)
    cheque.expire(VALID_UNTIL + timedelta(days=1))
    assert cheque.status == Status.EXPIRED


# -- settle ------------------------------------------------------------------------------------


def test_settle_a_redeemed_cheque() -> None:
    cheque = make_cheque()
    redeem(cheque)
    cheque.collect_events()
    sid = uuid4()
    cheque.settle(sid)
    assert cheque.status == Status.SETTLED
    assert cheque.settlement_id == sid
    assert cheque.current_redemption_id == redemption_id(cheque.serial, 1)
    (event,) = cheque.collect_events()
    assert isinstance(event, Cheque.Settled)
    assert (event.settlement_id, event.structure_id) == (sid, STRUCTURE)


@pytest.mark.parametrize(
    "prepare",
    [
        lambda c: None,
        lambda c: (redeem(c), c.settle(uuid4())),
        lambda c: c.cancel("perdu"),
        lambda c: c.expire(VALID_UNTIL + timedelta(days=1)),
        lambda c: (redeem(c), c.reverse_redemption(c.current_redemption_id, "erreur")),
    ],
    ids=["issued", "settled", "cancelled", "expired", "reversed"],
)
def test_settle_only_a_redeemed_cheque(prepare: Any) -> None:
    cheque = make_cheque()
    prepare(cheque)
    status, settlement_id = cheque.status, cheque.settlement_id
    with pytest.raises(errors.ChequeNotRedeemed) as info:
        cheque.settle(uuid4())
    assert info.value.status == 409
    assert (cheque.status, cheque.settlement_id) == (status, settlement_id)


# -- unlock and replace the code -------------------------------------------------------------------


def test_unlock_a_locked_cheque() -> None:
    cheque = make_cheque()
    for _ in range(MAX_WRONG_CODES):
        redeem(cheque, WRONG)
    cheque.collect_events()
    cheque.unlock()
    assert not cheque.locked and cheque.wrong_codes == 0 and cheque.status == Status.ISSUED
    assert new_events(cheque) == ["Unlocked"]
    assert redeem(cheque) is None


@pytest.mark.parametrize("wrong", [0, MAX_WRONG_CODES - 1])
def test_unlock_only_a_locked_cheque(wrong: int) -> None:
    cheque = make_cheque()
    for _ in range(wrong):
        redeem(cheque, WRONG)
    with pytest.raises(errors.ChequeNotLocked) as info:
        cheque.unlock()
    assert info.value.status == 409
    assert cheque.wrong_codes == wrong


def test_replace_code() -> None:
    cheque = make_cheque()
    for _ in range(3):
        redeem(cheque, WRONG)
    cheque.collect_events()
    cheque.replace_code(hash_code(SECRET, cheque.serial, "NEW777"))
    assert cheque.wrong_codes == 0
    assert new_events(cheque) == ["CodeReplaced"]
    assert isinstance(redeem(cheque, CODE), errors.InvalidVerificationCode)  # the old code is gone
    assert redeem(cheque, "new777") is None


def test_replace_code_unlocks_a_locked_cheque() -> None:
    cheque = make_cheque()
    for _ in range(MAX_WRONG_CODES):
        redeem(cheque, WRONG)
    cheque.replace_code(hash_code(SECRET, cheque.serial, "NEW777"))
    assert not cheque.locked and cheque.status == Status.ISSUED
    assert redeem(cheque, "NEW777") is None


@pytest.mark.parametrize(
    ("prepare", "refusal"),
    [
        (lambda c: redeem(c), errors.ChequeAlreadyRedeemed),
        (lambda c: (redeem(c), c.settle(uuid4())), errors.ChequeAlreadyRedeemed),
        (lambda c: c.cancel("perdu"), errors.ChequeCancelled),
        (lambda c: c.expire(VALID_UNTIL + timedelta(days=1)), errors.ChequeExpired),
    ],
    ids=["redeemed", "settled", "cancelled", "expired"],
)
def test_replace_code_only_of_an_issued_cheque(prepare: Any, refusal: type[errors.DomainError]) -> None:
    cheque = make_cheque()
    prepare(cheque)
    before = cheque.code_hash
    with pytest.raises(refusal):
        cheque.replace_code(hash_code(SECRET, cheque.serial, "NEW777"))
    assert cheque.code_hash == before


def test_locked_status_only_shows_on_an_issued_cheque() -> None:
    cheque = make_cheque()
    redeem(cheque)
    for _ in range(MAX_WRONG_CODES):
        assert isinstance(redeem(cheque, WRONG), errors.InvalidVerificationCode)
    assert cheque.locked
    assert cheque.status == Status.REDEEMED
    assert isinstance(redeem(cheque), errors.ChequeLocked)  # locked is checked first
    cheque.reverse_redemption(cheque.current_redemption_id, "erreur")
    assert cheque.status == Status.LOCKED


# -- event sourcing: replaying the events rebuilds the same cheque ---------------------------------


def _full_life() -> tuple[Cheque, list]:
    cheque = make_cheque()
    events = list(cheque.collect_events())
    steps = [
        lambda: redeem(cheque, WRONG),
        lambda: redeem(cheque, WRONG),
        lambda: redeem(cheque),
        lambda: cheque.reverse_redemption(cheque.current_redemption_id, "erreur"),
        *[lambda: redeem(cheque, WRONG)] * MAX_WRONG_CODES,
        lambda: cheque.unlock(),
        lambda: cheque.replace_code(hash_code(SECRET, cheque.serial, "NEW777")),
        lambda: redeem(cheque, "NEW777", structure_id="structure-2"),
        lambda: cheque.settle(uuid4()),
    ]
    for step in steps:
        step()
        events.extend(cheque.collect_events())
    return cheque, events


def test_replaying_a_cheques_events_rebuilds_it() -> None:
    cheque, events = _full_life()
    assert [type(e).__name__ for e in events] == (
        ["Issued", "CodeRejected", "CodeRejected", "Redeemed", "RedemptionReversed"]
        + ["CodeRejected"] * MAX_WRONG_CODES
        + ["Unlocked", "CodeReplaced", "Redeemed", "Settled"]
    )
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    rebuilt = replay(events)
    assert rebuilt == cheque
    assert rebuilt is not cheque
    assert project_aggregate(None, events) == cheque
    assert rebuilt.status == Status.SETTLED
    assert rebuilt.redeemers == {
        redemption_id(cheque.serial, 1): STRUCTURE,
        redemption_id(cheque.serial, 2): "structure-2",
    }
    assert rebuilt.version == len(events)


def test_replaying_a_prefix_rebuilds_the_state_at_that_time() -> None:
    cheque = make_cheque()
    issued = list(cheque.collect_events())
    redeem(cheque)
    redeemed = issued + list(cheque.collect_events())
    at_redemption = replay(redeemed)
    cheque.settle(uuid4())
    settled = redeemed + list(cheque.collect_events())
    assert at_redemption.status == Status.REDEEMED
    assert replay(issued).status == Status.ISSUED
    assert replay(settled) == cheque
    # continuing from a rebuilt state works like the original
    again = replay(redeemed)
    again.settle(cheque.settlement_id)
    assert again.status == Status.SETTLED


def test_cancelled_and_expired_cheques_replay() -> None:
    for act in (lambda c: c.cancel("perdu"), lambda c: c.expire(VALID_UNTIL + timedelta(days=1))):
        cheque = make_cheque()
        events = list(cheque.collect_events())
        act(cheque)
        events += cheque.collect_events()
        assert replay(events) == cheque


OPERATIONS = ["right", "wrong", "reverse", "cancel", "expire", "settle", "unlock", "replace"]


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(st.sampled_from(OPERATIONS), max_size=25))
def test_replay_equals_the_live_aggregate_after_any_history(ops: list[str]) -> None:
    cheque = make_cheque()
    events = list(cheque.collect_events())
    for op in ops:
        try:
            if op == "right":
                redeem(cheque)
            elif op == "wrong":
                redeem(cheque, WRONG)
            elif op == "reverse":
                cheque.reverse_redemption(cheque.current_redemption_id or "RDM-x-1", "erreur")
            elif op == "cancel":
                cheque.cancel("perdu")
            elif op == "expire":
                cheque.expire(VALID_UNTIL + timedelta(days=1))
            elif op == "settle":
                cheque.settle(uuid4())
            elif op == "unlock":
                cheque.unlock()
            elif op == "replace":
                cheque.replace_code(hash_code(SECRET, cheque.serial, CODE))
        except errors.DomainError:
            assert cheque.pending_events == []  # a refused command records nothing
        events.extend(cheque.collect_events())
        assert 0 <= cheque.wrong_codes <= MAX_WRONG_CODES
    assert replay(events) == cheque


# -- cheque books --------------------------------------------------------------------------------


def test_cheque_book() -> None:
    book_id = uuid4()
    book = ChequeBook(
        id=book_id,
        beneficiary_id=uuid4(),
        prescriber_id="p",
        serials=["A", "B"],
        face_value_cents=1000,
        issued_on=ISSUED_ON,
    )
    assert book.id == book_id
    assert book.reprints == 0
    events = list(book.collect_events())
    book.record_reprint(["A"])
    book.record_reprint(["B"])
    assert book.reprints == 2
    events += book.collect_events()
    assert [type(e).__name__ for e in events] == ["Issued", "Reprinted", "Reprinted"]
    assert replay(events) == book


# -- settlements ---------------------------------------------------------------------------------


def _redeemed(structure_id: str, face: int) -> Cheque:
    cheque = make_cheque(face_value_cents=face)
    assert redeem(cheque, structure_id=structure_id) is None
    return cheque


def test_settlement_lines_group_by_structure() -> None:
    a1, b1, a2, c1 = _redeemed("s-a", 1000), _redeemed("s-b", 500), _redeemed("s-a", 2000), _redeemed("s-c", 1000)
    lines, total = settlement_lines([c1, a1, b1, a2])
    assert total == 4500
    assert lines == [
        {"structure_id": "s-a", "count": 2, "amount_cents": 3000, "serials": [a1.serial, a2.serial]},
        {"structure_id": "s-b", "count": 1, "amount_cents": 500, "serials": [b1.serial]},
        {"structure_id": "s-c", "count": 1, "amount_cents": 1000, "serials": [c1.serial]},
    ]


def test_settlement_lines_of_nothing() -> None:
    assert settlement_lines([]) == ([], 0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["s-1", "s-2", "s-3", "s-10"]), st.integers(1, 100_000)), max_size=12))
def test_settlement_lines_property(items: list[tuple[str, int]]) -> None:
    cheques = [_redeemed(s, face) for s, face in items]
    lines, total = settlement_lines(cheques)
    assert total == sum(face for _, face in items) == sum(line["amount_cents"] for line in lines)
    assert [line["structure_id"] for line in lines] == sorted({s for s, _ in items})
    for line in lines:
        mine = [c for c in cheques if c.redeemed_by == line["structure_id"]]
        assert line["count"] == len(mine) == len(line["serials"])
        assert line["serials"] == [c.serial for c in mine]
        assert line["amount_cents"] == sum(c.face_value_cents for c in mine)


def test_settlement_aggregate_replays() -> None:
    cheques = [_redeemed("s-a", 1000), _redeemed("s-b", 1500)]
    lines, total = settlement_lines(cheques)
    sid = uuid4()
    settlement = Settlement(id=sid, through=TODAY, lines=lines, total_cents=total)
    assert settlement.id == sid and isinstance(settlement.id, UUID)
    assert (settlement.through, settlement.total_cents) == (TODAY, 2500)
    assert replay(list(settlement.collect_events())) == settlement
