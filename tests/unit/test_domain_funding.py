"""Funders, commitments and the funding rule (domain/funding.py), with a stateful model of a commitment's money."""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain import errors
from domain.cheques import MAX_WRONG_CODES, Cheque, Status, cheque_validity, redemption_id
from domain.codes import format_serial, hash_code
from domain.errors import InsufficientEligibleFunds, ValidationError
from domain.funding import Commitment, Funder, choose_funding, leaves_useful_validity
from domain.ids import natural_id
from domain.values import Public

ON = date(2026, 3, 16)
VALENCE, DIE, CREST = "26362", "26113", "26108"
SECRET = b"unit-test-secret"
CODE = "AC34DF"


def replay(events: list) -> Any:
    return functools.reduce(lambda aggregate, event: event.mutate(aggregate), events, None)


def sign(
    amount: int = 10_000,
    *,
    reference: str = "CONV-1",
    valid_from: date = date(2026, 1, 1),
    valid_until: date = date(2026, 12, 31),
    publics: list[str] | None = None,
    territory: list[str] | None = None,
    priority: int = 100,
    funder_code: str = "DEPT26",
) -> Commitment:
    return Commitment.sign(
        funder_code=funder_code,
        reference=reference,
        amount_cents=amount,
        valid_from=valid_from,
        valid_until=valid_until,
        eligible_publics=publics or [],
        territory=territory or [],
        priority=priority,
    )


def choose(commitments: list[Commitment], count: int, face: int = 1000, **kw: Any) -> list[Commitment]:
    return choose_funding(
        commitments,
        count=count,
        face_value_cents=face,
        on=kw.get("on", ON),
        publics=kw.get("publics", ["senior"]),
        commune_insee=kw.get("commune", VALENCE),
    )


# -- funders ---------------------------------------------------------------------------------------


def test_register_funder() -> None:
    funder = Funder.register("DEPT26", "  Département de la Drôme ", "department")
    assert funder.id == natural_id("funder", "DEPT26") == Funder.create_id("DEPT26")
    assert (funder.code, funder.name, funder.kind) == ("DEPT26", "Département de la Drôme", "department")
    assert funder.received_cents == 0


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [("dept26", "D", "department"), ("D", "D", "department"), ("DEPT26", "  ", "department"), ("DEPT26", "D", "bank")],
)
def test_register_funder_refusals(code: str, name: str, kind: str) -> None:
    with pytest.raises(ValidationError):
        Funder.register(code, name, kind)


def test_funder_payments() -> None:
    funder = Funder.register("CAF26", "CAF de la Drôme", "caf")
    funder.receive_payment(50_000, date(2026, 2, 1), " VIR-1 ")
    funder.receive_payment(25_000, date(2026, 3, 1), "VIR-2")
    assert funder.received_cents == 75_000
    assert funder.payments == ["VIR-1", "VIR-2"]
    for amount, ref in [(0, "VIR-3"), (-5, "VIR-3"), (100, " ")]:
        with pytest.raises(ValidationError):
            funder.receive_payment(amount, date(2026, 3, 1), ref)
    assert funder.received_cents == 75_000
    events = list(funder.collect_events())
    assert [type(e).__name__ for e in events] == ["Registered", "PaymentReceived", "PaymentReceived"]
    assert events[1].funder_code == "CAF26" and events[1].amount_cents == 50_000
    assert replay(events) == funder


# -- commitments -------------------------------------------------------------------------------------


def test_sign_commitment() -> None:
    c = sign(
        25_000,
        reference=" CONV-2026-01 ",
        publics=["senior", "rsa", "senior"],
        territory=[VALENCE, DIE, VALENCE],
        priority=10,
    )
    assert c.amount_cents == c.available_cents == 25_000
    assert c.reference == "CONV-2026-01"
    assert c.eligible_publics == ["rsa", "senior"]
    assert c.territory == [DIE, VALENCE]
    assert c.priority == 10
    assert c.reserved_total_cents == c.released_cents == 0
    assert isinstance(c.id, UUID)
    (event,) = c.collect_events()
    assert isinstance(event, Commitment.Signed)


