"""An upper bound, not product code: how fast could redemptions go if they were decided on narrow state rows
instead of replaying each cheque's events through ``eventsourcing``'s objects? Against B (bare
``executemany`` rows, same run), the batch ratio's baseline.

    python -m bench.state_rows_bound [--database-url postgresql://…/cl_state_rows] [--cheques 30000]

One process, no HTTP, no projections, no idempotency records: per 1000 items, one ``SELECT`` of the state
rows, the decision in plain Python (status, validity, code HMAC), the events encoded with msgspec, then one
transaction: the events table's lock, the events' ``INSERT`` and the state rows' ``UPDATE`` (version-checked).
Whatever a real design adds comes on top of this figure.
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, date, datetime

import msgspec
import psycopg

from bench.group_commit import fresh_database
from bench.raw_ceilings import ceiling_b
from domain.codes import code_matches, hash_code
from ledger.config import DatabaseConfig

SECRET = b"bound" * 8
CODE = "ABC123"


def fill(conninfo: str, serials: list[str]) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE events (notification_id bigserial PRIMARY KEY, originator_id uuid, originator_version int,"
            " topic text, state bytea, UNIQUE (originator_id, originator_version))"
        )
        conn.execute(
            "CREATE TABLE cheque_state (id uuid PRIMARY KEY, version int, status text, code_hash text,"
            " face_value_cents int, valid_until date, attempts int)"
        )
        with conn.cursor() as cur, cur.copy("COPY cheque_state FROM STDIN") as copy:
            for serial in serials:
                copy.write_row(
                    (
                        uuid.uuid5(uuid.NAMESPACE_URL, serial),
                        1,
                        "issued",
                        hash_code(SECRET, serial, CODE),
                        1000,
                        date(2027, 6, 30),
                        0,
                    )
                )


def redeem_all(conninfo: str, serials: list[str]) -> int:
    encoder = msgspec.json.Encoder()
    structure = str(uuid.uuid4())
    today = date(2026, 6, 1)
    redeemed = 0
    with psycopg.connect(conninfo) as conn:
        for k in range(0, len(serials), 1000):
            chunk = serials[k : k + 1000]
            ids = [uuid.uuid5(uuid.NAMESPACE_URL, s) for s in chunk]
            rows = conn.execute(
                "SELECT id, version, status, code_hash, valid_until FROM cheque_state WHERE id = ANY(%s)",
                (ids,),
                prepare=True,
            ).fetchall()
            state = {r[0]: r for r in rows}
            now = datetime.now(UTC).isoformat()
            new_ids, versions, topics, states = [], [], [], []
            for serial, cheque_id in zip(chunk, ids, strict=True):
                row = state.get(cheque_id)
                if row is None or row[2] != "issued" or row[4] < today:
                    continue
                if not code_matches(SECRET, serial, CODE, row[3]):
                    continue
                new_ids.append(cheque_id)
                versions.append(row[1] + 1)
                topics.append("domain.cheques:Cheque.Redeemed")
                states.append(
                    encoder.encode(
                        {
                            "timestamp": {"_type_": "datetime_iso", "_data_": now},
                            "redemption_id": f"RDM-{serial}-1",
                            "structure_id": structure,
                            "session_date": {"_type_": "date_iso", "_data_": today.isoformat()},
                            "session_kind": "collective",
                            "duration_minutes": 60,
                            "themes": [],
                        }
                    )
                )
            with conn.transaction():
                conn.execute("LOCK TABLE events IN EXCLUSIVE MODE")
                conn.execute(
                    "INSERT INTO events (originator_id, originator_version, topic, state)"
                    " SELECT * FROM unnest(%b::uuid[], %b::int[], %b::text[], %b::bytea[])",
                    (new_ids, versions, topics, states),
                    prepare=True,
                )
                conn.execute(
                    "UPDATE cheque_state AS s SET version = u.v, status = 'redeemed'"
                    " FROM unnest(%b::uuid[], %b::int[]) AS u(id, v) WHERE s.id = u.id AND s.version = u.v - 1",
                    (new_ids, versions),
                    prepare=True,
                )
            redeemed += len(new_ids)
    return redeemed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/cl_state_rows")
    parser.add_argument("--cheques", type=int, default=30_000)
    args = parser.parse_args()
    fresh_database(args.database_url)
    conninfo = DatabaseConfig.from_url(args.database_url).conninfo()
    serials = [f"S{i:08d}" for i in range(args.cheques)]
    fill(conninfo, serials)
    b = ceiling_b(conninfo, rows=50_000)
    start, cpu = time.perf_counter(), time.process_time()
    redeemed = redeem_all(conninfo, serials)
    elapsed = time.perf_counter() - start
    assert redeemed == len(serials), f"{redeemed} of {len(serials)} redeemed"
    rate = redeemed / elapsed
    print(
        f"B {b:,.0f} rows/s; state-row redemptions {rate:,.0f}/s ({(time.process_time() - cpu) / redeemed * 1e6:.0f} µs of Python CPU each)"
    )
    print(f"RESULT bound_batch_ratio={rate / b:.2f}")


if __name__ == "__main__":
    main()
