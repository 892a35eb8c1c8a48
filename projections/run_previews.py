"""What a settlement run or an expiry run would do, computed read-only from the projections (admin).

The admin pages show these before asking to confirm. They select the same cheques as the runs in
``ledger/fund_commands.py`` (same conditions on the cheque index, from ``projections/command_reads.py``;
groups sorted the same way), so a run that follows a preview with nothing recorded in between pays, or
releases, exactly what was shown.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import msgspec

from ledger import types as t
from ledger.service import LedgerCore
from projections.command_reads import TO_EXPIRE, TO_SETTLE


class SettlementPreview(msgspec.Struct, frozen=True, kw_only=True):
    """The settlement ``through`` a day would pay: a line per structure, sorted like the run's."""

    through: date
    count: int
    total_cents: int
    lines: list[t.SettlementLine]
    held: list[t.HeldLine] = []


class ExpiryLine(msgspec.Struct, frozen=True, kw_only=True):
    funder_code: str
    count: int
    amount_cents: int


class ExpiryPreview(msgspec.Struct, frozen=True, kw_only=True):
    """The expiry run ``as_of`` a day would expire ``expired_count`` cheques and release ``released_cents``;
    ``lines`` say to which funders' commitments the value returns."""

    as_of: date
    expired_count: int
    released_cents: int
    lines: list[ExpiryLine]


class RunPreviews(LedgerCore):
    def preview_settlement(self, actor: t.Actor, through: date) -> SettlementPreview:
        """Redeemed, unsettled cheques whose session date is on or before ``through``, by structure: paid
        when the structure's bank account is active (``projections/payments.py``), else held."""
        self._require(actor)
        self._fresh_views("ledger_views", "payments")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT structure_id, COUNT(*), SUM(face_value_cents) FROM cheque_index"
                f" WHERE {TO_SETTLE} GROUP BY structure_id",
                (through.isoformat(),),
            ).fetchall()
            active = {r[0] for r in cur.execute("SELECT owner FROM bank_accounts WHERE status = 'active'").fetchall()}
        # Sorted in Python, as the run sorts its lines (a database collation may order text differently).
        lines: list[t.SettlementLine] = []
        held: list[t.SettlementLine] = []
        for structure_id, count, amount in sorted(rows, key=lambda r: str(r[0])):
            line = t.SettlementLine(structure_id=str(structure_id), count=int(count), amount_cents=int(amount))
            (lines if str(structure_id) in active else held).append(line)
        return SettlementPreview(
            through=through,
            count=sum(x.count for x in lines),
            total_cents=sum(x.amount_cents for x in lines),
            lines=lines,
            held=[t.HeldLine(structure_id=x.structure_id, count=x.count, amount_cents=x.amount_cents) for x in held],
        )

    def preview_expiry(self, actor: t.Actor, as_of: date) -> ExpiryPreview:
        """Still-issued cheques whose ``valid_until`` is before ``as_of``, by funder."""
        self._require(actor)
        self._fresh_views("ledger_views")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT funder_code, COUNT(*), SUM(face_value_cents) FROM cheque_index"
                f" WHERE {TO_EXPIRE} GROUP BY funder_code",
                (as_of.isoformat(),),
            ).fetchall()
        by_funder: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for funder_code, count, amount in rows:
            by_funder[str(funder_code)][0] += int(count)
            by_funder[str(funder_code)][1] += int(amount)
        lines = [
            ExpiryLine(funder_code=code, count=n, amount_cents=cents) for code, (n, cents) in sorted(by_funder.items())
        ]
        return ExpiryPreview(
            as_of=as_of,
            expired_count=sum(x.count for x in lines),
            released_cents=sum(x.amount_cents for x in lines),
            lines=lines,
        )
