"""A structure's statement by period (``GET /v1/structures/{id}/statement?from=&to=``, its CSV and PDF, the
page « Relevé »): reads the rows ``projections/structure_days.py`` keeps, never the structure's cheques.

- opening and closing balances: the sums of ``structure_days`` before and up to the period's days (one row a
  day something moved, as the funders' running balances);
- the period's figures: the sums of its days;
- its redemptions and reversals: one keyset page of ``structure_lines`` in (day, position) order;
- its settlements: ``structure_settled`` (one row a settlement run and day) joined in the same statement to
  the settlement's line for the structure (``settlement_lines`` of ``projections/payments.py``: the transfer's
  reference, the account paid, masked, the bank's execution), by its primary key: never a ``Settlement``
  aggregate, which holds every serial it paid."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

from domain import errors
from domain.settlement import ORDERED, end_to_end_id
from domain.statement_period import statement_period
from domain.structures import Structure
from ledger import types as t
from ledger.database import Cursor
from ledger.service import LedgerCore
from projections.structure_days import FIGURES

MAX_SETTLEMENTS = 1000  # settlement runs in one period: a run a week is 52 a year
_CURSOR = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\.([0-9]{1,18})$")
_SUMS = ", ".join(f"COALESCE(SUM({f}), 0)" for f in FIGURES)


def _cursor(text: str | None) -> tuple[str, int]:
    """``<day>.<position>`` of the last line of the previous page; none: before the first."""
    if not text:
        return ("", -1)
    found = _CURSOR.match(text)
    if not found:
        raise errors.ValidationError("Curseur invalide : reprenez le lien de la page précédente.", field="cursor")
    return found.group(1), int(found.group(2))


def _figures(cur: Cursor, structure_id: str, condition: str, *days: str) -> dict[str, int]:
    row = cur.execute(
        f"SELECT {_SUMS} FROM structure_days WHERE structure_id = ? AND {condition}", (structure_id, *days)
    ).fetchone()
    return dict(zip(FIGURES, (int(x) for x in row or (0,) * len(FIGURES)), strict=True))


def _balance(before: dict[str, int], moved: dict[str, int] | None = None) -> t.StatementBalance:
    total = {f: before[f] + (moved[f] if moved else 0) for f in FIGURES}
    due = total["redeemed_cents"] - total["reversed_cents"] - total["settled_cents"]
    return t.StatementBalance(due_cents=due, paid_cents=total["settled_cents"])


class StructureStatementReads(LedgerCore):
    def _own_structure(self, actor: t.Actor, structure_id: str) -> Structure:
        self._require(actor, "structure")
        self._require_org(actor, structure_id)
        return self._load_id(structure_id, Structure, "Structure")

    def period_statement(
        self,
        actor: t.Actor,
        structure_id: str,
        start: date | None = None,
        end: date | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> t.PeriodStatementOut:
        """The statement of the days ``start`` to ``end`` (default: this month up to today)."""
        structure = self._own_structure(actor, structure_id)
        period = statement_period(start, end, self.today())
        after = _cursor(cursor)
        sid, low, high = str(structure.id), period.start.isoformat(), period.end.isoformat()
        with self._fresh_reads("ledger_views", "payments").read() as cur:
            before = _figures(cur, sid, "day < ?", low)
            moved = _figures(cur, sid, "day >= ? AND day <= ?", low, high)
            lines = cur.execute(
                "SELECT day, position, kind, serial, amount_cents, session_date, session_kind FROM structure_lines"
                " WHERE structure_id = ? AND day >= ? AND day <= ? AND (day > ? OR (day = ? AND position > ?))"
                " ORDER BY day, position LIMIT ?",
                (sid, low, high, after[0], after[0], after[1], limit + 1),
            ).fetchall()
            settled = cur.execute(
                "SELECT s.day, s.settlement_id, s.count, s.amount_cents, l.line_number, l.iban_masked,"
                " l.payment_status, l.executed_on, l.bank_reference FROM structure_settled s"
                " LEFT JOIN settlement_lines l ON l.settlement_id = s.settlement_id AND l.structure_id = s.structure_id"
                " WHERE s.structure_id = ? AND s.day >= ? AND s.day <= ? ORDER BY s.day, s.settlement_id LIMIT ?",
                (sid, low, high, MAX_SETTLEMENTS),
            ).fetchall()
        page = lines[:limit]
        return t.PeriodStatementOut(
            structure_id=sid,
            start=period.start,
            end=period.end,
            opening=_balance(before),
            closing=_balance(before, moved),
            **moved,
            redemptions=[
                t.StatementLine(
                    day=date.fromisoformat(r[0]),
                    position=int(r[1]),
                    kind=r[2],
                    serial=r[3],
                    amount_cents=int(r[4]),
                    session_date=date.fromisoformat(r[5]) if r[5] else None,
                    session_kind=r[6],
                )
                for r in page
            ],
            next_cursor=f"{page[-1][0]}.{page[-1][1]}" if len(lines) > limit else None,
            settlements=self._settlement_lines(settled),
        )

    @staticmethod
    def _settlement_lines(rows: list[tuple]) -> list[t.StatementSettlement]:
        """One settlement of the period from its row. Both projections are fresh and advance together, so the
        settlement's line is there; were ``payments`` alone behind (replayed on its own), the settlement would
        show as ordered, its reference and account not yet known, until it catches up."""
        return [
            t.StatementSettlement(
                day=date.fromisoformat(day),
                settlement_id=settlement_id,
                count=int(count),
                amount_cents=int(cents),
                end_to_end_id=end_to_end_id(UUID(settlement_id), int(number)) if number is not None else None,
                iban_masked=iban_masked,
                payment_status=status or ORDERED,
                executed_on=date.fromisoformat(executed_on) if executed_on else None,
                bank_reference=bank_reference,
            )
            for day, settlement_id, count, cents, number, iban_masked, status, executed_on, bank_reference in rows
        ]
