"""Random command sequences against the real ledger, checked after every step against a model.

Money is conserved per commitment (committed = available + reserved + redeemed + paid), never
negative; no cheque is redeemed twice; every cheque's status is the model's. The structure's bank account
goes pending (a change) and active (approved by another person): settlements then hold its cheques or pay
them, and a paid settlement is ordered, then executed; paid = ordered + executed throughout.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, invariant, multiple, rule

from api.bootstrap import open_ledger
from domain import errors
from ledger import types as t
from tests import scenario as s
from tests.conftest import BACKEND, SECRET, Clock, database_config

ADMIN = s.ADMIN
EXAMPLES = 40 if BACKEND == "sqlite" else 12
STEPS = 30 if BACKEND == "sqlite" else 20


class LedgerMachine(RuleBasedStateMachine):
    cheques = Bundle("cheques")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.clock = Clock(date(2026, 1, 10))
        self.ledger = open_ledger(database_config(Path(self.tmp.name)), SECRET, clock=self.clock)
        self.model: dict[str, dict] = {}  # serial -> {status, commitment, code, value, valid_until, wrong}
        self.committed: dict[str, int] = {}
        self.redemption_ids: dict[str, str] = {}
        self.redeemed_serials: set[str] = set()
        self.bank = "active"  # the world's structure is given an approved account
        self.settlements: dict[str, dict] = {}  # id -> {total, executed}

    def teardown(self) -> None:
        self.ledger.close()
        self.tmp.cleanup()

    @initialize()
    def set_up(self) -> None:
        self.w = s.world(self.ledger, amount_cents=5_000)
        self.committed[str(self.w.commitment.id)] = 5_000
        # Two cheques redeemed from the start, so that settlements (held, paid, executed) happen early.
        for c in s.book(self.ledger, self.w, count=2).cheques:
            self.ledger.redeem(self.w.structure_actor, s.redemption(c.serial, c.code, self.clock.today))
            self.model[c.serial] = {
                "status": "redeemed",
                "commitment": str(c.commitment_id),
                "code": c.code,
                "value": c.face_value_cents,
                "valid_until": c.valid_until,
                "wrong": 0,
                "issued_on": self.clock.today,
            }

    @rule(amount=st.integers(min_value=1, max_value=8).map(lambda n: n * 1000))
    def sign_commitment(self, amount: int) -> None:
        c = s.commitment(self.ledger, "DEPT26", amount, reference=f"C{len(self.committed)}")
        self.committed[str(c.id)] = amount

    @rule(amount=st.integers(min_value=1, max_value=10_000))
    def receive_payment(self, amount: int) -> None:
        self.ledger.receive_payment(
            ADMIN, "DEPT26", t.NewPayment(amount_cents=amount, received_on=self.clock.today, reference="v")
        )

    @rule(target=cheques, count=st.integers(min_value=1, max_value=4))
    def issue_book(self, count: int):
        fits = self.fits(count)
        try:
            book = s.book(self.ledger, self.w, count=count)
        except errors.InsufficientEligibleFunds:
            assert not fits
            return multiple()
        assert fits
        for c in book.cheques:
            self.model[c.serial] = {
                "status": "issued",
                "commitment": str(c.commitment_id),
                "code": c.code,
                "value": c.face_value_cents,
                "valid_until": c.valid_until,
                "wrong": 0,
                "issued_on": self.clock.today,
            }
        return multiple(*(c.serial for c in book.cheques))

    def fits(self, count: int) -> bool:
        """Whether the funding rule can fund ``count`` cheques of 10 € today (all commitments
        here run 2026-01-01 to 2027-12-31, for every public and commune)."""
        if not date(2026, 1, 1) <= self.clock.today <= date(2027, 12, 31):
            return False
        return sum(v // 1000 for v in self.available().values()) >= count

    @rule(serial=cheques, days=st.integers(min_value=0, max_value=3))
    def redeem(self, serial, days: int) -> None:
        m = self.model[serial]
        session = max(self.clock.today - timedelta(days=days), m["issued_on"])
        try:
            r = self.ledger.redeem(self.w.structure_actor, s.redemption(serial, m["code"], session))
        except errors.ChequeLocked:
            assert m["wrong"] >= 5
        except errors.ChequeAlreadyRedeemed:
            assert m["status"] in ("redeemed", "settled")
        except errors.ChequeCancelled:
            assert m["status"] == "cancelled"
        except errors.ChequeExpired:
            assert m["status"] == "expired" or session > m["valid_until"]
        else:
            assert m["wrong"] < 5 and m["status"] == "issued"
            m["status"], m["wrong"] = "redeemed", 0
            event("a cheque was redeemed")
            self.redemption_ids[serial] = r.id

    @rule(serial=cheques, times=st.integers(min_value=1, max_value=5))
    def wrong_code(self, serial, times: int) -> None:
        m = self.model[serial]
        for _ in range(times):
            try:
                self.ledger.redeem(self.w.structure_actor, s.redemption(serial, "YYYYYY", self.clock.today))
            except errors.ChequeLocked:
                assert m["wrong"] >= 5
                event("a locked cheque refused a code")
            except errors.InvalidVerificationCode:
                m["wrong"] += 1
            else:
                raise AssertionError("a wrong code was accepted")

    @rule(serial=cheques)
    def unlock(self, serial) -> None:
        m = self.model[serial]
        try:
            self.ledger.unlock_cheque(self.w.prescriber_actor, serial)
        except errors.ChequeNotLocked:
            assert m["wrong"] < 5
        else:
            m["wrong"] = 0

    @rule(serial=cheques)
    def reverse(self, serial) -> None:
        if serial not in self.redemption_ids:
            return
        m = self.model[serial]
        try:
            self.ledger.reverse_redemption(
                self.w.structure_actor, self.redemption_ids[serial], t.ReasonBody(reason="erreur")
            )
        except errors.ChequeAlreadySettled:
            assert m["status"] == "settled"
        else:
            assert m["status"] == "redeemed"
            m["status"] = "issued"
            del self.redemption_ids[serial]
            event("a redemption was reversed")

    @rule(serial=consumes(cheques))
    def cancel(self, serial) -> None:
        m = self.model[serial]
        try:
            self.ledger.cancel_cheque(self.w.prescriber_actor, serial, t.ReasonBody(reason="perdu"))
        except errors.ChequeAlreadyRedeemed:
            assert m["status"] in ("redeemed", "settled")
        except (errors.ChequeCancelled, errors.ChequeExpired):
            assert m["status"] in ("cancelled", "expired")
        else:
            assert m["status"] == "issued"
            m["status"] = "cancelled"

    @rule(days=st.integers(min_value=1, max_value=400))
    def time_passes(self, days: int) -> None:
        self.clock.today += timedelta(days=days)

    @rule()
    def expire(self) -> None:
        out = self.ledger.expire(ADMIN, t.NewExpiry(as_of=self.clock.today))
        expected = [k for k, m in self.model.items() if m["status"] == "issued" and m["valid_until"] < self.clock.today]
        assert out.expired_count == len(expected)
        for k in expected:
            self.model[k]["status"] = "expired"
        if expected:
            event("cheques expired")

    @rule(n=st.integers(min_value=2, max_value=9))
    def change_bank_details(self, n: int) -> None:
        sid = str(self.w.structure.id)
        body = t.NewBankDetails(holder="Fab'At", iban=s.iban(n))
        assert self.ledger.submit_bank_details(self.w.structure_actor, sid, body).status == "pending"
        self.bank = "pending"

    @rule()
    def approve_bank_details(self) -> None:
        try:
            out = self.ledger.approve_bank_details(ADMIN, str(self.w.structure.id))
        except errors.NothingPending:
            assert self.bank == "active"
        else:
            assert self.bank == "pending" and out.status == "active"
            self.bank = "active"
            event("a change of bank details was approved")

    @rule(stale=st.booleans())
    def settle(self, stale: bool) -> None:
        expected = [k for k, m in self.model.items() if m["status"] == "redeemed"]
        due = sum(self.model[k]["value"] for k in expected)
        to_pay = due if self.bank == "active" else 0
        body = t.NewSettlement(through=self.clock.today, expected_total_cents=to_pay + 1 if stale else None)
        if stale:
            before = self.ledger.position()
            try:
                self.ledger.settle(ADMIN, body)
            except errors.SettlementChanged:
                assert self.ledger.position() == before, "nothing paid"
                return
            raise AssertionError("a stale total was accepted")
        out = self.ledger.settle(ADMIN, body)
        assert out.total_cents == to_pay
        assert sum(x.amount_cents for x in out.held) == due - to_pay
        self.settlements[str(out.id)] = {"total": out.total_cents, "executed": False}
        if self.bank != "active":
            if expected:
                event("cheques held")
            return
        for k in expected:
            self.model[k]["status"] = "settled"
        if expected:
            event("cheques settled")

    @rule(data=st.data())
    def execute(self, data) -> None:
        if not self.settlements:
            return
        sid = data.draw(st.sampled_from(sorted(self.settlements)))
        m = self.settlements[sid]
        body = t.NewExecution(executed_on=self.clock.today, bank_reference=f"BQ-{sid[:8]}")
        try:
            out = self.ledger.record_execution(ADMIN, sid, body)
        except errors.NothingToPay:
            assert m["total"] == 0
        except errors.AlreadyExecuted:
            assert m["executed"]
        else:
            assert m["total"] > 0 and not m["executed"] and out.payment_status == "executed"
            m["executed"] = True
            event("a transfer was executed")

    # -- checks -----------------------------------------------------------------------------
    def available(self) -> dict[str, int]:
        out = dict(self.committed)
        for m in self.model.values():
            if m["status"] in ("issued", "redeemed", "settled"):
                out[m["commitment"]] -= m["value"]
        return out

    @invariant()
    def money_is_conserved(self) -> None:
        if not hasattr(self, "w"):
            return
        rec = self.ledger.reconciliation(ADMIN, "DEPT26")
        assert rec.balanced
        expected_available = self.available()
        for f in rec.commitments:
            cid = str(f.id)
            assert f.committed_cents == self.committed[cid]
            assert f.available_cents == expected_available[cid] >= 0
            assert f.committed_cents == f.available_cents + f.reserved_cents + f.redeemed_cents + f.paid_cents
            for status, field in (("redeemed", "redeemed_cents"), ("settled", "paid_cents")):
                assert getattr(f, field) == sum(
                    m["value"] for m in self.model.values() if m["commitment"] == cid and m["status"] == status
                )
        executed = sum(m["total"] for m in self.settlements.values() if m["executed"])
        assert (rec.executed_cents, rec.ordered_cents) == (executed, rec.paid_cents - executed)
        statement = self.ledger.statement(self.w.structure_actor, str(self.w.structure.id))
        assert (statement.executed_cents, statement.ordered_cents) == (rec.executed_cents, rec.ordered_cents)
        assert statement.pending_cents == rec.redeemed_cents

    @invariant()
    def statuses_agree(self) -> None:
        for serial, m in self.model.items():
            status = self.ledger.get_cheque(ADMIN, serial).status
            expected = "locked" if m["status"] == "issued" and m["wrong"] >= 5 else m["status"]
            assert status == expected, serial


LedgerMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestLedgerStateful = LedgerMachine.TestCase