def test_default_priority_is_100() -> None:
    c = Commitment.sign(
        funder_code="X1",
        reference="R",
        amount_cents=1,
        valid_from=ON,
        valid_until=ON,
        eligible_publics=[],
        territory=[],
    )
    assert c.priority == 100


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amount": 0},
        {"amount": -100},
        {"amount": True},
        {"reference": "  "},
        {"valid_from": date(2026, 6, 1), "valid_until": date(2026, 5, 31)},
    ],
)
def test_sign_commitment_refusals(kwargs: dict) -> None:
    with pytest.raises(ValidationError):
        sign(**kwargs)


def test_a_one_day_commitment_is_allowed() -> None:
    c = sign(valid_from=ON, valid_until=ON)
    assert c.is_eligible(ON, [], VALENCE)


@pytest.mark.parametrize(
    ("on", "eligible"),
    [
        (date(2025, 12, 31), False),
        (date(2026, 1, 1), True),
        (date(2026, 6, 15), True),
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), False),
    ],
)
def test_eligibility_window_is_inclusive(on: date, eligible: bool) -> None:
    assert sign().is_eligible(on, ["rsa"], VALENCE) is eligible


@pytest.mark.parametrize(
    ("commitment_publics", "beneficiary_publics", "eligible"),
    [
        ([], ["rsa"], True),  # empty = every public
        ([], [], True),
        (["rsa"], ["rsa"], True),
        (["rsa", "senior"], ["senior", "disability"], True),
        (["rsa"], ["senior"], False),
        (["rsa"], [], False),
    ],
)
def test_eligibility_by_publics(commitment_publics: list, beneficiary_publics: list, eligible: bool) -> None:
    assert sign(publics=commitment_publics).is_eligible(ON, beneficiary_publics, VALENCE) is eligible


@pytest.mark.parametrize(
    ("territory", "commune", "eligible"),
    [([], VALENCE, True), ([], DIE, True), ([VALENCE, CREST], VALENCE, True), ([VALENCE, CREST], DIE, False)],
)
def test_eligibility_by_territory(territory: list, commune: str, eligible: bool) -> None:
    assert sign(territory=territory).is_eligible(ON, ["rsa"], commune) is eligible


def test_reserve_and_release() -> None:
    c = sign(10_000)
    c.collect_events()
    book = uuid4()
    c.reserve(book, 4, 4_000)
    assert c.available_cents == 6_000 and c.reserved_total_cents == 4_000
    c.release(["S1"], 1_000, "cancelled")
    assert c.available_cents == 7_000 and c.released_cents == 1_000
    events = c.collect_events()
    assert [type(e).__name__ for e in events] == ["Reserved", "Released"]
    assert (events[0].book_id, events[0].count, events[0].amount_cents) == (book, 4, 4_000)
    assert (events[1].serials, events[1].amount_cents, events[1].reason) == (["S1"], 1_000, "cancelled")


def test_reserve_everything_then_nothing_more() -> None:
    c = sign(10_000)
    c.reserve(uuid4(), 10, 10_000)
    assert c.available_cents == 0
    c.collect_events()
    with pytest.raises(InsufficientEligibleFunds) as info:
        c.reserve(uuid4(), 1, 1)
    assert info.value.status == 409 and info.value.slug == "insufficient-eligible-funds"
    assert c.available_cents == 0 and c.collect_events() == []


def test_reserve_more_than_available_is_refused() -> None:
    c = sign(10_000)
    c.collect_events()
    with pytest.raises(InsufficientEligibleFunds):
        c.reserve(uuid4(), 11, 11_000)
    assert c.available_cents == 10_000 and c.collect_events() == []


@pytest.mark.parametrize("amount", [0, -1000, 10.0])
def test_reserve_and_release_need_a_positive_integer(amount: Any) -> None:
    c = sign(10_000)
    c.reserve(uuid4(), 1, 1_000)
    with pytest.raises(ValidationError):
        c.reserve(uuid4(), 1, amount)
    with pytest.raises(ValidationError):
        c.release(["S"], amount, "cancelled")
    assert c.available_cents == 9_000


