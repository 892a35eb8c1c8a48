"""A separate OS process racing settlement runs (used by test_settlement_race.py).

Usage: python -m tests.integration.settle_race_worker DATABASE_URL THROUGH OUT_JSON THREADS
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import date

from api.bootstrap import open_ledger
from domain import errors
from ledger import types as t
from ledger.config import DatabaseConfig
from tests.conftest import SECRET
from tests.scenario import ADMIN


def main() -> None:
    url, through, out_path, threads = sys.argv[1], date.fromisoformat(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    ledger = open_ledger(DatabaseConfig.from_url(url), SECRET)
    runs: list[dict] = []
    refused: dict[str, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def race() -> None:
        start.wait()
        for _ in range(2):
            try:
                out = ledger.settle(ADMIN, t.NewSettlement(through=through))
            except errors.DomainError as e:
                with lock:
                    refused[e.slug] = refused.get(e.slug, 0) + 1
            except Exception as e:  # noqa: BLE001 - reported to the test, which fails naming it
                with lock:
                    refused[type(e).__name__] = refused.get(type(e).__name__, 0) + 1
            else:
                with lock:
                    runs.append(
                        {"id": str(out.id), "total_cents": out.total_cents, "count": sum(x.count for x in out.lines)}
                    )

    workers = [threading.Thread(target=race) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    ledger.close()
    with open(out_path, "w") as f:
        json.dump({"runs": runs, "refused": refused}, f)


if __name__ == "__main__":
    main()
