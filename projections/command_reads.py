"""The reads commands make of the read models (``ledger.read_models.CommandReads``), on the tables of
``projections/ledger_views.py`` (commitment_index, cheque_index) and ``projections/directory.py`` (caseload). The composition root hands them to the ledger.

The settlement and expiry previews (``projections/run_previews.py``) select with the same conditions, so a run
that follows a preview with nothing recorded in between pays, or releases, exactly what was shown."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger.database import Database

TO_SETTLE = "status = 'redeemed' AND session_date <= ?"
"""Cheques a settlement ``through`` a day pays (parameter: that day)."""
TO_EXPIRE = "status = 'issued' AND valid_until < ?"
"""Cheques an expiry run ``as_of`` a day expires (parameter: that day)."""


class LedgerViewsCommandReads:
    sources = ("ledger_views",)  # beneficiaries_with_reference reads ``directory``: its callers wait for it

    def __init__(self, db: Database) -> None:
        self.db = db

    def eligible_commitment_ids(self, day: date) -> list[UUID]:
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT id FROM commitment_index WHERE valid_from <= ? AND valid_until >= ?",
                (day.isoformat(), day.isoformat()),
            ).fetchall()
        return [UUID(r[0]) for r in rows]

    def cheques_to_settle(self, through: date) -> list[str]:
        return self._serials(TO_SETTLE, through)

    def cheques_to_expire(self, as_of: date) -> list[str]:
        return self._serials(TO_EXPIRE, as_of)

    def _serials(self, condition: str, day: date) -> list[str]:
        with self.db.read() as cur:
            rows = cur.execute(f"SELECT serial FROM cheque_index WHERE {condition}", (day.isoformat(),)).fetchall()
        return [str(r[0]) for r in rows]

    def beneficiaries_with_reference(self, reference: str) -> list[UUID]:
        """The beneficiaries (not erased) whose reference is ``reference`` (canonical form): one, or none."""
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT beneficiary_id FROM caseload WHERE reference = ? AND erased = 0", (reference,)
            ).fetchall()
        return [UUID(str(r[0])) for r in rows]
