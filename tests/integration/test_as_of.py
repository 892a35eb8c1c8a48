"""Reconciliation ``as_of`` a past day equals a replay of the events recorded up to that day's end,
and every projection equals a from-scratch recomputation, for random command sequences."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import eventsourcing.domain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.bootstrap import Ledger, open_ledger
from domain import errors
from ledger import types as t
from ledger.clock import PARIS
from projections.verify import Recomputed, verify
from tests import scenario as s
from tests.conftest import BACKEND, SECRET, Clock, database_config

START = date(2026, 2, 2)
OPS = st.lists(
    st.tuples(
        st.sampled_from(["book", "redeem", "cancel", "settle", "expire", "pay", "next_day"]),
        st.integers(min_value=0, max_value=50),
    ),
    min_size=5,
    max_size=40,
)


def replay_until(ledger: Ledger, cutoff: datetime) -> Recomputed:
    model = Recomputed()
    for n in ledger.app.recorder.select_notifications(start=1, limit=1_000_000):
        event = ledger.app.mapper.to_domain_event(n)
        if event.timestamp < cutoff:
            model.apply(event)
    return model


@settings(max_examples=25 if BACKEND == "sqlite" else 6, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=OPS)
def test_as_of_equals_replay_up_to_that_day(ops):
    clock = Clock(START)
    at_day_start = {"at": datetime.combine(START, time(0, 30), PARIS)}
    original = eventsourcing.domain.datetime_now_with_tzinfo
    eventsourcing.domain.datetime_now_with_tzinfo = lambda: at_day_start["at"].astimezone(UTC)
    tmp = tempfile.TemporaryDirectory()
    ledger = open_ledger(database_config(Path(tmp.name)), SECRET, clock=clock)
    try:
        w = s.world(ledger, amount_cents=30_000)
        open_cheques: list[t.IssuedCheque] = []
        for op, n in ops:
            try:
                if op == "next_day":
                    clock.today += timedelta(days=1 + n % 40)
                    at_day_start["at"] = datetime.combine(clock.today, time(0, 30), PARIS)
                elif op == "book":
                    open_cheques += s.book(ledger, w, count=1 + n % 3).cheques
                elif op == "redeem" and open_cheques:
                    c = open_cheques.pop(n % len(open_cheques))
                    ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, clock.today))
                elif op == "cancel" and open_cheques:
                    c = open_cheques.pop(n % len(open_cheques))
                    ledger.cancel_cheque(w.prescriber_actor, c.serial, t.ReasonBody(reason="perdu"))
                elif op == "settle":
                    ledger.settle(s.ADMIN, t.NewSettlement(through=clock.today))
                elif op == "expire":
                    ledger.expire(s.ADMIN, t.NewExpiry(as_of=clock.today))
                elif op == "pay":
                    ledger.receive_payment(
                        s.ADMIN, "DEPT26", t.NewPayment(amount_cents=100 + n, received_on=clock.today, reference="v")
                    )
            except (
                errors.InsufficientEligibleFunds,
                errors.ChequeExpired,
                errors.ChequeCancelled,
                errors.ChequeAlreadyRedeemed,
            ):
                pass
        last = clock.today
        clock.today = last + timedelta(days=1)
        differences, _, _ = verify(ledger)  # also: the running balances equal the journal's and the events' sums
        assert differences == []
        for point in ledger.money_over_time(s.ADMIN, "DEPT26"):  # the chart reads the same running balances
            rec = ledger.reconciliation(s.ADMIN, "DEPT26", as_of=point.day)
            assert (point.available_cents, point.reserved_cents, point.redeemed_cents, point.paid_cents) == (
                rec.available_cents,
                rec.reserved_cents,
                rec.redeemed_cents,
                rec.paid_cents,
            )
        day = START
        while day <= last:
            cutoff = datetime.combine(day + timedelta(days=1), time(0), PARIS)
            model = replay_until(ledger, cutoff)
            rec = ledger.reconciliation(s.ADMIN, "DEPT26", as_of=day)
            assert rec.balanced
            for f in rec.commitments:
                accounts = model.accounts[str(f.id)]
                assert (f.committed_cents, f.available_cents, f.reserved_cents, f.redeemed_cents, f.paid_cents) == (
                    -accounts["funder"],
                    accounts["available"],
                    accounts["reserved"],
                    accounts["redeemed"],
                    accounts["paid"],
                ), day
            assert {str(f.id) for f in rec.commitments} == set(model.committed)
            assert rec.received_cents == model.received["DEPT26"]
            day += timedelta(days=1)
    finally:
        eventsourcing.domain.datetime_now_with_tzinfo = original
        ledger.close()
        tmp.cleanup()
