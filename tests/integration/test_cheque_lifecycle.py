"""The whole life of cheques through the real ledger (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from ledger import types as t
from tests import scenario as s
from tests.scenario import ADMIN


def test_issue_redeem_settle_balances(ledger, clock):
    clock.today = date(2026, 3, 1)
    w = s.world(ledger)
    b = s.book(ledger, w, count=3)
    assert len(b.cheques) == 3
    assert {c.funder_code for c in b.cheques} == {"DEPT26"}
    first = b.cheques[0]
    clock.today = date(2026, 3, 16)
    r = ledger.redeem(w.structure_actor, s.redemption(first.serial, first.code, date(2026, 3, 10)))
    assert r.amount_cents == 1000 and r.serial == first.serial
    assert ledger.get_cheque(w.structure_actor, first.serial).status == "redeemed"

    statement = ledger.statement(w.structure_actor, str(w.structure.id))
    assert (statement.redeemed_count, statement.redeemed_cents, statement.pending_cents) == (1, 1000, 1000)

    settlement = ledger.settle(ADMIN, t.NewSettlement(through=date(2026, 3, 15)))
    assert settlement.total_cents == 1000
    assert [(x.structure_id, x.count) for x in settlement.lines] == [(str(w.structure.id), 1)]
    assert ledger.get_cheque(ADMIN, first.serial).status == "settled"

    rec = ledger.reconciliation(ADMIN, "DEPT26")
    assert rec.balanced
    assert (rec.committed_cents, rec.available_cents, rec.reserved_cents, rec.redeemed_cents, rec.paid_cents) == (
        100_000,
        97_000,
        2_000,
        0,
        1_000,
    )
    again = ledger.settle(ADMIN, t.NewSettlement(through=date(2026, 3, 15)))
    assert again.total_cents == 0 and again.lines == []


def test_redemption_refusals_in_contract_order(ledger, clock):
    clock.today = date(2026, 2, 1)
    w = s.world(ledger)
    b = s.book(ledger, w, count=4)
    c0, c1, c2, c3 = b.cheques
    clock.today = today = date(2026, 3, 16)

    with pytest.raises(errors.UnknownCheque):
        ledger.redeem(w.structure_actor, s.redemption("ZZZZ-ZZZZ-Z", "AAAAAA", today))
    # a wrong check character is an unknown cheque too
    wrong_check = c0.serial[:-1] + ("A" if c0.serial[-1] != "A" else "B")
    with pytest.raises(errors.UnknownCheque):
        ledger.redeem(w.structure_actor, s.redemption(wrong_check, c0.code, today))

    for _ in range(4):
        with pytest.raises(errors.InvalidVerificationCode):
            ledger.redeem(w.structure_actor, s.redemption(c0.serial, "XXXXXX", today))
    with pytest.raises(errors.InvalidVerificationCode):
        ledger.redeem(w.structure_actor, s.redemption(c0.serial, "XXXXXX", today))
    # locked now, even with the right code
    with pytest.raises(errors.ChequeLocked):
        ledger.redeem(w.structure_actor, s.redemption(c0.serial, c0.code, today))
    assert ledger.get_cheque(w.prescriber_actor, c0.serial).status == "locked"
    ledger.unlock_cheque(w.prescriber_actor, c0.serial)
    ledger.redeem(w.structure_actor, s.redemption(c0.serial, c0.code, today))

    ledger.cancel_cheque(w.prescriber_actor, c1.serial, t.ReasonBody(reason="carnet perdu"))
    with pytest.raises(errors.InvalidVerificationCode):
        ledger.redeem(w.structure_actor, s.redemption(c1.serial, "XXXXXX", today))
    with pytest.raises(errors.ChequeCancelled):
        ledger.redeem(w.structure_actor, s.redemption(c1.serial, c1.code, today))

    with pytest.raises(errors.ChequeExpired):
        ledger.redeem(w.structure_actor, s.redemption(c2.serial, c2.code, date(2028, 1, 1)))
    with pytest.raises(errors.ChequeAlreadyRedeemed):
        ledger.redeem(w.structure_actor, s.redemption(c0.serial, c0.code, today))

    ledger.change_accreditation(
        ADMIN, str(w.structure.id), t.AccreditationChange(reason="contrôle", on=date(2026, 3, 1)), False
    )
    with pytest.raises(errors.StructureNotAccredited):
        ledger.redeem(w.structure_actor, s.redemption(c2.serial, c2.code, date(2026, 3, 5)))
    # before the suspension took effect the structure was accredited
    ledger.redeem(w.structure_actor, s.redemption(c2.serial, c2.code, date(2026, 2, 27)))
    ledger.change_accreditation(ADMIN, str(w.structure.id), t.AccreditationChange(reason="ok", on=today), True)
    with pytest.raises(errors.ValidationError):
        ledger.redeem(w.structure_actor, s.redemption(c3.serial, c3.code, date(2026, 3, 17)))
    assert ledger.reconciliation(ADMIN, "DEPT26").balanced


def test_cancel_and_expiry_release_money(ledger, clock):
    w = s.world(ledger, amount_cents=10_000)
    b = s.book(ledger, w, count=5)
    ledger.cancel_cheque(w.prescriber_actor, b.cheques[0].serial, t.ReasonBody(reason="erreur"))
    ledger.redeem(w.structure_actor, s.redemption(b.cheques[1].serial, b.cheques[1].code, clock.today))
    with pytest.raises(errors.ChequeAlreadyRedeemed):
        ledger.cancel_cheque(w.prescriber_actor, b.cheques[1].serial, t.ReasonBody(reason="erreur"))
    valid_until = b.cheques[2].valid_until
    assert valid_until == date(2027, 3, 16)
    with pytest.raises(errors.ValidationError) as refused:  # an expiry run is a fact: never ahead of today
        ledger.expire(ADMIN, t.NewExpiry(as_of=valid_until))
    assert refused.value.fields[0][0] == "as_of"
    clock.today = date(2027, 3, 17)
    assert ledger.expire(ADMIN, t.NewExpiry(as_of=valid_until)).expired_count == 0
    out = ledger.expire(ADMIN, t.NewExpiry(as_of=date(2027, 3, 17)))
    assert (out.expired_count, out.released_cents) == (3, 3000)
    rec = ledger.reconciliation(ADMIN, "DEPT26")
    assert rec.balanced
    assert (rec.available_cents, rec.reserved_cents, rec.redeemed_cents, rec.released_cents) == (9000, 0, 1000, 4000)
    with pytest.raises(errors.ChequeExpired):
        ledger.redeem(w.structure_actor, s.redemption(b.cheques[2].serial, b.cheques[2].code, clock.today))


def test_reversal_before_settlement_only(ledger, clock):
    w = s.world(ledger)
    b = s.book(ledger, w, count=2)
    c = b.cheques[0]
    r = ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, clock.today))
    ledger.reverse_redemption(w.structure_actor, r.id, t.ReasonBody(reason="erreur de saisie"))
    assert ledger.get_cheque(w.prescriber_actor, c.serial).status == "issued"
    with pytest.raises(errors.RedemptionAlreadyReversed):
        ledger.reverse_redemption(w.structure_actor, r.id, t.ReasonBody(reason="encore"))
    r2 = ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, clock.today))
    assert r2.id != r.id
    ledger.settle(ADMIN, t.NewSettlement(through=clock.today))
    with pytest.raises(errors.ChequeAlreadySettled):
        ledger.reverse_redemption(w.structure_actor, r2.id, t.ReasonBody(reason="trop tard"))


def test_book_not_fully_fundable_issues_nothing(ledger):
    w = s.world(ledger, amount_cents=3_000)
    with pytest.raises(errors.InsufficientEligibleFunds):
        s.book(ledger, w, count=4)
    rec = ledger.reconciliation(ADMIN, "DEPT26")
    assert (rec.available_cents, rec.reserved_cents) == (3_000, 0)
    assert len(s.book(ledger, w, count=3).cheques) == 3


def test_reprint_replaces_codes(ledger, clock):
    w = s.world(ledger)
    b = s.book(ledger, w, count=2)
    ledger.redeem(w.structure_actor, s.redemption(b.cheques[0].serial, b.cheques[0].code, clock.today))
    again = ledger.reprint_book(w.prescriber_actor, str(b.id))
    assert [c.serial for c in again.cheques] == [b.cheques[1].serial]
    old, new = b.cheques[1].code, again.cheques[0].code
    if old != new:
        with pytest.raises(errors.InvalidVerificationCode):
            ledger.redeem(w.structure_actor, s.redemption(b.cheques[1].serial, old, clock.today))
    ledger.redeem(w.structure_actor, s.redemption(b.cheques[1].serial, new, clock.today))


def test_idempotent_repeat_has_no_new_effect(ledger):
    from ledger.idempotency import Idem

    w = s.world(ledger)
    body = t.NewChequeBook(beneficiary_id=w.beneficiary.id, count=2)
    idem = Idem(scope="k1", key="abc", fingerprint="f1")
    first = ledger.issue_book(w.prescriber_actor, body, idem)
    position = ledger.position()
    second = ledger.issue_book(w.prescriber_actor, body, idem)
    assert second == first and ledger.position() == position
    with pytest.raises(errors.IdempotencyKeyReuse):
        ledger.issue_book(w.prescriber_actor, body, Idem(scope="k1", key="abc", fingerprint="other"))
    # another API key may use the same idempotency key for its own request
    third = ledger.issue_book(w.prescriber_actor, body, Idem(scope="k2", key="abc", fingerprint="f1"))
    assert third.id != first.id


def test_wrong_code_repeat_with_same_key_counts_once(ledger, clock):
    from ledger.idempotency import Idem

    w = s.world(ledger)
    c = s.book(ledger, w, count=1).cheques[0]
    idem = Idem(scope="k", key="same", fingerprint="f")
    for _ in range(6):
        with pytest.raises(errors.InvalidVerificationCode):
            ledger.redeem(w.structure_actor, s.redemption(c.serial, "XXXXXX", clock.today), idem)
    assert ledger.get_cheque(w.prescriber_actor, c.serial).status == "issued"


def test_organisation_scoping(ledger, clock):
    w = s.world(ledger)
    other_prescriber = t.Actor(role="prescriber", org=str(s.prescriber(ledger, "CCAS de Die").id))
    b = s.book(ledger, w, count=1)
    with pytest.raises(errors.Forbidden):
        ledger.get_beneficiary(other_prescriber, str(w.beneficiary.id))
    with pytest.raises(errors.Forbidden):
        ledger.issue_book(other_prescriber, t.NewChequeBook(beneficiary_id=w.beneficiary.id, count=1))
    with pytest.raises(errors.Forbidden):
        ledger.cancel_cheque(other_prescriber, b.cheques[0].serial, t.ReasonBody(reason="x"))
    other_funder = t.Actor(role="funder", org="CAF26")
    with pytest.raises(errors.Forbidden):
        ledger.reconciliation(other_funder, "DEPT26")
    with pytest.raises(errors.Forbidden):
        ledger.settle(w.structure_actor, t.NewSettlement(through=clock.today))


def test_a_refused_request_keeps_its_idempotency_key(ledger):
    from ledger.idempotency import Idem

    s.funder(ledger)
    idem = Idem(scope="k", key="same", fingerprint="body-1")
    for _ in range(2):
        with pytest.raises(errors.AlreadyExists):
            ledger.create_funder(ADMIN, t.NewFunder(code="DEPT26", name="x", kind="department"), idem)
    with pytest.raises(errors.IdempotencyKeyReuse):
        ledger.create_funder(
            ADMIN, t.NewFunder(code="CAF26", name="y", kind="caf"), Idem(scope="k", key="same", fingerprint="body-2")
        )
    with pytest.raises(errors.NotFound):
        ledger.get_funder(ADMIN, "CAF26")
