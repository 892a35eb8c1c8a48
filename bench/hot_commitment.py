"""Does a commitment that funded 100 000 cheques load (and issue) as fast as a new one?

    python -m bench.hot_commitment [--cheques 100000] [--database-url URL]

Worst case: books of one cheque, so the commitment gets one ``Reserved`` event per cheque.
Prints load and issue times for a fresh and a hot commitment, and their ratio (hot / fresh,
1.0 = no slower), plus the cost of replaying every event without snapshots for contrast.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from uuid import uuid4

from eventsourcing.application import project_aggregate

from api.bootstrap import Ledger, open_ledger
from domain.funding import Commitment
from domain.values import MAX_CENTS
from ledger import types as t
from ledger.config import DatabaseConfig

ADMIN = t.Actor(role="admin", key_id="bench")


def timed(fn, repeat: int = 30) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cheques", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    ledger = open_ledger(DatabaseConfig.from_url(url), b"bench-secret", clock=lambda: date(2026, 6, 1))
    ledger.create_funder(ADMIN, t.NewFunder(code="BENCH", name="Bench", kind="other"))

    def sign(ref: str) -> t.CommitmentOut:
        return ledger.sign_commitment(
            ADMIN,
            t.NewCommitment(
                funder_code="BENCH",
                reference=ref,
                amount_cents=MAX_CENTS,
                valid_from=date(2026, 1, 1),
                valid_until=date(2027, 12, 31),
                priority=1 if ref == "hot" else 2,
            ),
        )

    fresh, hot = sign("fresh"), sign("hot")
    start = time.perf_counter()
    chunk = 1000
    for done in range(0, args.cheques, chunk):
        c = ledger.app.repository.get(hot.id)
        for _ in range(min(chunk, args.cheques - done)):
            c.reserve(uuid4(), 1, 1000)
        ledger.app.save(c)
    fill = time.perf_counter() - start
    events = ledger.app.repository.get(hot.id).version

    load_fresh = timed(lambda: ledger.app.repository.get(fresh.id))
    load_hot = timed(lambda: ledger.app.repository.get(hot.id))
    replay_hot = timed(lambda: project_aggregate(None, ledger.app.events.get(hot.id)), repeat=3)

    # Issue real books through the service: the hot commitment has priority, then the fresh one.
    ledger.register_prescriber(ADMIN, t.NewPrescriber(name="P", kind="ccas", commune_insee="26362"))
    b = ledger.register_beneficiary(
        ADMIN, t.NewBeneficiary(first_name="A", last_name="B", birth_year=1970, commune_insee="26362")
    )
    issue_hot = timed(lambda: ledger.issue_book(ADMIN, t.NewChequeBook(beneficiary_id=b.id, count=10)), repeat=20)
    ledger.app.save(_drain(ledger, hot.id))
    issue_fresh = timed(lambda: ledger.issue_book(ADMIN, t.NewChequeBook(beneficiary_id=b.id, count=10)), repeat=20)

    print(f"backend: {ledger.config.describe()}  hot commitment: {events} events (filled in {fill:.1f} s)")
    print(f"{'measure':<38}{'fresh':>12}{'hot':>12}{'hot/fresh':>11}")
    print(
        f"{'load commitment (median, ms)':<38}{load_fresh * 1e3:>12.3f}{load_hot * 1e3:>12.3f}{load_hot / load_fresh:>11.2f}"
    )
    print(
        f"{'issue a book of 10 (median, ms)':<38}{issue_fresh * 1e3:>12.3f}{issue_hot * 1e3:>12.3f}{issue_hot / issue_fresh:>11.2f}"
    )
    print(
        f"{'replay all events, no snapshot (ms)':<38}{'':>12}{replay_hot * 1e3:>12.1f}{replay_hot / load_fresh:>11.1f}"
    )
    print(f"RESULT hot_load_ratio={load_hot / load_fresh:.2f} hot_issue_ratio={issue_hot / issue_fresh:.2f}")
    ledger.close()
    tmp.cleanup()


def _drain(ledger: Ledger, commitment_id) -> Commitment:
    """Empties the hot commitment so the next books fall to the fresh one."""
    c = ledger.app.repository.get(commitment_id)
    c.reserve(uuid4(), 0, c.available_cents)
    return c


if __name__ == "__main__":
    main()