def test_release_cannot_exceed_the_committed_amount() -> None:
    c = sign(10_000)
    with pytest.raises(ValidationError):
        c.release(["S"], 1, "cancelled")  # nothing reserved yet
    c.reserve(uuid4(), 3, 3_000)
    c.collect_events()
    with pytest.raises(ValidationError):
        c.release(["S1", "S2", "S3", "S4"], 4_000, "expired")
    assert c.available_cents == 7_000 and c.collect_events() == []
    c.release(["S1", "S2", "S3"], 3_000, "expired")
    assert c.available_cents == c.amount_cents == 10_000


def test_commitment_replay() -> None:
    c = sign(10_000, publics=["rsa"], territory=[DIE])
    events = list(c.collect_events())
    c.reserve(uuid4(), 3, 3_000)
    c.release(["S1"], 1_000, "expired")
    c.reserve(uuid4(), 5, 5_000)
    events += c.collect_events()
    rebuilt = replay(events)
    assert rebuilt == c
    assert (rebuilt.available_cents, rebuilt.reserved_total_cents, rebuilt.released_cents) == (3_000, 8_000, 1_000)


@given(
    amount=st.integers(1, 100_000),
    ops=st.lists(st.tuples(st.booleans(), st.integers(1, 30_000)), max_size=30),
)
def test_available_stays_within_zero_and_the_amount(amount: int, ops: list[tuple[bool, int]]) -> None:
    c = sign(amount)
    for is_reserve, value in ops:
        before = c.available_cents
        try:
            if is_reserve:
                c.reserve(uuid4(), 1, value)
                assert c.available_cents == before - value
            else:
                c.release(["S"], value, "cancelled")
                assert c.available_cents == before + value
        except (InsufficientEligibleFunds, ValidationError):
            assert c.available_cents == before
            if is_reserve:
                assert value > before
            else:
                assert before + value > amount
        assert 0 <= c.available_cents <= c.amount_cents
        assert c.available_cents == c.amount_cents - c.reserved_total_cents + c.released_cents


# -- the funding rule: examples ---------------------------------------------------------------------


def test_lower_priority_number_goes_first() -> None:
    late = sign(reference="LATE", priority=200, valid_until=date(2026, 6, 30))
    first = sign(reference="FIRST", priority=10)
    assert choose([late, first], 3) == [first] * 3


def test_same_priority_earliest_end_goes_first() -> None:
    long = sign(reference="LONG", valid_until=date(2027, 12, 31))
    short = sign(reference="SHORT", valid_until=date(2026, 6, 30))
    assert choose([long, short], 2) == [short, short]


def test_a_book_spills_over_to_the_next_commitment() -> None:
    a = sign(2_500, reference="A", priority=1)
    b = sign(10_000, reference="B", priority=2)
    assert choose([b, a], 5) == [a, a, b, b, b]


def test_a_commitment_with_less_than_a_face_value_left_is_skipped() -> None:
    a = sign(10_000, reference="A", priority=1)
    a.reserve(uuid4(), 1, 9_500)
    b = sign(10_000, reference="B", priority=2)
    assert choose([a, b], 2) == [b, b]


def test_a_face_value_that_fits_exactly() -> None:
    a = sign(3_000, reference="A")
    assert choose([a], 3) == [a, a, a]


def test_ineligible_commitments_are_ignored() -> None:
    restricted = sign(reference="RSA", publics=["rsa"], priority=1)
    elsewhere = sign(reference="DIE", territory=[DIE], priority=2)
    ended = sign(reference="OLD", valid_from=date(2025, 1, 1), valid_until=date(2025, 12, 31), priority=3)
    future = sign(reference="NEXT", valid_from=date(2027, 1, 1), valid_until=date(2027, 12, 31), priority=4)
    general = sign(reference="ALL", priority=500)
    assert choose([restricted, elsewhere, ended, future, general], 2, publics=["senior"], commune=VALENCE) == [
        general,
        general,
    ]
    assert choose([restricted, elsewhere, general], 1, publics=["rsa"], commune=DIE) == [restricted]
    assert choose([elsewhere, general], 1, publics=["rsa"], commune=DIE) == [elsewhere]


