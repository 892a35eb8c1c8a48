"""A projection whose tables changed shape (a new ``version``) is dropped and replayed when a ledger opens on a
database built with the old shape; one whose version is unchanged keeps its tables and position."""

from __future__ import annotations

from ledger.database import Cursor, Database
from projections.ledger_views import LedgerViews
from projections.outcomes import Outcomes
from projections.versions import existing_names, prepare_tables
from tests import scenario as s

# cheque_index as it was before version 2: keyed by serial, the id unique beside it, structure indexes on every row
OLD_CHEQUE_INDEX = [
    "DROP TABLE cheque_index",
    "CREATE TABLE cheque_index ("
    " serial TEXT PRIMARY KEY, cheque_id TEXT NOT NULL UNIQUE, commitment_id TEXT NOT NULL, funder_code TEXT NOT NULL,"
    " face_value_cents BIGINT NOT NULL, status TEXT NOT NULL, valid_until TEXT NOT NULL,"
    " issued_on TEXT NOT NULL, beneficiary_id TEXT NOT NULL, prescriber_id TEXT NOT NULL,"
    " book_id TEXT NOT NULL, structure_id TEXT, session_date TEXT, session_kind TEXT,"
    " duration_minutes INTEGER)",
    "CREATE INDEX cheque_status ON cheque_index (status, valid_until)",
    "CREATE INDEX cheque_structure ON cheque_index (structure_id, status)",
]


def primary_key(cur: Cursor, postgres: bool, table: str) -> list[str]:
    if postgres:
        rows = cur.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = ?::regclass AND i.indisprimary",
            (table,),
        ).fetchall()
    else:
        rows = [(r[1],) for r in cur.execute(f"PRAGMA table_info({table})").fetchall() if r[5]]
    return [r[0] for r in rows]


def test_ledger_views_built_before_versions_are_replayed_into_the_new_shape(make_ledger):
    first = make_ledger()
    w = s.world(first)
    cheques = s.book(first, w, count=6).cheques
    for c in cheques[:4]:
        first.redeem(w.structure_actor, s.redemption(c.serial, c.code, first.today()))
    first.views.catch_up()
    cheque_columns = (
        "serial, cheque_id, commitment_id, funder_code, face_value_cents, status, valid_until, issued_on,"
        " beneficiary_id, prescriber_id, book_id, structure_id, session_date, session_kind, duration_minutes"
    )
    with first.db.read() as cur:
        before_cheques = sorted(map(tuple, cur.execute(f"SELECT {cheque_columns} FROM cheque_index").fetchall()))
        before_journal = [tuple(r) for r in cur.execute("SELECT * FROM journal ORDER BY position, seq").fetchall()]
        head = first.views.head()
    with first.db.transaction() as cur:  # make it a database of the last release: old shape, no versions recorded
        for statement in OLD_CHEQUE_INDEX:
            cur.execute(statement)
        cur.executemany(f"INSERT INTO cheque_index ({cheque_columns}) VALUES ({', '.join('?' * 15)})", before_cheques)
        cur.execute("DELETE FROM projection_versions")
        assert primary_key(cur, first.db.postgres, "cheque_index") == ["serial"]
    first.close()

    second = make_ledger()
    positions = second.views.positions()
    assert positions["ledger_views"] == 0, "its tables were dropped: it starts again from the first event"
    changed = {p.name for p in second.views.projections.values() if getattr(p, "version", 1) != 1}
    assert all(positions[name] == 0 for name in changed), "each projection of a new shape starts again"
    assert all(p == head for name, p in positions.items() if name not in changed), "the others keep their rows"
    with second.db.read() as cur:
        assert primary_key(cur, second.db.postgres, "cheque_index") == ["cheque_id"]
        assert cur.execute("SELECT COUNT(*) FROM cheque_index").fetchone()[0] == 0
        versions = dict(cur.execute("SELECT name, version FROM projection_versions").fetchall())
    assert versions["ledger_views"] == LedgerViews.version and versions["outcomes"] == getattr(Outcomes, "version", 1)

    second.views.catch_up()
    with second.db.read() as cur:
        after_cheques = sorted(map(tuple, cur.execute(f"SELECT {cheque_columns} FROM cheque_index").fetchall()))
        after_journal = [tuple(r) for r in cur.execute("SELECT * FROM journal ORDER BY position, seq").fetchall()]
    assert after_cheques == before_cheques and after_journal == before_journal
    # Reads by serial go through the id now: the beneficiary of a cheque is still found.
    assert second.beneficiary_of(w.prescriber_actor, cheques[0].serial) == str(w.beneficiary.id)


