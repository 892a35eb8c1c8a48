"""Settlement runs racing across processes: nothing is ever paid twice, and what was paid is in the books."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from domain.cheques import Cheque
from domain.ids import natural_id
from domain.settlement import Settlement
from ledger import types as t
from tests import scenario as s
from tests.conftest import BACKEND, PG_URL

ROOT = Path(__file__).resolve().parents[2]


def test_racing_settlements_pay_each_cheque_once(ledger, tmp_path):
    w = s.world(ledger)
    other = s.structure(ledger, "Autre lieu")  # with an approved account
    held = s.structure(ledger, "Sans compte", bank=False)
    cheques = [c for _ in range(4) for c in s.book(ledger, w, count=5).cheques]
    for i, c in enumerate(cheques):
        structure = (w.structure, other, held)[i % 3]
        actor = t.Actor(role="structure", org=str(structure.id))
        ledger.redeem(actor, s.redemption(c.serial, c.code, date(2026, 3, 16)))
    url = PG_URL if BACKEND == "postgres" else f"sqlite:///{tmp_path / 'ledger.db'}"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.settle_race_worker",
                url,
                "2026-03-16",
                str(tmp_path / f"o{i}"),
                "4",
            ],
            cwd=ROOT,
        )
        for i in range(2)
    ]
    for p in procs:
        assert p.wait(timeout=300) == 0
    results = [json.loads((tmp_path / f"o{i}").read_text()) for i in range(2)]
    runs = [r for result in results for r in result["runs"]]
    refused = {k: v for result in results for k, v in result["refused"].items()}
    assert not refused, refused
    held_count = sum(1 for i in range(len(cheques)) if i % 3 == 2)
    payable = [c for i, c in enumerate(cheques) if i % 3 != 2]
    assert sum(r["count"] for r in runs) == len(payable), "each payable cheque paid exactly once"
    assert sum(r["total_cents"] for r in runs) == sum(c.face_value_cents for c in payable)
    # Each cheque names the one settlement that paid it, and that settlement's lines list it.
    paid_by: dict[str, str] = {}
    for r in runs:
        settlement = ledger._load_id(r["id"], Settlement, "Remboursement")
        for line in settlement.lines:
            for serial in line["serials"]:
                assert serial not in paid_by, "a cheque in two settlements"
                paid_by[serial] = r["id"]
    for c in payable:
        assert str(ledger._load(natural_id("cheque", c.serial), Cheque).settlement_id) == paid_by[c.serial]
    rec = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert rec.balanced and rec.paid_cents == sum(c.face_value_cents for c in payable)
    assert rec.redeemed_cents == held_count * 1000 and rec.ordered_cents == rec.paid_cents
    statement = ledger.statement(s.ADMIN, str(held.id))
    assert (statement.pending_cents, statement.settled_cents) == (held_count * 1000, 0)
