"""A separate OS process racing to redeem cheques (used by test_concurrency.py).

Usage: python -m tests.integration.race_worker DATABASE_URL PLAN_JSON OUT_JSON THREADS
"""

from __future__ import annotations

import json
import random
import sys
import threading
from datetime import date
from pathlib import Path

from api.bootstrap import open_ledger
from domain import errors
from ledger.config import DatabaseConfig
from ledger.types import Actor
from tests.conftest import SECRET
from tests.scenario import redemption


def main() -> None:
    url, plan_path, out_path, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    plan = json.loads(Path(plan_path).read_text())
    ledger = open_ledger(DatabaseConfig.from_url(url), SECRET)
    actor = Actor(role="structure", org=plan["structure_id"])
    session = date.fromisoformat(plan["session_date"])
    won: list[str] = []
    refused: dict[str, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def race(seed: int) -> None:
        cheques = list(plan["cheques"])
        random.Random(seed).shuffle(cheques)
        start.wait()
        for serial, code in cheques:
            try:
                ledger.redeem(actor, redemption(serial, code, session))
            except errors.DomainError as e:
                with lock:
                    refused[e.slug] = refused.get(e.slug, 0) + 1
            except Exception as e:  # noqa: BLE001 - reported to the test, which fails naming it
                with lock:
                    refused[f"{type(e).__name__}: {e}"[:200]] = refused.get(type(e).__name__, 0) + 1
            else:
                with lock:
                    won.append(serial)

    workers = [threading.Thread(target=race, args=(hash((out_path, i)),)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    ledger.close()
    with open(out_path, "w") as f:
        json.dump({"won": won, "refused": refused}, f)


if __name__ == "__main__":
    main()
