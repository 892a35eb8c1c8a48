"""Every value the ledger accepts, every projection can store: commands at the extremes of every bound
(amounts at 100 M€, fees and deposits at their ceilings, dates at 2000-01-01, today and 2100-12-31, texts
at their longest in four-byte characters, counts and scores at both ends), then every read and ``verify``.
A refusal by a domain rule is fine; a crash on the read side is not."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import errors
from domain.lending import MAX_DEPOSIT_CENTS, MAX_MONTHLY_FEE_CENTS
from domain.values import FIRST_DAY, LAST_DAY, MAX_CENTS
from ledger import types as t
from projections.verify import verify
from tests import scenario as s
from tests.conftest import BACKEND

ADMIN = s.ADMIN
SERIAL = itertools.count(1)


def ends(low: Any, high: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from([low, high])


def text(longest: int) -> st.SearchStrategy[str]:
    """The shortest and the longest text, the longest in characters UTF-8 spends four bytes on."""
    return st.sampled_from(["x", "𝔇" * longest, "é" * longest])


@st.composite
def extremes(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "amount": draw(ends(1, MAX_CENTS)),
        "valid": draw(st.sampled_from([(FIRST_DAY, LAST_DAY), (FIRST_DAY, FIRST_DAY), (LAST_DAY, LAST_DAY)])),
        "priority": draw(ends(0, 10_000)),
        "fact": draw(st.sampled_from(["first", "today"])),
        "name": draw(text(200)),
        "reason": draw(text(2000)),
        "birth_year": draw(ends(1900, 2026)),
        "count": draw(ends(1, 20)),
        "face": draw(ends(1, 100_000)),
        "minutes": draw(ends(1, 600)),
        "themes": draw(st.sampled_from([[], ["𝔇" * 100] * 20])),
        "fee": draw(ends(0, MAX_MONTHLY_FEE_CENTS)),
        "deposit": draw(ends(0, MAX_DEPOSIT_CENTS)),
        "score": draw(ends(0, 1024)),
        "through": draw(ends(FIRST_DAY, LAST_DAY)),
    }


def attempt(command: Any) -> Any:
    """A command's result, or None if a domain rule refused it (then nothing was stored)."""
    try:
        return command()
    except errors.DomainError as refusal:
        assert refusal.status < 500, refusal
        return None


def run_commands(ledger: Any, x: dict[str, Any]) -> None:
    today = ledger.today()
    fact = FIRST_DAY if x["fact"] == "first" else today
    code = f"F-{next(SERIAL)}"
    attempt(lambda: ledger.create_funder(ADMIN, t.NewFunder(code=code, name=x["name"], kind="other")))
    valid_from, valid_until = x["valid"]
    attempt(
        lambda: ledger.sign_commitment(
            ADMIN,
            t.NewCommitment(
                funder_code=code,
                reference=x["name"],
                amount_cents=x["amount"],
                valid_from=valid_from,
                valid_until=valid_until,
                priority=x["priority"],
            ),
        )
    )
    attempt(
        lambda: ledger.receive_payment(
            ADMIN, code, t.NewPayment(amount_cents=x["amount"], received_on=fact, reference=x["name"])
        )
    )
    structure = ledger.register_structure(
        ADMIN, t.NewStructure(siret=s.SIRET_FABAT, name=x["name"], commune_insee=s.VALENCE)
    )
    structure_actor = t.Actor(role="structure", org=str(structure.id))
    ledger.submit_bank_details(
        structure_actor, str(structure.id), t.NewBankDetails(holder=x["name"], iban=s.iban(1), bic="BNPAFRPPXXX")
    )
    ledger.approve_bank_details(ADMIN, str(structure.id))
    prescriber = ledger.register_prescriber(
        ADMIN, t.NewPrescriber(name=x["name"], kind="ccas", commune_insee=s.VALENCE)
    )
    prescriber_actor = t.Actor(role="prescriber", org=str(prescriber.id))
    person = attempt(
        lambda: s.beneficiary(
            ledger, prescriber_actor, first_name=x["name"], last_name=x["name"], birth_year=x["birth_year"]
        )
    )
    if person is None:
        return
    book = attempt(
        lambda: ledger.issue_book(
            prescriber_actor, t.NewChequeBook(beneficiary_id=person.id, count=x["count"], face_value_cents=x["face"])
        )
    )
    if book is not None:
        first = book.cheques[0]
        session = t.Session(date=today, kind="collective", duration_minutes=x["minutes"], themes=x["themes"])
        attempt(
            lambda: ledger.redeem(
                structure_actor, t.NewRedemption(serial=first.serial, code=first.code, session=session)
            )
        )
        attempt(
            lambda: ledger.cancel_cheque(prescriber_actor, book.cheques[-1].serial, t.ReasonBody(reason=x["reason"]))
        )
        attempt(lambda: ledger.settle(ADMIN, t.NewSettlement(through=x["through"])))
    source = ledger.register_source(
        structure_actor, t.NewEquipmentSource(name=x["name"], kind="individual", commune_insee=s.VALENCE)
    )
    device = ledger.receive_device(
        structure_actor,
        t.NewDevice(source_id=source.id, kind="tablet", serial_number=x["name"][:100], received_on=fact),
    )
    ledger.refurbish_device(structure_actor, str(device.id), t.Refurbishment(grade="C", refurbished_on=fact))
    loan = attempt(
        lambda: ledger.sign_loan(
            structure_actor,
            t.NewLoan(
                device_id=device.id,
                beneficiary_id=person.id,
                start_on=fact,
                due_on=LAST_DAY,
                monthly_fee_cents=x["fee"],
                deposit_cents=x["deposit"],
            ),
        )
    )
    if loan is not None:
        attempt(
            lambda: ledger.follow_up_loan(
                structure_actor, str(loan.id), t.NewFollowUp(on=today, kind="call", note=x["reason"])
            )
        )
        attempt(lambda: ledger.return_loan(structure_actor, str(loan.id), t.LoanReturn(on=today, condition="good")))
    for phase in ("entry", "exit"):
        attempt(
            lambda p=phase: ledger.record_pix(
                structure_actor, str(person.id), t.NewPixAssessment(phase=p, score=x["score"], taken_on=fact)
            )
        )
    attempt(lambda: ledger.expire(ADMIN, t.NewExpiry(as_of=today)))


