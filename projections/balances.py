"""Running balances: per commitment and per Paris day, how much each account of the commitment moved
(``balance_days``, part of ``ledger_views``: it is written in the same transaction as the journal).

A reconciliation (today or as of a day) sums a funder's rows up to that day: it reads one row per
commitment and day something moved, never the journal or the cheques. The chart of money over time reads
one row per day and commitment. The journal stays the proof: ``cheque-ledger verify`` recomputes these rows
from the journal and from the events (``projections/verify.py``).

A row holds the day's net movement of each account, not the balance at the day's end: the sum of a
commitment's rows up to a day is its balance at that day's end. Deltas are kept, not running totals, so
that a posting recorded late (an event whose timestamp falls before midnight, stored after one that falls
after it) only adds to its own day's row: no later row has to change, and rows are upserted by adding.
``released`` is the day's value of expired and cancelled cheques (reserved → available).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import lru_cache

from ledger.clock import PARIS
from ledger.database import Cursor

ACCOUNTS = ("funder", "available", "reserved", "redeemed", "paid", "released")
KEY = ("funder_code", "commitment_id", "day")
_INDEX = {account: index for index, account in enumerate(ACCOUNTS)}

BALANCE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS balance_days ("
    " funder_code TEXT NOT NULL, commitment_id TEXT NOT NULL, day TEXT NOT NULL,"
    + ", ".join(f" {a} BIGINT NOT NULL" for a in ACCOUNTS)
    + ", PRIMARY KEY (funder_code, commitment_id, day))"
)
_ADD = ", ".join(f"{a} = balance_days.{a} + excluded.{a}" for a in ACCOUNTS)
UPSERT = (
    f"INSERT INTO balance_days ({', '.join(KEY + ACCOUNTS)}) VALUES ({', '.join('?' * (len(KEY) + len(ACCOUNTS)))})"
    f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {_ADD}"
)


def _moved(account: str) -> str:
    return (
        f"SUM(CASE WHEN v.credit = '{account}' THEN c.face_value_cents"
        f" WHEN v.debit = '{account}' THEN -c.face_value_cents ELSE 0 END)"
    )


# The moves of cheques after issue (redeemed, reversed, settled, cancelled, expired) know only the cheque: its
# commitment, funder and amount come from its row, in the database, as for the journal's postings. Grouped, so
# one statement never updates a row twice (PostgreSQL refuses that); ``WHERE true`` lets SQLite parse the
# ``ON CONFLICT`` of an ``INSERT … SELECT`` with a join.
BALANCE_MOVES = (
    f"INSERT INTO balance_days ({', '.join(KEY + ACCOUNTS)})"
    " SELECT c.funder_code, c.commitment_id, v.day, 0, "
    + ", ".join(_moved(a) for a in ACCOUNTS[1:5])
    + ", SUM(CASE WHEN v.debit = 'reserved' AND v.credit = 'available' THEN c.face_value_cents ELSE 0 END)"
    " FROM {rows} JOIN cheque_index c ON c.cheque_id = v.cheque_id WHERE true"
    " GROUP BY c.funder_code, c.commitment_id, v.day"
    f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {_ADD}"
)


@lru_cache(maxsize=4096)
def _day_of_hour(hour: str) -> str:
    return datetime.fromisoformat(f"{hour}:00:00+00:00").astimezone(PARIS).date().isoformat()


def paris_day(at: str) -> str:
    """The Europe/Paris day of a UTC instant text (``…T10:00:00.000000Z``). Paris offsets are whole hours,
    so the day is a function of the UTC hour (cached)."""
    return _day_of_hour(at[:13])


def movement(debit: str, credit: str, amount: int) -> dict[str, int]:
    """One posting's effect on the accounts of its commitment."""
    moved = dict.fromkeys(ACCOUNTS, 0)
    moved[debit] -= amount
    moved[credit] += amount
    if debit == "reserved" and credit == "available":
        moved["released"] += amount
    return moved


class Balances:
    """The batch's postings known in Python (commitments signed, cheques issued), summed per row key."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str, str], list[int]] = {}

    def post(self, funder_code: str, commitment_id: str, day: str, debit: str, credit: str, amount: int) -> None:
        row = self._rows.get((funder_code, commitment_id, day))
        if row is None:
            row = self._rows[(funder_code, commitment_id, day)] = [0] * len(ACCOUNTS)
        row[_INDEX[debit]] -= amount
        row[_INDEX[credit]] += amount
        if debit == "reserved" and credit == "available":
            row[5] += amount

    def flush(self, cur: Cursor) -> None:
        cur.executemany(UPSERT, [(*key, *row) for key, row in self._rows.items()])
        self._rows = {}


def sum_rows(rows: list[tuple]) -> dict[str, dict[str, int]]:
    """``(commitment_id, *ACCOUNTS)`` rows summed per commitment."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ACCOUNTS, 0))
    for commitment_id, *amounts in rows:
        for account, amount in zip(ACCOUNTS, amounts, strict=True):
            out[commitment_id][account] += int(amount)
    return out


# A structure's statement: its redeemed (not yet settled) and settled cheques, counted and summed as they move,
# so that the statement reads one row, not the structure's cheques.
STRUCTURE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS structure_totals (structure_id TEXT PRIMARY KEY,"
    " redeemed_count BIGINT NOT NULL, redeemed_cents BIGINT NOT NULL,"
    " settled_count BIGINT NOT NULL, settled_cents BIGINT NOT NULL)"
)
_COUNTS = ("redeemed_count", "redeemed_cents", "settled_count", "settled_cents")
STRUCTURE_MOVES = (
    f"INSERT INTO structure_totals (structure_id, {', '.join(_COUNTS)})"
    " SELECT v.structure_id,"
    " SUM(CASE WHEN v.credit = 'redeemed' THEN 1 WHEN v.debit = 'redeemed' THEN -1 ELSE 0 END),"
    " SUM(CASE WHEN v.credit = 'redeemed' THEN c.face_value_cents WHEN v.debit = 'redeemed'"
    " THEN -c.face_value_cents ELSE 0 END),"
    " SUM(CASE WHEN v.credit = 'paid' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN v.credit = 'paid' THEN c.face_value_cents ELSE 0 END)"
    " FROM {rows} JOIN cheque_index c ON c.cheque_id = v.cheque_id WHERE v.structure_id IS NOT NULL"
    " GROUP BY v.structure_id"
    " ON CONFLICT (structure_id) DO UPDATE SET "
    + ", ".join(f"{a} = structure_totals.{a} + excluded.{a}" for a in _COUNTS)
)
