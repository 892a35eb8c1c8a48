"""A database written by the releases that stored events as JSON is read, projected and verified by this one,
which stores new events as MessagePack (``ledger/event_codec.py``) beside them: old events keep their bytes
and their Merkle leaves, a checkpoint signed before still verifies, and the views rebuilt from both formats
are the views written before."""

from __future__ import annotations

from datetime import date

import msgspec

from api.audit_bundle import verify_saved_checkpoint
from api.demo import load_demo
from ledger.application import EventStoreApp
from ledger.event_codec import is_json, json_transcoder
from projections.verify import verify
from tests import scenario as s
from tests.integration.test_ledger_views_raw import every_kind_of_event


def states(ledger) -> list[bytes]:
    table = ledger.app.recorder.events_table_name
    order = "notification_id" if ledger.db.postgres else "rowid"
    with ledger.db.read() as cur:
        return [bytes(r[0]) for r in cur.execute(f"SELECT state FROM {table} ORDER BY {order}").fetchall()]


def view_rows(ledger) -> dict[str, list[tuple]]:
    out = {}
    with ledger.db.read() as cur:
        for projection in ledger.views.projections.values():
            for table in projection.tables():
                rows = cur.execute(f"SELECT * FROM {table}").fetchall()
                out[table] = sorted((tuple(map(str, r)) for r in rows), key=repr)
    return out


def test_a_ledger_stored_as_json_reads_verifies_and_grows_in_messagepack(make_ledger, clock, monkeypatch):
    clock.today = date(2026, 11, 28)
    with monkeypatch.context() as old_release:
        old_release.setattr(EventStoreApp, "construct_transcoder", lambda self: json_transcoder())
        old = make_ledger()
        load_demo(old)  # a year of everything: payments, books, redemptions, settlements, expiries, loans, PIX
        every_kind_of_event(old)
        old.views.catch_up()
        checkpoint = old.audit.checkpoint()
        before = view_rows(old)
        figures = old.reconciliation(s.ADMIN, "DEPT26", None)
        written = states(old)
        old.close()
    assert written and all(is_json(state) for state in written)

    ledger = make_ledger()
    assert ledger.reconciliation(s.ADMIN, "DEPT26", None) == figures
    assert verify(ledger)[0] == []
    ledger.views.rebuild()
    assert view_rows(ledger) == before, "the views replayed from the JSON events by this release"
    assert verify_saved_checkpoint(ledger, msgspec.to_builtins(checkpoint))[0] == []

    every_kind_of_event(ledger, "NEW26")  # new events, in MessagePack, on the same aggregates' kinds
    now = states(ledger)
    assert now[: len(written)] == written, "old events keep their bytes"
    assert now[len(written) :] and not any(is_json(state) for state in now[len(written) :])
    ledger.views.catch_up()
    after = view_rows(ledger)
    assert verify(ledger)[0] == []
    ledger.views.rebuild()
    assert view_rows(ledger) == after, "a replay over both formats gives the views written as they came"
