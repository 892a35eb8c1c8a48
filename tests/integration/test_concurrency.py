"""Two OS processes, many threads each, racing to redeem the same cheques."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from ledger import types as t
from tests import scenario as s
from tests.conftest import BACKEND, PG_URL

ROOT = Path(__file__).resolve().parents[2]


def test_each_cheque_redeemed_exactly_once_across_processes(ledger, tmp_path):
    w = s.world(ledger)
    cheques = [c for _ in range(3) for c in s.book(ledger, w, count=10).cheques]
    plan = {
        "structure_id": str(w.structure.id),
        "session_date": ledger.today().isoformat(),
        "cheques": [[c.serial, c.code] for c in cheques],
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    url = PG_URL if BACKEND == "postgres" else f"sqlite:///{tmp_path / 'ledger.db'}"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.race_worker",
                url,
                str(tmp_path / "plan.json"),
                str(tmp_path / f"out{i}.json"),
                "6",
            ],
            cwd=ROOT,
        )
        for i in range(2)
    ]
    for p in procs:
        assert p.wait(timeout=300) == 0
    results = [json.loads((tmp_path / f"out{i}.json").read_text()) for i in range(2)]
    won = Counter(serial for r in results for serial in r["won"])
    refused = Counter()
    for r in results:
        refused.update(r["refused"])
    assert sorted(won) == sorted(c.serial for c in cheques), refused
    assert set(won.values()) == {1}, "a cheque was redeemed twice"
    # 2 processes × 6 threads × 30 cheques attempts: all others lost the race
    assert set(refused) == {"cheque-already-redeemed"}, refused
    assert refused["cheque-already-redeemed"] == 2 * 6 * 30 - 30
    rec = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert rec.balanced and rec.redeemed_cents == 30_000 and rec.reserved_cents == 0
    statement = ledger.statement(s.ADMIN, str(w.structure.id))
    assert statement.redeemed_count == 30
    assert isinstance(statement, t.StatementOut)
