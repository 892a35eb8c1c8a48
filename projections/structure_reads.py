"""What a structure's pages list: the cheques it redeemed, its statement, and its devices.

Reads cheque_index (``projections/ledger_views.py``) and device_index (``projections/lending_views.py``)."""

from __future__ import annotations

import re

import msgspec

from domain import errors
from domain.structures import Structure
from ledger import types as t
from ledger.service import LedgerCore
from projections.funder_reads import MAX_PAGE
from projections.payment_reads import structure_payments


class RedeemedCheque(msgspec.Struct, frozen=True):
    serial: str
    status: str
    face_value_cents: int
    session_date: str
    session_kind: str | None
    duration_minutes: int | None
    funder_code: str


class DeviceRow(msgspec.Struct, frozen=True):
    id: str
    kind: str
    status: str


class StructureReads(LedgerCore):
    def redeemed_cheques(self, actor: t.Actor, structure_id: str, limit: int = 200) -> list[RedeemedCheque]:
        """The structure's latest ``limit`` sessions (its redeemed and settled cheques), latest first."""
        return self.redeemed_page(actor, structure_id, limit)[0]

    def redeemed_page(
        self, actor: t.Actor, structure_id: str, limit: int = 200, cursor: str | None = None
    ) -> tuple[list[RedeemedCheque], str | None]:
        """A page of the structure's redeemed and settled cheques, latest session first, and the cursor of the
        next page (None on the last): ``<session date>.<serial>`` of the page's last row. Keyset: the page is
        read from the index by structure and session date (``cheque_structure``), however deep it lies."""
        self._require(actor, "structure")
        self._require_org(actor, structure_id)
        if not 1 <= limit <= MAX_PAGE:
            raise errors.ValidationError(f"limit doit être compris entre 1 et {MAX_PAGE}.")
        after = _session_cursor(cursor)
        self._fresh_views("ledger_views")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT serial, status, face_value_cents, session_date, session_kind, duration_minutes, funder_code"
                " FROM cheque_index WHERE structure_id = ? AND status IN ('redeemed', 'settled')"
                + (" AND (session_date, serial) < (?, ?)" if after else "")
                + " ORDER BY session_date DESC, serial DESC LIMIT ?",  # index order (cheque_structure), backwards
                (structure_id, *(after or ()), limit + 1),
            ).fetchall()
        page = [
            RedeemedCheque(
                serial=r[0],
                status=r[1],
                face_value_cents=int(r[2]),
                session_date=r[3],
                session_kind=r[4],
                duration_minutes=None if r[5] is None else int(r[5]),
                funder_code=r[6],
            )
            for r in rows[:limit]
        ]
        last = page[-1] if len(rows) > limit else None
        return page, (f"{last.session_date}.{last.serial}" if last else None)

    def structure_devices(self, actor: t.Actor, structure_id: str) -> list[DeviceRow]:
        self._require(actor, "structure")
        self._require_org(actor, structure_id)
        self._fresh_views("lending_views")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT id, kind, status FROM device_index WHERE structure_id = ? ORDER BY status, kind, id",
                (structure_id,),
            ).fetchall()
        return [DeviceRow(id=r[0], kind=r[1], status=r[2]) for r in rows]

    def statement(self, actor: t.Actor, structure_id: str) -> t.StatementOut:
        self._require(actor, "structure")
        self._require_org(actor, structure_id)
        structure = self._load_id(structure_id, Structure, "Structure")
        self._fresh_views("ledger_views", "payments")
        with self.db.read() as cur:  # running totals (projections/balances.py), not the structure's cheques
            row = cur.execute(
                "SELECT redeemed_count, redeemed_cents, settled_count, settled_cents FROM structure_totals"
                " WHERE structure_id = ?",
                (str(structure.id),),
            ).fetchone()
            executed_row = cur.execute(
                "SELECT COALESCE(SUM(l.amount_cents), 0) FROM settlement_lines l JOIN settlements s"
                " ON s.id = l.settlement_id WHERE l.structure_id = ? AND s.executed_on IS NOT NULL",
                (str(structure.id),),
            ).fetchone()
            payments = structure_payments(cur, str(structure.id))
        executed = int(executed_row[0]) if executed_row else 0
        redeemed = (int(row[0]), int(row[1])) if row else (0, 0)
        settled = (int(row[2]), int(row[3])) if row else (0, 0)
        return t.StatementOut(
            structure_id=str(structure.id),
            redeemed_count=redeemed[0] + settled[0],
            redeemed_cents=redeemed[1] + settled[1],
            settled_cents=settled[1],
            pending_cents=redeemed[1],
            ordered_cents=settled[1] - executed,
            executed_cents=executed,
            payments=payments,
        )


def _session_cursor(cursor: str | None) -> tuple[str, str] | None:
    """(session date, serial) of a ``redeemed_page`` cursor."""
    if not cursor:
        return None
    found = re.fullmatch(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.([0-9A-Z*~$=-]{1,20})", cursor)
    if found is None:
        raise errors.ValidationError("Curseur invalide.")
    return found.group(1), found.group(2)
