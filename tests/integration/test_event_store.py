"""The event store: rows go in and come back byte for byte, in notification order, on both backends."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from domain.funding import Funder
from ledger.application import SNAPSHOT_INTERVAL
from ledger.pg_store import ArrayInsertRecorder
from tests.conftest import BACKEND

AWKWARD_STATES = [b"", b"\x00\x01\xff", b"\\x41 ' \" { } , ( ) NULL", "é€ \n\t".encode(), bytes(range(256)) * 400]


def test_stored_events_come_back_byte_for_byte_in_order(ledger):
    recorder = ledger.app.recorder
    assert isinstance(recorder, ArrayInsertRecorder) == (BACKEND == "postgres")
    originator = uuid4()
    events = [
        StoredEvent(originator, i + 1, f"domain.test:Odd.Topic'{i}", state) for i, state in enumerate(AWKWARD_STATES)
    ]
    ids = recorder.insert_events(events)
    assert len(ids) == len(events) and ids == sorted(ids)
    assert recorder.select_events(originator) == events
    notifications = recorder.select_notifications(start=ids[0], limit=len(ids))
    assert [(n.id, n.originator_version, n.state) for n in notifications] == [
        (i, e.originator_version, e.state) for i, e in zip(ids, events, strict=True)
    ]


def test_a_version_already_stored_is_refused_whole(ledger):
    from eventsourcing.persistence import IntegrityError

    recorder = ledger.app.recorder
    originator = uuid4()
    recorder.insert_events([StoredEvent(originator, 1, "t:A", b"1")])
    try:
        recorder.insert_events([StoredEvent(originator, 2, "t:A", b"2"), StoredEvent(originator, 1, "t:A", b"again")])
    except IntegrityError:
        pass
    else:
        raise AssertionError("a duplicate version must be refused")
    assert [e.state for e in recorder.select_events(originator)] == [b"1"]  # nothing of the refused batch


def test_saving_aggregates_records_their_events_and_snapshots_like_the_library(ledger):
    funders = [Funder.register(f"F{i}", "Financeur", "state") for i in range(2)]
    ledger.app.save(*funders)  # the application's save, all aggregates
    for _ in range(SNAPSHOT_INTERVAL - 1):
        funders[0].receive_payment(100, date(2026, 3, 1), "versement")
    ledger.app.save(funders[0], None)  # not all aggregates: the library's own save
    for _ in range(SNAPSHOT_INTERVAL):
        funders[1].receive_payment(100, date(2026, 3, 1), "versement")
    ledger.app.save(funders[1])
    for funder in funders:
        again = ledger.app.repository.get(funder.id)
        assert (again.version, again.received_cents) == (funder.version, funder.received_cents)
        snapshots = list(ledger.app.snapshots.get(funder.id)) if ledger.app.snapshots else []
        assert [s.originator_version for s in snapshots] == [SNAPSHOT_INTERVAL], "a snapshot at the interval"


def test_projections_read_the_log_as_the_library_does(ledger):
    from projections.runner import read_notifications

    recorder = ledger.app.recorder
    originator = uuid4()
    ids = recorder.insert_events(
        [StoredEvent(originator, i + 1, "t:Row", state) for i, state in enumerate(AWKWARD_STATES)]
    )
    library = recorder.select_notifications(start=ids[1], limit=3, stop=ids[3])
    ours = read_notifications(recorder, ids[1], 3, ids[3])
    assert [(n.id, str(n.originator_id), n.originator_version, n.topic, bytes(n.state)) for n in ours] == [
        (n.id, str(n.originator_id), n.originator_version, n.topic, n.state) for n in library
    ]
    assert len(ours) == 3 and [n.id for n in read_notifications(recorder, ids[-1], 10)] == [ids[-1]]
    # a stop before the limit is reached ends the read there, as the library's does
    cut = [n.id for n in recorder.select_notifications(start=ids[0], limit=10, stop=ids[2])]
    assert [n.id for n in read_notifications(recorder, ids[0], 10, ids[2])] == cut == ids[:3]


def test_postgresql_sessions_run_without_jit(ledger):
    """The ledger's queries are short; JIT compiling cost more than the bulk load it compiled (config.py)."""
    if BACKEND != "postgres":
        assert not ledger.db.postgres  # SQLite has no JIT: nothing to check
        return
    with ledger.app.recorder.datastore.get_connection() as conn:
        assert conn.execute("SHOW jit").fetchone()["jit"] == "off"
    with ledger.db.read() as cur:
        assert cur.execute("SHOW jit").fetchone() == ("off",)
