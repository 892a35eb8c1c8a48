"""The demo's lending and PIX: sources, devices in every state, loans active, overdue, returned and lost,
and PIX pairs, through the ledger's own commands."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from api.bootstrap import Ledger
from api.demo_badges import badges_and_certifications
from api.demo_data import FIRST, LAST, PUBLICS, SOURCES
from ledger import types as t

if TYPE_CHECKING:
    from api.demo import DemoResult

ADMIN = t.Actor(role="admin", key_id="demo")


def lending_and_pix(
    ledger: Ledger, rng: random.Random, structures: list, prescribers: list, result: DemoResult
) -> None:
    """Sources, devices in every state, loans active, overdue, returned and lost, and PIX pairs."""
    lender = t.Actor(role="structure", org=str(structures[0].id))
    sources = [
        ledger.register_source(lender, t.NewEquipmentSource(name=n, kind=k, commune_insee=c)) for n, k, c in SOURCES
    ]
    devices = []
    for i in range(14):
        d = ledger.receive_device(
            lender,
            t.NewDevice(
                source_id=sources[i % len(sources)].id,
                kind=["laptop", "laptop", "tablet", "desktop", "smartphone"][i % 5],
                serial_number=f"DRM-{2026_000 + i}",
                received_on=date(2026, 1, 10) + timedelta(days=i),
            ),
        )
        if i < 12:
            d = ledger.refurbish_device(
                lender, str(d.id), t.Refurbishment(grade="ABC"[i % 3], refurbished_on=date(2026, 2, 1))
            )
        devices.append(d)
    prescriber = t.Actor(role="prescriber", org=str(prescribers[0].id))
    people = [
        ledger.register_beneficiary(
            prescriber,
            t.NewBeneficiary(
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                birth_year=rng.randint(1945, 2004),
                commune_insee="26362",
                publics=rng.choice(PUBLICS),
            ),
        )
        for _ in range(12)
    ]
    loans = []
    for i, person in enumerate(people[:10]):
        start = date(2026, 2, 2) + timedelta(days=7 * i)
        loans.append(
            ledger.sign_loan(
                lender,
                t.NewLoan(
                    device_id=devices[i].id,
                    beneficiary_id=person.id,
                    start_on=start,
                    due_on=start + timedelta(days=90 if i % 3 else 400),
                    monthly_fee_cents=500,
                    deposit_cents=3000,
                ),
            )
        )
        ledger.follow_up_loan(
            lender,
            str(loans[-1].id),
            t.NewFollowUp(on=start + timedelta(days=14), kind=["visit", "call", "workshop"][i % 3]),
        )
    ledger.return_loan(lender, str(loans[0].id), t.LoanReturn(on=date(2026, 4, 20), condition="good"))
    ledger.return_loan(lender, str(loans[1].id), t.LoanReturn(on=date(2026, 5, 2), condition="damaged"))
    ledger.extend_loan(lender, str(loans[2].id), t.LoanExtension(due_on=date(2027, 1, 31)))
    ledger.declare_loan_lost(lender, str(loans[4].id), t.LoanLoss(on=date(2026, 6, 30)))
    ledger.retire_device(lender, str(devices[13].id), t.Retirement(reason="beyond_repair", on=date(2026, 3, 1)))
    for i, person in enumerate(people):
        entry = rng.randint(40, 260)
        ledger.record_pix(
            lender,
            str(person.id),
            t.NewPixAssessment(phase="entry", score=entry, taken_on=date(2026, 2, 3) + timedelta(days=i)),
        )
        if i < 9:
            ledger.record_pix(
                lender,
                str(person.id),
                t.NewPixAssessment(
                    phase="exit",
                    score=min(1024, entry + rng.randint(-10, 180)),
                    taken_on=date(2026, 6, 1) + timedelta(days=i),
                ),
            )
    badges_and_certifications(ledger, rng, lender, people, result.counts)
    result.counts["gisements"] = len(sources)
    result.counts["appareils"] = len(devices)
    result.counts["prêts"] = len(loans)
