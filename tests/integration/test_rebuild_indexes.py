"""A rebuild drops the indexes no write of a projection reads (``rebuilt_without``), replays the events without
them, and builds them again: afterwards every index of the schema is there and the reads give what they gave."""

from __future__ import annotations

from projections.ledger_views import LedgerViews
from tests import scenario as s


def index_names(ledger) -> set[str]:
    sql = (
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        if ledger.db.postgres
        else "SELECT name FROM sqlite_master WHERE type = 'index'"
    )
    with ledger.db.read() as cur:
        return {row[0] for row in cur.execute(sql).fetchall()}


def test_a_rebuild_builds_again_the_indexes_it_dropped(ledger, clock):
    w = s.world(ledger)
    book = s.book(ledger, w, count=3)
    c = book.cheques[0]
    ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, clock.today))
    before = (ledger.statement(s.ADMIN, str(w.structure.id)), ledger.reconciliation(s.ADMIN, "DEPT26"))
    deferred = set(LedgerViews.rebuilt_without)
    assert deferred <= index_names(ledger)
    dropped: list[set[str]] = []
    catch_up = ledger.views.catch_up

    def watched(*args, **kwargs):
        dropped.append(deferred - index_names(ledger))
        return catch_up(*args, **kwargs)

    ledger.views.catch_up = watched
    try:
        ledger.views.rebuild()
    finally:
        ledger.views.catch_up = catch_up
    assert dropped and dropped[0] == deferred, "replayed without them"
    assert deferred <= index_names(ledger), "built again"
    assert (ledger.statement(s.ADMIN, str(w.structure.id)), ledger.reconciliation(s.ADMIN, "DEPT26")) == before
