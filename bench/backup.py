"""Backup and restore at size: fill a ledger (``bench.fill``: books of 10, 60 % redeemed, half of those
settled), then time ``backup`` (with its read-back check), ``restore`` into an empty database and ``verify``.

    python -m bench.backup --cheques 100000 [--database-url postgresql://…/cl_bench]

On PostgreSQL the database named is dropped and created again, and ``<name>_restored`` beside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from api.bootstrap import open_ledger
from bench.fill import issue_books, redeem_all, settle_all, setup
from ledger.backup import backup
from ledger.config import DatabaseConfig
from ledger.restore import restore
from projections.verify import verify

SECRET = b"bench-secret"


def fresh(config: DatabaseConfig) -> None:
    if config.kind != "postgres":
        return
    import psycopg

    admin = dataclasses.replace(config, dbname="postgres")
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{config.dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{config.dbname}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cheques", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    config = DatabaseConfig.from_url(args.database_url or f"sqlite:///{tmp / 'bench.db'}")
    target = (
        dataclasses.replace(config, dbname=f"{config.dbname}_restored")
        if config.kind == "postgres"
        else DatabaseConfig.from_url(f"sqlite:///{tmp / 'restored' / 'bench.db'}")
    )
    fresh(config)
    fresh(target)
    clock = lambda: date(2026, 6, 1)  # noqa: E731
    ledger = open_ledger(config, SECRET, clock=clock)
    t0 = time.perf_counter()
    commitment, structure, beneficiary = setup(ledger)
    cheques = issue_books(ledger, commitment.id, beneficiary.id, args.cheques // 10, per_save=200)
    redeemed = cheques[: int(len(cheques) * 0.6)]
    redeem_all(ledger, redeemed, str(structure.id))
    settle_all(ledger, redeemed[: len(redeemed) // 2])
    ledger.views.catch_up()
    events = ledger.position()
    ledger.close()
    print(f"backend {config.kind}: {len(cheques)} cheques, {events} events, filled in {time.perf_counter() - t0:.0f} s")

    t0 = time.perf_counter()
    manifest = backup(config, SECRET, tmp / "backup")
    backup_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    restore(target, SECRET, tmp / "backup")
    restore_s = time.perf_counter() - t0
    restored = open_ledger(target, SECRET, clock=clock)
    t0 = time.perf_counter()
    differences, _, checked = verify(restored)
    verify_s = time.perf_counter() - t0
    restored.close()
    assert not differences and checked == events, differences[:3]
    print(
        f"RESULT cheques={len(cheques)} events={events} backup_bytes={manifest.size_bytes}"
        f" backup_s={backup_s:.1f} restore_s={restore_s:.1f} verify_s={verify_s:.1f}"
    )
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
