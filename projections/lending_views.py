"""Lending and PIX read models: sources, devices, loans (with their own money postings), PIX results.

Loan money is kept apart from the cheque fund, in ``loan_journal``: a deposit is held at signing
(``beneficiary → deposits_held``), given back on return (``deposits_held → beneficiary``) or kept on loss
(``deposits_held → deposits_kept``); fees for the months begun are collected when the loan ends
(``beneficiary → fees_collected``).
"""

from __future__ import annotations

from typing import Any

from ledger.clock import instant
from ledger.database import Cursor
from projections.runner import handles_by_name

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS equipment_sources (id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " commune_insee TEXT NOT NULL, registered_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS device_index (id TEXT PRIMARY KEY, structure_id TEXT NOT NULL, kind TEXT NOT NULL,"
    " status TEXT NOT NULL, source_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS loan_index (id TEXT PRIMARY KEY, device_id TEXT NOT NULL, beneficiary_id TEXT NOT NULL,"
    " structure_id TEXT NOT NULL, start_on TEXT NOT NULL, due_on TEXT NOT NULL, state TEXT NOT NULL,"
    " ended_on TEXT, deposit_cents BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS loan_structure ON loan_index (structure_id, state)",
    "CREATE TABLE IF NOT EXISTS loan_journal (position BIGINT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL,"
    " event_id TEXT NOT NULL, loan_id TEXT NOT NULL, structure_id TEXT NOT NULL, kind TEXT NOT NULL,"
    " debit TEXT NOT NULL, credit TEXT NOT NULL, amount_cents BIGINT NOT NULL, PRIMARY KEY (position, seq))",
    "CREATE TABLE IF NOT EXISTS pix_results (id TEXT PRIMARY KEY, beneficiary_id TEXT NOT NULL, phase TEXT NOT NULL,"
    " score INTEGER NOT NULL, taken_on TEXT NOT NULL, recorded_by TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS pix_beneficiary ON pix_results (beneficiary_id)",
    "CREATE INDEX IF NOT EXISTS loan_journal_loan ON loan_journal (loan_id)",
]


class LendingViews:
    name = "lending_views"

    def schema(self) -> list[str]:
        return SCHEMA

    def tables(self) -> list[str]:
        return ["equipment_sources", "device_index", "loan_index", "loan_journal", "pix_results"]

    def begin(self, cur: Cursor) -> None:
        pass

    def flush(self, cur: Cursor) -> None:
        pass

    def decodes(self, topic: str) -> bool:
        return handles_by_name(self, topic)

    def handles(self, topic: str) -> bool:
        return handles_by_name(self, topic)

    def apply(self, cur: Cursor, event: Any, notification: Any) -> None:
        handler = getattr(self, "_on_" + type(event).__qualname__.replace(".", "_"), None)
        if handler is not None:
            handler(cur, event, notification.id)

    def _post(
        self, cur: Cursor, e: Any, position: int, seq: int, kind: str, debit: str, credit: str, amount: int
    ) -> None:
        if amount <= 0:
            return
        loan_id = str(e.originator_id)
        structure_id = cur.execute("SELECT structure_id FROM loan_index WHERE id = ?", (loan_id,)).fetchone()[0]  # type: ignore[index]  # the loan's row exists
        cur.execute(
            "INSERT INTO loan_journal (position, seq, at, event_id, loan_id, structure_id, kind, debit, credit,"
            " amount_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                position,
                seq,
                instant(e.timestamp),
                f"{e.originator_id}/{e.originator_version}",
                loan_id,
                structure_id,
                kind,
                debit,
                credit,
                amount,
            ),
        )

    def _device_status(self, cur: Cursor, e: Any, status: str) -> None:
        cur.execute("UPDATE device_index SET status = ? WHERE id = ?", (status, str(e.originator_id)))

    def _on_EquipmentSource_Registered(self, cur: Cursor, e: Any, position: int) -> None:
        cur.execute(
            "INSERT INTO equipment_sources (id, kind, commune_insee, registered_at) VALUES (?, ?, ?, ?)",
            (str(e.originator_id), e.kind, e.commune_insee, instant(e.timestamp)),
        )

    def _on_Device_Received(self, cur: Cursor, e: Any, position: int) -> None:
        cur.execute(
            "INSERT INTO device_index (id, structure_id, kind, status, source_id) VALUES (?, ?, ?, 'received', ?)",
            (str(e.originator_id), e.structure_id, e.kind, str(e.source_id)),
        )

    def _on_Device_Refurbished(self, cur: Cursor, e: Any, position: int) -> None:
        self._device_status(cur, e, "available")

    def _on_Device_Lent(self, cur: Cursor, e: Any, position: int) -> None:
        self._device_status(cur, e, "on_loan")

    def _on_Device_CameBack(self, cur: Cursor, e: Any, position: int) -> None:
        self._device_status(cur, e, "available" if e.condition == "good" else "needs_repair")

    def _on_Device_Lost(self, cur: Cursor, e: Any, position: int) -> None:
        self._device_status(cur, e, "retired")

    def _on_Device_Retired(self, cur: Cursor, e: Any, position: int) -> None:
        self._device_status(cur, e, "retired")

    def _on_Loan_Signed(self, cur: Cursor, e: Any, position: int) -> None:
        cur.execute(
            "INSERT INTO loan_index (id, device_id, beneficiary_id, structure_id, start_on, due_on, state,"
            " deposit_cents) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)",
            (
                str(e.originator_id),
                str(e.device_id),
                str(e.beneficiary_id),
                e.structure_id,
                e.start_on.isoformat(),
                e.due_on.isoformat(),
                e.deposit_cents,
            ),
        )
        self._post(cur, e, position, 0, "deposit_held", "beneficiary", "deposits_held", e.deposit_cents)

    def _on_Loan_Extended(self, cur: Cursor, e: Any, position: int) -> None:
        cur.execute("UPDATE loan_index SET due_on = ? WHERE id = ?", (e.due_on.isoformat(), str(e.originator_id)))

    def _end(self, cur: Cursor, e: Any, state: str) -> int:
        cur.execute(
            "UPDATE loan_index SET state = ?, ended_on = ? WHERE id = ?",
            (state, e.on.isoformat(), str(e.originator_id)),
        )
        row = cur.execute("SELECT deposit_cents FROM loan_index WHERE id = ?", (str(e.originator_id),)).fetchone()
        return int(row[0])  # type: ignore[index]  # the loan's row exists

    def _on_Loan_Returned(self, cur: Cursor, e: Any, position: int) -> None:
        deposit = self._end(cur, e, "returned")
        self._post(cur, e, position, 0, "deposit_returned", "deposits_held", "beneficiary", deposit)
        self._post(cur, e, position, 1, "fees_collected", "beneficiary", "fees_collected", e.fees_cents)

    def _on_Loan_Lost(self, cur: Cursor, e: Any, position: int) -> None:
        deposit = self._end(cur, e, "lost")
        self._post(cur, e, position, 0, "deposit_kept", "deposits_held", "deposits_kept", deposit)
        self._post(cur, e, position, 1, "fees_collected", "beneficiary", "fees_collected", e.fees_cents)

    def _on_PixAssessment_Recorded(self, cur: Cursor, e: Any, position: int) -> None:
        cur.execute(
            "INSERT INTO pix_results (id, beneficiary_id, phase, score, taken_on, recorded_by) VALUES (?, ?, ?, ?, ?, ?)",
            (str(e.originator_id), str(e.beneficiary_id), e.phase, e.score, e.taken_on.isoformat(), e.recorded_by),
        )