def test_the_whole_book_is_refused_when_it_cannot_be_fully_funded() -> None:
    a = sign(1_500, reference="A", priority=1)
    b = sign(1_500, reference="B", priority=2)
    # 3 000 cents in all, but only one 10 EUR cheque fits in each: no partial book
    with pytest.raises(InsufficientEligibleFunds) as info:
        choose([a, b], 3)
    assert info.value.status == 409
    assert a.available_cents == b.available_cents == 1_500  # nothing was touched
    assert choose([a, b], 2) == [a, b]


def test_no_eligible_commitment_refuses() -> None:
    with pytest.raises(InsufficientEligibleFunds):
        choose([], 1)
    with pytest.raises(InsufficientEligibleFunds):
        choose([sign(publics=["rsa"])], 1, publics=["senior"])


def test_money_of_ineligible_commitments_never_helps() -> None:
    eligible = sign(2_000, reference="OK")
    other = sign(100_000, reference="RSA", publics=["rsa"])
    with pytest.raises(InsufficientEligibleFunds):
        choose([eligible, other], 3, publics=["senior"])


def test_choose_funding_does_not_reserve() -> None:
    a = sign(5_000)
    a.collect_events()
    assert len(choose([a], 5)) == 5
    assert a.available_cents == 5_000 and a.collect_events() == []


def test_ties_are_broken_deterministically() -> None:
    a = sign(reference="A")
    b = sign(reference="B")
    first = choose([a, b], 1)
    assert choose([b, a], 1) == first


# -- the funding rule: properties ----------------------------------------------------------------

COMMUNES = [VALENCE, DIE, CREST]
PUBLICS = [p.value for p in Public]
DAY0 = date(2026, 1, 1)


