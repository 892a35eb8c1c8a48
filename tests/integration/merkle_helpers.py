"""Writing raw events straight through the event store (each list item one transaction), and reading the
notification ids, for the Merkle log's tests."""

from __future__ import annotations

from itertools import count
from uuid import uuid4

from eventsourcing.persistence import IntegrityError, StoredEvent

from tests.integration.test_verify import events_table, nid

_serial = count()


def append_entries(ledger, transactions: list[int]) -> None:
    """Stores ``transactions[i]`` new events in the i-th transaction (each event its own aggregate)."""
    for n in transactions:
        ledger.app.recorder.insert_events(
            [
                StoredEvent(
                    originator_id=uuid4(), originator_version=1, topic="tests.merkle:Entry", state=b"%d" % next(_serial)
                )
                for _ in range(n)
            ]
        )


def fail_a_transaction(ledger) -> None:
    """A transaction refused for a version conflict (on PostgreSQL it spends notification ids: a gap)."""
    with ledger.db.read() as cur:
        oid, version = cur.execute(
            f"SELECT originator_id, originator_version FROM {events_table(ledger)} LIMIT 1"
        ).fetchone()
    again = StoredEvent(originator_id=oid, originator_version=version, topic="tests.merkle:Entry", state=b"again")
    try:
        ledger.app.recorder.insert_events([StoredEvent(uuid4(), 1, "tests.merkle:Entry", b"lost"), again])
    except IntegrityError:
        return
    raise AssertionError("the conflicting insert was accepted")


def stored_ids(ledger) -> list[int]:
    with ledger.db.read() as cur:
        return [
            int(r[0]) for r in cur.execute(f"SELECT {nid(ledger)} FROM {events_table(ledger)} ORDER BY 1").fetchall()
        ]
