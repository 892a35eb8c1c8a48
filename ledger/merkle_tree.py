"""Reads of the stored Merkle log (``ledger/merkle_store.py``) through one cursor, so in one snapshot.

A leaf is its event, hashed again (``merkle.entry``): ``leaves`` reads the events of ranges of leaf indices
through ``merkle_runs`` (leaf ``first_leaf + j`` is the event of notification id ``first_notification + j``),
in one statement. ``nodes`` gives any perfect subtrees: those of level ``merkle.K`` and above read from
``merkle_nodes`` in one statement, those below recomputed from their at most 2^K events in one more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from ledger import merkle
from ledger.merkle import Node, Range


def _dashed(originator_id: Any) -> str:
    """The originator id as the journal writes it (SQLite stores it as 32 hex digits)."""
    text = str(originator_id)
    return str(UUID(text)) if len(text) == 32 else text


class TreeReader:
    def __init__(self, cur: Any, postgres: bool, events_table: str) -> None:
        self.cur = cur  # a ``ledger.database.Cursor``
        self.postgres = postgres
        self.events = events_table
        self.nid = "notification_id" if postgres else "rowid"

    def size(self) -> int:
        row = self.cur.execute("SELECT first_leaf + count FROM merkle_runs ORDER BY first_leaf DESC LIMIT 1").fetchone()
        return int(row[0]) if row else 0

    def frontier(self) -> dict[int, bytes]:
        rows = self.cur.execute("SELECT level, hash FROM merkle_frontier WHERE hash IS NOT NULL").fetchall()
        return {int(lv): bytes(h) for lv, h in rows}

    def runs(self) -> list[tuple[int, int, int]]:
        rows = self.cur.execute(
            "SELECT first_leaf, first_notification, count FROM merkle_runs ORDER BY first_leaf"
        ).fetchall()
        return [(int(a), int(b), int(c)) for a, b, c in rows]

    def _keys(self, names: str, columns: Sequence[Sequence[Any]], types: Sequence[str]) -> tuple[str, str, list[Any]]:
        """A source ``k(names)`` of the rows whose columns are ``columns``, as what goes before the statement
        and in its FROM: unnested arrays (PostgreSQL) or a VALUES list (SQLite)."""
        if self.postgres:
            arrays = ", ".join(f"?::{t}[]" for t in types)
            return "", f"unnest({arrays}) AS k({names})", [list(c) for c in columns]
        rows = list(zip(*columns, strict=True))
        marks = ", ".join("(" + ", ".join("?" * len(types)) + ")" for _ in rows)
        return f"WITH k({names}) AS (VALUES {marks}) ", "k", [x for row in rows for x in row]

    def events_of(self, ranges: Iterable[Range]) -> dict[int, tuple[str, str, bytes]]:
        """``{leaf index: (event id, topic, state)}`` of the leaves in ``ranges`` (those the runs map)."""
        merged = merkle.merge(ranges)
        if not merged:
            return {}
        head, source, params = self._keys("a, b", [[a for a, _ in merged], [b for _, b in merged]], ["bigint"] * 2)
        most, least = ("GREATEST", "LEAST") if self.postgres else ("max", "min")
        oid = "e.originator_id::text" if self.postgres else "e.originator_id"
        rows = self.cur.execute(
            f"{head}SELECT r.first_leaf + (e.{self.nid} - r.first_notification), {oid}, e.originator_version,"
            f" e.topic, e.state FROM {source}"
            " JOIN merkle_runs r ON r.first_leaf < k.b AND r.first_leaf >= COALESCE("
            "(SELECT max(first_leaf) FROM merkle_runs WHERE first_leaf <= k.a), 0)"
            f" JOIN {self.events} e ON e.{self.nid} >= r.first_notification + {most}(k.a - r.first_leaf, 0)"
            f" AND e.{self.nid} < r.first_notification + {least}(k.b - r.first_leaf, r.count)",
            params,
        ).fetchall()
        out = {}
        for leaf, originator, version, topic, state in rows:
            out[int(leaf)] = (merkle.event_id(_dashed(originator), int(version)), topic, bytes(state))
        return out

    def leaves(self, ranges: Iterable[Range]) -> dict[int, tuple[str, bytes]]:
        """``{leaf index: (event id, leaf hash)}`` of the leaves in ``ranges``."""
        return {
            i: (eid, merkle.leaf_hash(merkle.entry(eid, topic, state)))
            for i, (eid, topic, state) in self.events_of(ranges).items()
        }

    def _stored(self, nodes: set[Node]) -> dict[Node, bytes]:
        if not nodes:
            return {}
        keys = sorted(nodes)
        if self.postgres:
            sql = (
                "SELECT n.level, n.idx, n.hash FROM unnest(?::smallint[], ?::bigint[]) AS k(level, idx)"
                " JOIN merkle_nodes n ON n.level = k.level AND n.idx = k.idx"
            )
            params: list[Any] = [[lv for lv, _ in keys], [i for _, i in keys]]
        else:  # SQLite: at most 500 keys a statement (its limit on parameters)
            found: dict[Node, bytes] = {}
            for at in range(0, len(keys), 500):
                chunk = keys[at : at + 500]
                where = " OR ".join("(level = ? AND idx = ?)" for _ in chunk)
                rows = self.cur.execute(
                    f"SELECT level, idx, hash FROM merkle_nodes WHERE {where}", [x for k in chunk for x in k]
                )
                found.update(((int(r[0]), int(r[1])), bytes(r[2])) for r in rows.fetchall())
            return found
        return {(int(r[0]), int(r[1])): bytes(r[2]) for r in self.cur.execute(sql, params).fetchall()}

    def nodes(self, wanted: set[Node]) -> dict[Node, bytes]:
        """The hashes of the perfect subtrees ``wanted``; a missing one (a subtree, an event) is an error."""
        found = self._stored({n for n in wanted if n[0] >= merkle.K})
        low = {n for n in wanted if n[0] < merkle.K}
        if low:
            leaves = {i: h for i, (_, h) in self.leaves(merkle.leaf_range(n) for n in low).items()}
            for node in low:
                try:
                    found[node] = merkle.subtree(node, leaves)
                except KeyError:
                    pass
        missing = wanted - found.keys()
        if missing:
            raise LookupError(f"Merkle log incomplete: {len(missing)} subtree(s) missing")
        return found

    def hashes(self, ranges: Sequence[Range]) -> list[bytes]:
        return merkle.resolve(ranges, self.nodes)

    def indices(self, event_ids: Sequence[str]) -> dict[str, int]:
        """The leaf index of each event id (those in the log; one statement per 400)."""
        keys: list[tuple[str, str, int]] = []
        for eid in event_ids:
            originator, _, version = eid.partition("/")
            try:
                uuid = UUID(originator)
                keys.append((eid, str(uuid) if self.postgres else uuid.hex, int(version)))
            except ValueError:
                continue
        out: dict[str, int] = {}
        for at in range(0, len(keys), 400):
            chunk = keys[at : at + 400]
            head, source, params = self._keys("eid, oid, v", list(zip(*chunk, strict=True)), ["text", "uuid", "bigint"])
            rows = self.cur.execute(
                f"{head}SELECT k.eid, r.first_leaf + (e.{self.nid} - r.first_notification) FROM {source}"
                f" JOIN {self.events} e ON e.originator_id = k.oid AND e.originator_version = k.v"
                " JOIN merkle_runs r ON r.first_notification = (SELECT max(first_notification) FROM merkle_runs"
                f" WHERE first_notification <= e.{self.nid}) WHERE e.{self.nid} < r.first_notification + r.count",
                params,
            ).fetchall()
            out.update((eid, int(i)) for eid, i in rows)
        return out