def test_a_ledger_reopened_with_the_same_versions_keeps_its_projections(make_ledger):
    first = make_ledger()
    w = s.world(first)
    s.book(first, w, count=3)
    first.views.catch_up()
    positions = first.views.positions()
    first.close()
    second = make_ledger()
    assert second.views.positions() == positions
    with second.db.read() as cur:
        assert cur.execute("SELECT COUNT(*) FROM cheque_index").fetchone()[0] == 3


class Table:
    def __init__(self, name: str, version: int) -> None:
        self.name, self.version = name, version

    def schema(self) -> list[str]:
        return [f"CREATE TABLE IF NOT EXISTS {self.name}_rows (v{self.version} INTEGER)"]

    def tables(self) -> list[str]:
        return [f"{self.name}_rows"]


def test_only_the_projection_whose_version_changed_is_reset(ledger):
    db: Database = ledger.db
    try:
        assert prepare_tables(db, [Table("alpha", 1), Table("beta", 1)]) == []
        with db.transaction() as cur:
            cur.execute("INSERT INTO alpha_rows VALUES (1)")
            cur.execute("INSERT INTO beta_rows VALUES (1)")
            cur.execute("UPDATE projection_tracking SET position = 7 WHERE name IN ('alpha', 'beta')")
        assert prepare_tables(db, [Table("alpha", 1), Table("beta", 2)]) == ["beta"]
        with db.read() as cur:
            positions = dict(
                cur.execute("SELECT name, position FROM projection_tracking WHERE name IN ('alpha', 'beta')").fetchall()
            )
            assert positions == {"alpha": 7, "beta": 0}
            assert cur.execute("SELECT COUNT(*) FROM alpha_rows").fetchone()[0] == 1
            assert cur.execute("SELECT COUNT(*) FROM beta_rows").fetchone()[0] == 0
            cur.execute("SELECT v2 FROM beta_rows")  # the new shape
        assert prepare_tables(db, [Table("alpha", 1), Table("beta", 2)]) == [], "reset once, not at every start"
    finally:
        with db.transaction() as cur:  # the PostgreSQL test database is shared: leave no foreign table behind
            for name in ("alpha", "beta"):
                cur.execute(f"DROP TABLE IF EXISTS {name}_rows")
                cur.execute("DELETE FROM projection_tracking WHERE name = ?", (name,))
                cur.execute("DELETE FROM projection_versions WHERE name = ?", (name,))


def test_a_start_creates_only_what_is_missing(make_ledger, monkeypatch):
    first = make_ledger()
    with first.db.transaction() as cur:
        cur.execute("DROP INDEX cheque_beneficiary")  # as if a release added it
    first.close()
    ran: list[str] = []
    real_script = Database.script
    monkeypatch.setattr(
        Database, "script", lambda self, statements: ran.extend(statements) or real_script(self, statements)
    )
    second = make_ledger()
    projection_schema = {s for p in second.views.projections.values() for s in p.schema()}
    created = [s for s in ran if s in projection_schema]
    assert created == [s for s in second.views.projections["ledger_views"].schema() if "cheque_beneficiary" in s], (
        "existing tables and indexes are not created again (no lock taken on them at start)"
    )
    assert "cheque_beneficiary" in existing_names(second.db)


def test_the_retired_hash_chain_and_journal_index_are_dropped(make_ledger):
    """Databases from before the Merkle log replaced it hold ``event_chain``, its position and version, and the
    journal's index by structure that no read uses."""
    first = make_ledger()
    s.world(first)
    with first.db.transaction() as cur:
        cur.execute(
            "CREATE TABLE event_chain (position BIGINT PRIMARY KEY, event_id TEXT NOT NULL, hash TEXT NOT NULL)"
        )
        cur.execute("INSERT INTO event_chain VALUES (1, 'x/1', ?)", ("0" * 64,))
        cur.execute("INSERT INTO projection_tracking (name, position) VALUES ('event_chain', 1)")
        cur.execute("INSERT INTO projection_versions (name, version) VALUES ('event_chain', 1)")
        cur.execute("CREATE INDEX journal_structure ON journal (structure_id, position) WHERE structure_id IS NOT NULL")
    assert {"event_chain", "journal_structure"} <= existing_names(first.db)

    again = make_ledger()
    assert not {"event_chain", "journal_structure"} & existing_names(again.db)
    with again.db.read() as cur:
        for table in ("projection_tracking", "projection_versions"):
            assert cur.execute(f"SELECT COUNT(*) FROM {table} WHERE name = 'event_chain'").fetchone()[0] == 0
    assert "event_chain" not in again.views.positions()
    assert again.health()[1] == []
