"""Bulk writes of the projections (PostgreSQL: COPY and one UPDATE over arrays; SQLite: executemany)."""

from __future__ import annotations

from ledger.database import Database


def test_insert_rows_and_update_rows_write_what_one_statement_a_row_would(ledger):
    db: Database = ledger.db
    db.script(
        [
            "DROP TABLE IF EXISTS bulk_probe",
            "CREATE TABLE bulk_probe (k TEXT PRIMARY KEY, status TEXT NOT NULL, n INTEGER, note TEXT)",
        ]
    )
    rows = [(f"k{i}", "issued", i, None if i % 2 else f"tab\there \\ and ' quote é {i}") for i in range(50)]
    with db.transaction() as cur:
        cur.insert_rows("bulk_probe", ("k", "status", "n", "note"), rows)
        cur.insert_rows("bulk_probe", ("k", "status", "n", "note"), [])
    with db.transaction() as cur:
        cur.update_rows(
            "bulk_probe",
            "k",
            ("status", "n"),
            [("redeemed", 1000 + i, f"k{i}") for i in range(0, 50, 5)],
            {"k": "text", "status": "text", "n": "integer"},
        )
        cur.update_rows("bulk_probe", "k", ("note",), [(None, "k0"), ("x", "k1")], {"k": "text", "note": "text"})
        cur.update_rows("bulk_probe", "k", ("note",), [], {"k": "text", "note": "text"})
    with db.read() as cur:
        got = {r[0]: r[1:] for r in cur.execute("SELECT k, status, n, note FROM bulk_probe").fetchall()}
    expected = {k: (status, n, note) for k, status, n, note in rows}
    for i in range(0, 50, 5):
        expected[f"k{i}"] = ("redeemed", 1000 + i, expected[f"k{i}"][2])
    expected["k0"] = ("redeemed", 1000, None)
    expected["k1"] = ("issued", 1, "x")
    assert got == expected
    db.script(["DROP TABLE bulk_probe"])
