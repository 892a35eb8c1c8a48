"""Reads at scale: each read's time at a small and a large ledger, in the same run.

    python -m bench.scale [--cheques 1000000] [--small 10000] [--quick] [--calls 20] [--server-url URL]

Fills a PostgreSQL database per size (``cl_scale_bench_<n>`` on ``--server-url``; a database already filled
to that size by an earlier run is reused) with ``bench.fill`` (books of 10; 60 % redeemed, half of those
settled), rebuilds every projection (timed, against decoding every event), then calls each read ``--calls``
times: reconciliation today and as of a past day, money over time, indicators (all time), the observatory
export, a structure's statement (since the start, and this month's first page), the journal's first page, and the funder's and the observatory's web pages
through HTTP (litestar's test client: the whole ASGI stack, no socket). ``--quick``: 2 000 and 20 000 cheques,
on SQLite and PostgreSQL. Prints a table and

    RESULT scale worst_read_ms=… flatness=… bytes_per_cheque=… rebuild_events_per_s=…

``worst_read_ms``: the largest median at the large size (PostgreSQL); ``flatness``: the largest ratio of a
read's median at the large size to its median at the small one; ``bytes_per_cheque``: the database's size
(``pg_database_size``) over its cheques; the rebuild's rate is at the large size.
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from api.app import create_app
from api.bootstrap import Ledger, open_ledger
from bench.fill import fill
from bench.projections import decode_all
from ledger import types as t
from ledger.clock import paris_today
from ledger.config import DatabaseConfig
from projections.process import rebuild

ADMIN = t.Actor(role="admin", key_id="bench")
FUNDER = t.Actor(role="funder", key_id="bench", org="BENCH")
PASSWORD = "mot de passe du banc d'essai"
SECRET = b"bench-secret"


def events_for(cheques: int) -> int:
    return cheques // 10 * 21  # bench.fill: 21 events a book of 10 (12 to issue, 6 redeemed, 3 settled)


def prepare_postgres(server_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server_url.rstrip('/')}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url.rstrip('/')}/{name}"


def open_filled(url: str, cheques: int) -> tuple[Ledger, bool]:
    """The ledger at ``url``, filled to ``cheques`` (reused when an earlier run did it). Its clock says
    tomorrow, so that 'today' counts every event and the fill's real day is a past day."""
    tomorrow = paris_today() + timedelta(days=1)
    ledger = open_ledger(DatabaseConfig.from_url(url), SECRET, clock=lambda: tomorrow)
    with ledger.db.transaction() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_scale_fill (cheques BIGINT NOT NULL)")
        done = cur.execute("SELECT cheques FROM bench_scale_fill").fetchone()
    if done and int(done[0]) == cheques:
        return ledger, False
    if done or (ledger.app.recorder.max_notification_id() or 0):
        raise SystemExit(f"{ledger.config.describe()} holds another fill: drop it first")
    fill(ledger, events_for(cheques))
    ledger.create_user(ADMIN, t.NewUser(email="financeur@example.org", password=PASSWORD, role="funder", org="BENCH"))
    ledger.create_user(ADMIN, t.NewUser(email="observatoire@example.org", password=PASSWORD, role="observatory"))
    with ledger.db.transaction() as cur:
        cur.execute("INSERT INTO bench_scale_fill (cheques) VALUES (?)", (cheques,))
    return ledger, True