def every_read(ledger: Any) -> None:
    ledger.views.catch_up()
    codes = [f"F-{n}" for n in range(1, next(SERIAL))]
    for code in codes:
        try:
            reconciliation = ledger.reconciliation(ADMIN, code)
        except errors.NotFound:
            continue
        assert reconciliation.balanced
        ledger.journal(ADMIN, code)
    ledger.indicators(t.Actor(role="observatory"))
    ledger.observatory_export(t.Actor(role="observatory"))
    ledger.list_loans(ADMIN, None, None, 1000, None)
    problems, _, _ = verify(ledger)
    assert problems == []


@settings(max_examples=12 if BACKEND == "sqlite" else 6, deadline=None, suppress_health_check=list(HealthCheck))
@given(x=extremes())
def test_values_at_every_bound_are_stored_by_every_projection(ledger, x):
    run_commands(ledger, x)
    every_read(ledger)


def test_the_upper_ends_all_at_once(ledger, clock):
    """The example hypothesis could miss: every bound at its top in one ledger."""
    clock.today = date(2026, 12, 6)
    top = {
        "amount": MAX_CENTS,
        "valid": (FIRST_DAY, LAST_DAY),
        "priority": 10_000,
        "fact": "today",
        "name": "𝔇" * 200,
        "reason": "𝔇" * 2000,
        "birth_year": 1900,
        "count": 20,
        "face": 100_000,
        "minutes": 600,
        "themes": ["𝔇" * 100] * 20,
        "fee": MAX_MONTHLY_FEE_CENTS,
        "deposit": MAX_DEPOSIT_CENTS,
        "score": 1024,
        "through": LAST_DAY,
    }
    first = next(SERIAL)
    for _ in range(3):  # sums of several amounts at the ceiling, too
        run_commands(ledger, top)
    every_read(ledger)
    figures = [ledger.reconciliation(ADMIN, f"F-{n}") for n in range(first + 1, first + 4)]
    assert {(f.committed_cents, f.received_cents) for f in figures} == {(MAX_CENTS, MAX_CENTS)}
    paid, released = sum(f.paid_cents for f in figures), sum(f.released_cents for f in figures)
    assert (paid, released) == (3 * 100_000, 3 * 100_000)  # a cheque of each book paid, another cancelled
    loans = ledger.list_loans(ADMIN, None, None, 1000, None).items
    assert [(x.deposit_cents, x.monthly_fee_cents, x.status) for x in loans] == [
        (MAX_DEPOSIT_CENTS, MAX_MONTHLY_FEE_CENTS, "returned")
    ] * 3
    assert ledger.indicators(t.Actor(role="observatory")).pix.pairs == 3
