"""What funders come for: reconciliation as of any day, and the journal of postings behind it.

Reads the tables of ``projections/ledger_views.py`` (balance_days, commitment_index, funder_payments, journal),
and the event table for a posting's event id (the event stored at the posting's position)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import msgspec

from domain import errors
from domain.funding import Commitment, Funder
from domain.ids import natural_id
from ledger import types as t
from ledger.clock import end_of_day_utc
from ledger.service import LedgerCore, parse_position_cursor
from projections.balances import ACCOUNTS, sum_rows
from projections.payment_reads import executed_cents
from projections.reconciliation import Sources, balance_figures, balanced, reconciliation

SUMS = ", ".join(f"SUM({a})" for a in ACCOUNTS)

MAX_PAGE = 1000


class FunderReads(LedgerCore):
    def reconciliation(self, actor: t.Actor, code: str, as_of: date | None = None) -> t.Reconciliation:
        self._require(actor, "funder")
        self._require_org(actor, code)
        self._load(natural_id("funder", code), Funder, "Financeur")
        today = self.today()
        current = as_of is None or as_of >= today
        as_of = as_of or today
        # Today or later: every event so far. A past day: events recorded before that day ended (Paris), which
        # are the balance rows of the days up to it (projections/balances.py).
        cutoff = "9999" if current else end_of_day_utc(as_of)
        last_day = "9999" if current else as_of.isoformat()
        self._fresh_views("ledger_views", "payments")
        with self.db.read() as cur:
            commitments = cur.execute(
                "SELECT id, reference, amount_cents FROM commitment_index WHERE funder_code = ? AND signed_at < ?"
                " ORDER BY signed_at, id",
                (code, cutoff),
            ).fetchall()
            moved = cur.execute(
                f"SELECT commitment_id, {SUMS} FROM balance_days WHERE funder_code = ? AND day <= ?"
                " GROUP BY commitment_id",
                (code, last_day),
            ).fetchall()
            received = cur.execute(
                "SELECT COALESCE(SUM(amount_cents), 0) FROM funder_payments WHERE funder_code = ? AND at < ?",
                (code, cutoff),
            ).fetchone()
            executed = executed_cents(cur, code, cutoff)
        figures, all_balanced = [], True
        for figure, signed_cents in balance_figures(commitments, sum_rows(moved)):
            sources = None
            if current:  # today's figures must also agree with the command side
                aggregate = self._load(figure.id, Commitment, "Convention")
                sources = Sources(aggregate.available_cents, aggregate.released_cents)
            all_balanced &= balanced(figure, signed_cents, sources)
            figures.append(figure)
        figures_out = reconciliation(code, as_of, int(received[0]) if received else 0, figures, all_balanced)
        # Of the money paid, what the bank executed (payé) and what is only ordered (ordonnancé).
        return msgspec.structs.replace(
            figures_out,
            ordered_cents=figures_out.paid_cents - executed,
            executed_cents=executed,
            balanced=figures_out.balanced and 0 <= executed <= figures_out.paid_cents,
        )

    def money_over_time(self, actor: t.Actor, code: str) -> list[t.MoneyPoint]:
        """The funder's balances at the end of every day something moved (Paris days), oldest first.

        Each point equals ``reconciliation(as_of=day)``'s totals: both sum the same balance rows, those of
        the days up to that one (``projections/balances.py``): one row per commitment and day, not the journal."""
        self._require(actor, "funder")
        self._require_org(actor, code)
        self._load(natural_id("funder", code), Funder, "Financeur")
        db = self._fresh_reads("ledger_views")
        with db.read() as cur:
            rows = cur.execute(
                "SELECT day, SUM(available), SUM(reserved), SUM(redeemed), SUM(paid) FROM balance_days"
                " WHERE funder_code = ? GROUP BY day ORDER BY day",
                (code,),
            ).fetchall()
        balance = [0, 0, 0, 0]
        points: list[t.MoneyPoint] = []
        for day, *moved in rows:
            balance = [b + int(m) for b, m in zip(balance, moved, strict=True)]
            points.append(
                t.MoneyPoint(
                    day=date.fromisoformat(day),
                    available_cents=balance[0],
                    reserved_cents=balance[1],
                    redeemed_cents=balance[2],
                    paid_cents=balance[3],
                )
            )
        return points

    def journal(
        self,
        actor: t.Actor,
        code: str,
        limit: int = 100,
        cursor: str | None = None,
        *,
        kind: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> t.PostingPage:
        """Postings in order; the pages may filter by kind and by the Paris days they were recorded on."""
        self._require(actor, "funder")
        self._require_org(actor, code)
        self._load(natural_id("funder", code), Funder, "Financeur")
        if not 1 <= limit <= MAX_PAGE:
            raise errors.ValidationError(f"limit doit être compris entre 1 et {MAX_PAGE}.")
        after = parse_position_cursor(cursor)
        db = self._fresh_reads("ledger_views")
        with db.read() as cur:
            where, params = (
                # ``position >= ?``: an index range that starts at the cursor (an OR alone reads from the start)
                ["j.funder_code = ?", "j.position >= ? AND (j.position > ? OR j.seq > ?)"],
                [code, after[0], *after],
            )
            if kind:
                where.append("j.kind = ?")
                params.append(kind)
            if since:
                where.append("j.at >= ?")
                params.append(end_of_day_utc(since - timedelta(days=1)))
            if until:
                where.append("j.at < ?")
                params.append(end_of_day_utc(until))
            # the posting's event id, from the event stored at its position (the journal does not repeat it)
            number = "notification_id" if db.postgres else "rowid"
            where.append(f"e.{number} >= ?")  # said of the events too, or a merge join reads them from the first
            params.append(after[0])
            recorder: Any = self.app.recorder
            rows = cur.execute(
                "SELECT j.position, j.seq, j.at, e.originator_id, e.originator_version, j.kind, j.commitment_id,"
                " j.debit, j.credit, j.amount_cents, j.serial, j.structure_id"
                f" FROM journal j JOIN {recorder.events_table_name} e ON e.{number} = j.position"
                f" WHERE {' AND '.join(where)} ORDER BY j.position, j.seq LIMIT ?",
                (*params, limit + 1),
            ).fetchall()
        items = [
            t.Posting(
                position=int(r[0]),
                at=r[2],
                event_id=f"{UUID(str(r[3]))}/{r[4]}",  # SQLite stores the id as 32 hex digits
                kind=r[5],
                commitment_id=UUID(r[6]),
                debit=r[7],
                credit=r[8],
                amount_cents=int(r[9]),
                serial=r[10],
                structure_id=r[11],
            )
            for r in rows[:limit]
        ]
        next_cursor = f"{rows[limit - 1][0]}.{rows[limit - 1][1]}" if len(rows) > limit else None
        return t.PostingPage(items=items, next_cursor=next_cursor)