def timed(call: Callable[[], Any], calls: int) -> tuple[float, float]:
    call()  # warm: caches, plans
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def signed_in(client: TestClient, email: str) -> None:
    import re

    form = client.get("/connexion").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "the sign-in form has a CSRF token"
    answer = client.post(
        "/connexion",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.status_code


def reads(ledger: Ledger, calls: int) -> dict[str, tuple[float, float]]:
    with ledger.db.read() as cur:
        structure_id = cur.execute("SELECT id FROM partner_index WHERE kind = 'structure' LIMIT 1").fetchone()[0]  # type: ignore[index]
    past = paris_today()  # the fill's day; the ledger's clock says tomorrow
    out = {
        "reconciliation today": timed(lambda: ledger.reconciliation(FUNDER, "BENCH"), calls),
        "reconciliation as of a day": timed(lambda: ledger.reconciliation(FUNDER, "BENCH", as_of=past), calls),
        "money over time": timed(lambda: ledger.money_over_time(FUNDER, "BENCH"), calls),
        "indicators, all time": timed(lambda: ledger.indicators(ADMIN), calls),
        "observatory export": timed(lambda: ledger.observatory_export(ADMIN), calls),
        "structure statement": timed(lambda: ledger.statement(ADMIN, structure_id), calls),
        "structure statement, this month": timed(lambda: ledger.period_statement(ADMIN, structure_id), calls),
        "journal, first page": timed(lambda: ledger.journal(FUNDER, "BENCH"), calls),
    }
    with TestClient(app=create_app(ledger, background_projections=False)) as client:
        signed_in(client, "financeur@example.org")
        out["page /financeur (HTTP)"] = timed(lambda: _ok(client.get("/financeur")), calls)
        signed_in(client, "observatoire@example.org")
        out["page /observatoire (HTTP)"] = timed(lambda: _ok(client.get("/observatoire")), calls)
    return out


def _ok(response: Any) -> None:
    assert response.status_code == 200, response.status_code


def database_bytes(ledger: Ledger) -> int:
    if ledger.db.postgres:
        with ledger.db.read() as cur:
            return int(cur.execute("SELECT pg_database_size(current_database())").fetchone()[0])  # type: ignore[index]
    ledger.db.checkpoint()
    path = ledger.config.describe().split("sqlite:///")[-1]
    return Path(path).stat().st_size if Path(path).exists() else 0


def measure(url: str, cheques: int, calls: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    ledger, filled = open_filled(url, cheques)
    fill_s = time.perf_counter() - t0
    try:
        n, decode_s = decode_all(ledger)
        events, rebuild_s = rebuild(ledger, None, out=io.StringIO())
        return {
            "backend": "postgres" if ledger.db.postgres else "sqlite",
            "cheques": cheques,
            "events": n,
            "fill_s": fill_s if filled else None,
            "decode_per_s": n / decode_s,
            "rebuild_per_s": events / rebuild_s,
            "bytes": database_bytes(ledger),
            "reads": reads(ledger, calls),
        }
    finally:
        ledger.close()


def report(small: dict[str, Any], large: dict[str, Any]) -> tuple[float, float]:
    print(f"\n{small['backend']}: {small['cheques']:,} and {large['cheques']:,} cheques")
    for run in (small, large):
        fill = f"filled in {run['fill_s']:.0f} s" if run["fill_s"] is not None else "fill reused"
        print(
            f"  {run['cheques']:>9,} cheques, {run['events']:>9,} events, {fill}; {run['bytes'] / run['cheques']:,.0f}"
            f" bytes a cheque; rebuild {run['rebuild_per_s']:,.0f} events/s, decode {run['decode_per_s']:,.0f}/s"
            f" (ratio {run['rebuild_per_s'] / run['decode_per_s']:.2f})"
        )
    print(f"  {'read':<30}{'small p50':>10}{'p99':>9}{'large p50':>11}{'p99':>9}{'ratio':>8}")
    worst, flatness = 0.0, 0.0
    for name, (p50, p99) in large["reads"].items():
        s50, s99 = small["reads"][name]
        ratio = p50 / max(s50, 0.001)
        worst, flatness = max(worst, p50), max(flatness, ratio)
        print(f"  {name:<30}{s50:>10.1f}{s99:>9.1f}{p50:>11.1f}{p99:>9.1f}{ratio:>8.2f}")
    return worst, flatness


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cheques", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2 000 and 20 000 cheques, SQLite and PostgreSQL")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--server-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--fill-only", action="store_true", help="fill the PostgreSQL databases, measure nothing")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the access log of the pages' calls
    small_n, large_n = (2_000, 20_000) if args.quick else (args.small, args.cheques)
    if args.fill_only:
        for n in (small_n, large_n):
            t0 = time.perf_counter()
            ledger, filled = open_filled(prepare_postgres(args.server_url, f"cl_scale_bench_{n}"), n)
            ledger.close()
            print(f"{n:,} cheques: {'filled in %.0f s' % (time.perf_counter() - t0) if filled else 'already filled'}")
        return
    runs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    if args.quick:
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(
                tuple(  # type: ignore[arg-type]
                    measure(f"sqlite:///{Path(tmp) / f'scale{n}.db'}", n, args.calls) for n in (small_n, large_n)
                )
            )
    if not args.no_postgres:
        urls = [prepare_postgres(args.server_url, f"cl_scale_bench_{n}") for n in (small_n, large_n)]
        runs.append(tuple(measure(url, n, args.calls) for url, n in zip(urls, (small_n, large_n), strict=True)))  # type: ignore[arg-type]
    result = None
    for small, large in runs:
        worst, flatness = report(small, large)
        result = (worst, flatness, large["bytes"] / large["cheques"], large["rebuild_per_s"])
    assert result is not None
    print(
        f"\nRESULT scale worst_read_ms={result[0]:.1f} flatness={result[1]:.2f} bytes_per_cheque={result[2]:.0f}"
        f" rebuild_events_per_s={result[3]:.0f}"
    )


if __name__ == "__main__":
    main()
