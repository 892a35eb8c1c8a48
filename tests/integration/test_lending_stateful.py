"""Devices and loans under random command sequences: a device is never on two loans, and the status
model always agrees with the events (aggregates and projections)."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, rule

from api.bootstrap import open_ledger
from domain import errors
from ledger import types as t
from tests import scenario as s
from tests.conftest import BACKEND, SECRET, Clock, database_config

DAY0 = date(2026, 1, 5)


class LendingMachine(RuleBasedStateMachine):
    devices = Bundle("devices")
    loans = Bundle("loans")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.ledger = open_ledger(database_config(Path(self.tmp.name)), SECRET, clock=Clock(date(2026, 12, 31)))
        self.device_status: dict = {}
        self.loan_of_device: dict = {}  # device -> active loan
        self.loan_status: dict = {}
        self.day = DAY0

    def teardown(self) -> None:
        self.ledger.close()
        self.tmp.cleanup()

    @initialize()
    def set_up(self) -> None:
        self.w = s.world(self.ledger)
        self.source = self.ledger.register_source(
            self.w.structure_actor, t.NewEquipmentSource(name="Gisement", kind="association", commune_insee=s.VALENCE)
        )

    def next_day(self) -> date:
        self.day += timedelta(days=1)
        return self.day

    @rule(target=devices)
    def receive(self):
        d = self.ledger.receive_device(
            self.w.structure_actor,
            t.NewDevice(source_id=self.source.id, kind="tablet", serial_number="T", received_on=DAY0),
        )
        self.device_status[d.id] = "received"
        return d.id

    @rule(device=devices)
    def refurbish(self, device) -> None:
        try:
            self.ledger.refurbish_device(
                self.w.structure_actor, str(device), t.Refurbishment(grade="A", refurbished_on=self.next_day())
            )
        except errors.InvalidTransition:
            assert self.device_status[device] not in ("received", "needs_repair")
        else:
            assert self.device_status[device] in ("received", "needs_repair")
            self.device_status[device] = "available"

    @rule(target=loans, device=devices)
    def lend(self, device):
        start = self.next_day()
        try:
            loan = self.ledger.sign_loan(
                self.w.structure_actor,
                t.NewLoan(
                    device_id=device,
                    beneficiary_id=self.w.beneficiary.id,
                    start_on=start,
                    due_on=start + timedelta(days=30),
                    monthly_fee_cents=200,
                    deposit_cents=1000,
                ),
            )
        except errors.DeviceUnavailable:
            assert self.device_status[device] != "available"
            return multiple()
        assert self.device_status[device] == "available" and device not in self.loan_of_device
        self.device_status[device] = "on_loan"
        self.loan_of_device[device] = loan.id
        self.loan_status[loan.id] = ("active", device)
        return loan.id

    @rule(loan=loans, good=st.booleans())
    def give_back(self, loan, good: bool) -> None:
        state, device = self.loan_status[loan]
        try:
            self.ledger.return_loan(
                self.w.structure_actor,
                str(loan),
                t.LoanReturn(on=self.next_day(), condition="good" if good else "damaged"),
            )
        except errors.InvalidTransition:
            assert state != "active"
        else:
            assert state == "active"
            self.loan_status[loan] = ("returned", device)
            del self.loan_of_device[device]
            self.device_status[device] = "available" if good else "needs_repair"

    @rule(loan=loans)
    def lose(self, loan) -> None:
        state, device = self.loan_status[loan]
        try:
            self.ledger.declare_loan_lost(self.w.structure_actor, str(loan), t.LoanLoss(on=self.next_day()))
        except errors.InvalidTransition:
            assert state != "active"
        else:
            assert state == "active"
            self.loan_status[loan] = ("lost", device)
            del self.loan_of_device[device]
            self.device_status[device] = "retired"

    @rule(device=devices)
    def retire(self, device) -> None:
        try:
            self.ledger.retire_device(
                self.w.structure_actor, str(device), t.Retirement(reason="recycled", on=self.next_day())
            )
        except errors.InvalidTransition:
            assert self.device_status[device] in ("on_loan", "retired")
        else:
            self.device_status[device] = "retired"

    @invariant()
    def never_two_loans_and_statuses_agree(self) -> None:
        if not hasattr(self, "w"):
            return
        for device, status in self.device_status.items():
            assert self.ledger.get_device(self.w.structure_actor, str(device)).status == status
        self.ledger.views.catch_up()
        with self.ledger.db.read() as cur:
            active = cur.execute(
                "SELECT device_id, COUNT(*) FROM loan_index WHERE state = 'active' GROUP BY device_id"
            ).fetchall()
            projected = dict(cur.execute("SELECT id, status FROM device_index").fetchall())
        assert all(n == 1 for _, n in active)
        assert {d for d, _ in active} == {str(d) for d in self.loan_of_device}
        assert projected == {str(d): st for d, st in self.device_status.items()}
        for loan, (state, _) in self.loan_status.items():
            assert self.ledger.get_loan(self.w.structure_actor, str(loan)).status in (
                state,
                "overdue" if state == "active" else state,
            )


LendingMachine.TestCase.settings = settings(
    max_examples=30 if BACKEND == "sqlite" else 10,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLendingStateful = LendingMachine.TestCase