@st.composite
def commitments_st(draw: st.DrawFn) -> Commitment:
    start = DAY0 + timedelta(days=draw(st.integers(0, 200)))
    end = start + timedelta(days=draw(st.integers(0, 400)))
    amount = draw(st.integers(1, 40)) * 250
    c = sign(
        amount,
        reference=f"C-{draw(st.integers(0, 10**6))}",
        valid_from=start,
        valid_until=end,
        publics=draw(st.lists(st.sampled_from(PUBLICS), max_size=2)),
        territory=draw(st.lists(st.sampled_from(COMMUNES), max_size=2)),
        priority=draw(st.sampled_from([1, 50, 100, 100, 100, 200])),
    )
    used = draw(st.integers(0, amount))
    if used:
        c.reserve(uuid4(), 1, used)
    return c


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    commitments=st.lists(commitments_st(), max_size=6),
    count=st.integers(1, 20),
    face=st.sampled_from([250, 500, 1000, 1500, 2000]),
    on=st.dates(DAY0, DAY0 + timedelta(days=600)),
    publics=st.lists(st.sampled_from(PUBLICS), max_size=2),
    commune=st.sampled_from(COMMUNES),
)
def test_funding_rule_property(
    commitments: list[Commitment], count: int, face: int, on: date, publics: list[str], commune: str
) -> None:
    available_before = {c.id: c.available_cents for c in commitments}
    eligible = [c for c in commitments if c.is_eligible(on, publics, commune)]
    capacity = sum(c.available_cents // face for c in eligible)
    try:
        chosen = choose_funding(
            commitments, count=count, face_value_cents=face, on=on, publics=publics, commune_insee=commune
        )
    except InsufficientEligibleFunds:
        # refuses only a book that really cannot be funded
        assert capacity < count
        return
    finally:
        assert {c.id: c.available_cents for c in commitments} == available_before  # a pure decision
    assert capacity >= count
    assert len(chosen) == count
    # each cheque gets an eligible commitment
    for c in chosen:
        assert any(c is e for e in eligible)
        assert c.valid_from <= on <= c.valid_until
        assert not c.eligible_publics or set(c.eligible_publics) & set(publics)
        assert not c.territory or commune in c.territory
    # never more than a commitment's available money
    uses = Counter(c.id for c in chosen)
    for c in commitments:
        assert uses[c.id] * face <= c.available_cents

    # order: no cheque goes to a later commitment while an earlier eligible one still had room; commitments
    # leaving at least 90 days of validity come first (issue 18), then priority, then earliest end
    def order(c: Commitment) -> tuple[bool, int, date]:
        return (not leaves_useful_validity(c, on), c.priority, c.valid_until)

    room = {c.id: c.available_cents for c in eligible}
    for c in chosen:
        key = order(c)
        for e in eligible:
            if order(e) < key:
                assert room[e.id] < face, "an earlier commitment still had room"
        room[c.id] -= face
    keys = [order(c) for c in chosen]
    assert keys == sorted(keys)
    # and the reservations the ledger then makes all succeed
    for c in commitments:
        if uses[c.id]:
            c.reserve(uuid4(), uses[c.id], uses[c.id] * face)
            assert c.available_cents >= 0


# -- a commitment and its cheques, as a state machine ----------------------------------------------
#
# The ledger's issuing, cancelling and expiring steps, done here with the domain alone:
# committed = available + reserved + redeemed + paid, where reserved/redeemed/paid are summed from the
# cheques' statuses (reserved = issued or locked). Checked after every step.


class CommitmentAndCheques(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.today = date(2026, 1, 10)
        self.commitment: Commitment
        self.cheques: list[Cheque] = []
        self.events: dict[UUID, list] = {}
        self.model: dict[str, dict] = {}  # serial -> {"status", "wrong"}: what the contract says
        self._numbers = itertools.count(1)

    # -- helpers
    def _record(self, *aggregates: Any) -> None:
        for a in aggregates:
            self.events.setdefault(a.id, []).extend(a.collect_events())

    def _pick(self, data: st.DataObject, statuses: tuple[str, ...] | None = None) -> Cheque:
        pool = [c for c in self.cheques if statuses is None or c.lifecycle in statuses]
        return pool[data.draw(st.integers(0, len(pool) - 1))]  # aggregates are not hashable

    def _has(self, *statuses: str) -> bool:
        return any(c.lifecycle in statuses for c in self.cheques)

    # -- rules
    @initialize(amount=st.integers(1, 60).map(lambda n: n * 1000), days=st.integers(0, 600))
    def sign(self, amount: int, days: int) -> None:
        self.commitment = sign(amount, valid_from=self.today, valid_until=self.today + timedelta(days=days))
        self._record(self.commitment)
        self.issue_book(count=min(5, amount // 1000), face=1000)  # every run starts with a book

    @rule(days=st.integers(1, 60))
    def time_passes(self, days: int) -> None:
        self.today += timedelta(days=days)

    @rule(count=st.integers(1, 8), face=st.sampled_from([500, 1000, 1500, 2500]))
    def issue_book(self, count: int, face: int) -> None:
        c = self.commitment
        before = c.available_cents
        try:
            chosen = choose_funding(
                [c], count=count, face_value_cents=face, on=self.today, publics=["senior"], commune_insee=VALENCE
            )
        except InsufficientEligibleFunds:
            assert count * face > before or not c.is_eligible(self.today, ["senior"], VALENCE)
            event("issue: refused")
            return
        event("issue: funded")
        assert chosen == [c] * count and count * face <= before
        book_id = uuid4()
        c.reserve(book_id, count, count * face)
        for _ in chosen:
            serial = format_serial(f"{next(self._numbers):08d}")
            cheque = Cheque(
                serial=serial,
                book_id=book_id,
                commitment_id=c.id,
                funder_code=c.funder_code,
                face_value_cents=face,
                valid_until=cheque_validity(self.today, c.valid_until),
                code_hash=hash_code(SECRET, serial, CODE),
                beneficiary_id=uuid4(),
                prescriber_id="p",
                issued_on=self.today,
            )
            self.cheques.append(cheque)
            self.model[serial] = {"status": Status.ISSUED, "wrong": 0}
            self._record(cheque)
        self._record(c)

    @precondition(lambda self: self._has(Status.ISSUED))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        cheque = self._pick(data, (Status.ISSUED,))
        cheque.cancel("carnet perdu")
        self.commitment.release([cheque.serial], cheque.face_value_cents, "cancelled")
        self.model[cheque.serial]["status"] = Status.CANCELLED
        self._record(cheque, self.commitment)
        event("cancelled")

    @rule()
    def expiry_run(self) -> None:
        """Every still-issued cheque past its validity expires; its value returns to the commitment."""
        due = [c for c in self.cheques if c.lifecycle == Status.ISSUED and c.valid_until < self.today]
        for cheque in due:
            cheque.expire(self.today)
            self.model[cheque.serial]["status"] = Status.EXPIRED
        event(f"expiry run: {'some' if due else 'none'} due")
        if due:
            self.commitment.release([c.serial for c in due], sum(c.face_value_cents for c in due), "expired")
        self._record(self.commitment, *due)

    @precondition(lambda self: self.cheques)
    @rule(
        data=st.data(),
        right=st.sampled_from([True, True, True, False]),
        days_back=st.integers(0, 60),
        accredited=st.sampled_from([True, True, True, False]),
    )
    def redeem(self, data: st.DataObject, right: bool, days_back: int, accredited: bool) -> None:
        cheque = self._pick(data)
        session_date = max(self.today - timedelta(days=days_back), cheque.issued_on)
        m = self.model[cheque.serial]
        # what the contract says, in its order of checks
        expected: type[errors.DomainError] | None
        if m["wrong"] >= MAX_WRONG_CODES:
            expected = errors.ChequeLocked
        elif not right:
            expected = errors.InvalidVerificationCode
            m["wrong"] += 1
        elif m["status"] == Status.CANCELLED:
            expected = errors.ChequeCancelled
        elif m["status"] == Status.EXPIRED or session_date > cheque.valid_until:
            expected = errors.ChequeExpired
        elif m["status"] in (Status.REDEEMED, Status.SETTLED):
            expected = errors.ChequeAlreadyRedeemed
        elif not accredited:
            expected = errors.StructureNotAccredited
        else:
            expected = None
            m["status"], m["wrong"] = Status.REDEEMED, 0
        result = cheque.redeem(
            presented_code_hash=hash_code(SECRET, cheque.serial, CODE if right else "WRONG9"),
            structure_id="s-1",
            structure_accredited=accredited,
            session_date=session_date,
            session_kind="collective",
            duration_minutes=90,
            themes=["messagerie"],
            today=self.today,
        )
        assert type(result) is expected if expected else result is None, (result, expected)
        event(f"redeem: {type(result).__name__}")
        self._record(cheque)

    @precondition(lambda self: self.cheques)
    @rule(data=st.data(), times=st.integers(1, MAX_WRONG_CODES + 1))
    def wrong_codes_in_a_row(self, data: st.DataObject, times: int) -> None:
        cheque = self._pick(data)
        m = self.model[cheque.serial]
        for _ in range(times):
            result = cheque.redeem(
                presented_code_hash=hash_code(SECRET, cheque.serial, "WRONG9"),
                structure_id="s-1",
                structure_accredited=True,
                session_date=self.today,
                session_kind="individual",
                duration_minutes=30,
                themes=[],
                today=self.today,
            )
            if m["wrong"] >= MAX_WRONG_CODES:
                assert isinstance(result, errors.ChequeLocked)
            else:
                assert isinstance(result, errors.InvalidVerificationCode)
                m["wrong"] += 1
        event(f"locked after wrong codes: {cheque.locked}")
        self._record(cheque)

    @precondition(lambda self: self._has(Status.REDEEMED))
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        cheque = self._pick(data, (Status.REDEEMED,))
        rid = cheque.current_redemption_id
        cheque.reverse_redemption(rid, "séance non tenue")
        self.model[cheque.serial]["status"] = Status.ISSUED
        self._record(cheque)
        event("reversed")
        with pytest.raises(errors.RedemptionAlreadyReversed):
            cheque.reverse_redemption(rid, "séance non tenue")

    @precondition(lambda self: self._has(Status.REDEEMED))
    @rule(data=st.data())
    def settle(self, data: st.DataObject) -> None:
        cheque = self._pick(data, (Status.REDEEMED,))
        rid = cheque.current_redemption_id
        cheque.settle(uuid4())
        self.model[cheque.serial]["status"] = Status.SETTLED
        self._record(cheque)
        event("settled")
        with pytest.raises(errors.ChequeAlreadySettled):
            cheque.reverse_redemption(rid, "trop tard")

    @precondition(lambda self: any(c.locked for c in self.cheques))
    @rule(data=st.data())
    def unlock(self, data: st.DataObject) -> None:
        locked = [c for c in self.cheques if c.locked]
        cheque = locked[data.draw(st.integers(0, len(locked) - 1))]
        cheque.unlock()
        self.model[cheque.serial]["wrong"] = 0
        self._record(cheque)

    @precondition(lambda self: self.cheques)
    @rule(data=st.data(), action=st.sampled_from(["cancel", "expire", "settle", "reverse"]))
    def refused_commands_change_nothing(self, data: st.DataObject, action: str) -> None:
        """A command the cheque's state forbids raises and records nothing."""
        cheque = self._pick(data)
        status = cheque.lifecycle
        allowed = {
            "cancel": status == Status.ISSUED,
            "expire": status == Status.ISSUED and cheque.valid_until < self.today,
            "settle": status == Status.REDEEMED,
            "reverse": status == Status.REDEEMED,
        }[action]
        if allowed:
            return
        with pytest.raises(errors.DomainError):
            if action == "cancel":
                cheque.cancel("essai")
            elif action == "expire":
                cheque.expire(self.today)
            elif action == "settle":
                cheque.settle(uuid4())
            else:
                cheque.reverse_redemption(cheque.current_redemption_id or redemption_id(cheque.serial, 1), "essai")
        assert cheque.lifecycle == status and cheque.pending_events == []

    # -- invariants
    @invariant()
    def money_is_conserved(self) -> None:
        if not hasattr(self, "commitment"):
            return
        c = self.commitment
        by_status: Counter[str] = Counter()
        for cheque in self.cheques:
            by_status[cheque.lifecycle] += cheque.face_value_cents
        reserved, redeemed, paid = by_status[Status.ISSUED], by_status[Status.REDEEMED], by_status[Status.SETTLED]
        assert c.amount_cents == c.available_cents + reserved + redeemed + paid
        assert 0 <= c.available_cents <= c.amount_cents
        assert c.released_cents == by_status[Status.EXPIRED] + by_status[Status.CANCELLED]
        assert c.reserved_total_cents == sum(ch.face_value_cents for ch in self.cheques)

    @invariant()
    def cheques_follow_the_model(self) -> None:
        for cheque in self.cheques:
            m = self.model[cheque.serial]
            assert cheque.lifecycle == m["status"]
            assert cheque.wrong_codes == min(m["wrong"], MAX_WRONG_CODES)
            assert cheque.locked == (m["wrong"] >= MAX_WRONG_CODES)
            assert cheque.valid_until <= self.commitment.valid_until

    def teardown(self) -> None:
        # replaying every aggregate's events rebuilds exactly the live aggregate
        if hasattr(self, "commitment"):
            for aggregate in [self.commitment, *self.cheques]:
                assert aggregate.pending_events == []
                assert replay(self.events[aggregate.id]) == aggregate


CommitmentAndCheques.TestCase.settings = settings(
    max_examples=80, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestCommitmentAndCheques = CommitmentAndCheques.TestCase
