"""What funders come for: reconciliation as of any day, and the journal of postings behind it.

Reads the tables of ``projections/ledger_views.py`` (journal, commitment_index, funder_payments, cheque_index)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from uuid import UUID

import msgspec

from domain import errors
from domain.funding import Commitment, Funder
from domain.ids import natural_id
from ledger import types as t
from ledger.clock import PARIS, end_of_day_utc
from ledger.service import LedgerCore, parse_position_cursor
from projections.payment_reads import executed_cents
from projections.reconciliation import ACCOUNTS, Sources, balanced, commitment_figures, reconciliation

MAX_PAGE = 1000


class FunderReads(LedgerCore):
    def reconciliation(self, actor: t.Actor, code: str, as_of: date | None = None) -> t.Reconciliation:
        self._require(actor, "funder")
        self._require_org(actor, code)
        self._load(natural_id("funder", code), Funder, "Financeur")
        today = self.today()
        current = as_of is None or as_of >= today
        as_of = as_of or today
        # Today or later: every event so far. A past day: events recorded before that day ended.
        cutoff = "9999" if current else end_of_day_utc(as_of)
        self._fresh_views("ledger_views", "payments")
        with self.db.read() as cur:
            commitments = cur.execute(
                "SELECT id, reference, amount_cents FROM commitment_index WHERE funder_code = ? AND signed_at < ?"
                " ORDER BY signed_at, id",
                (code, cutoff),
            ).fetchall()
            postings = cur.execute(
                "SELECT commitment_id, debit, credit, SUM(amount_cents) FROM journal"
                " WHERE funder_code = ? AND at < ? GROUP BY commitment_id, debit, credit",
                (code, cutoff),
            ).fetchall()
            received = cur.execute(
                "SELECT COALESCE(SUM(amount_cents), 0) FROM funder_payments WHERE funder_code = ? AND at < ?",
                (code, cutoff),
            ).fetchone()
            by_status = cur.execute(
                "SELECT commitment_id, status, SUM(face_value_cents) FROM cheque_index WHERE funder_code = ?"
                " GROUP BY commitment_id, status",
                (code,),
            ).fetchall()
            executed = executed_cents(cur, code, cutoff)
        status_sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for commitment_id, status, amount in by_status:
            status_sums[commitment_id][status] += int(amount)
        figures, all_balanced = [], True
        for figure, signed_cents in commitment_figures(commitments, postings):
            sources = None
            if current:  # today's figures must also agree with the command side and the cheque index
                aggregate = self._load(figure.id, Commitment, "Convention")
                sources = Sources(aggregate.available_cents, aggregate.released_cents, status_sums[str(figure.id)])
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

        Each point equals ``reconciliation(as_of=day)``'s totals: both sum the same journal rows
        recorded before that day ended (Paris offsets are whole hours, so hour buckets split exactly)."""
        self._require(actor, "funder")
        self._require_org(actor, code)
        self._load(natural_id("funder", code), Funder, "Financeur")
        db = self._fresh_reads("ledger_views")
        with db.read() as cur:
            rows = cur.execute(
                "SELECT SUBSTR(at, 1, 13), debit, credit, SUM(amount_cents) FROM journal WHERE funder_code = ?"
                " GROUP BY SUBSTR(at, 1, 13), debit, credit ORDER BY 1",
                (code,),
            ).fetchall()
        balance = dict.fromkeys(ACCOUNTS, 0)
        points: list[t.MoneyPoint] = []
        for hour, debit, credit, amount in rows:
            day = datetime.fromisoformat(f"{hour}:00:00+00:00").astimezone(PARIS).date()
            balance[debit] -= int(amount)
            balance[credit] += int(amount)
            point = t.MoneyPoint(
                day=day,
                available_cents=balance["available"],
                reserved_cents=balance["reserved"],
                redeemed_cents=balance["redeemed"],
                paid_cents=balance["paid"],
            )
            if points and points[-1].day == day:
                points[-1] = point
            else:
                points.append(point)
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
                ["funder_code = ?", "(position > ? OR (position = ? AND seq > ?))"],
                [code, *after[:1], *after],
            )
            if kind:
                where.append("kind = ?")
                params.append(kind)
            if since:
                where.append("at >= ?")
                params.append(end_of_day_utc(since - timedelta(days=1)))
            if until:
                where.append("at < ?")
                params.append(end_of_day_utc(until))
            rows = cur.execute(
                "SELECT position, seq, at, event_id, kind, commitment_id, debit, credit, amount_cents, serial,"
                f" structure_id FROM journal WHERE {' AND '.join(where)} ORDER BY position, seq LIMIT ?",
                (*params, limit + 1),
            ).fetchall()
        items = [
            t.Posting(
                position=int(r[0]),
                at=r[2],
                event_id=r[3],
                kind=r[4],
                commitment_id=UUID(r[5]),
                debit=r[6],
                credit=r[7],
                amount_cents=int(r[8]),
                serial=r[9],
                structure_id=r[10],
            )
            for r in rows[:limit]
        ]
        next_cursor = f"{rows[limit - 1][0]}.{rows[limit - 1][1]}" if len(rows) > limit else None
        return t.PostingPage(items=items, next_cursor=next_cursor)
