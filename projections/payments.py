"""Money reaching structures, for lists and pages: the settlements (newest first), their lines by structure,
the amount of each funder they pay and whether it was executed, and the bank accounts' state (for the admin's
pending approvals). Never an IBAN in clear: the masked form only (the aggregate holds the account).

``settlement_lines`` is one row per settlement and structure paid: besides its count and amount, what a
structure's statement shows of the settlement (``projections/structure_statement.py``), so that the statement
never loads a settlement aggregate (which holds every serial it paid): the line's number in the settlement (its
transfer's ``EndToEndId``), the account it was paid to, masked, as the payment order named it (a later change of
bank details does not change it), and the settlement's payment status, execution day and bank reference, set on
every line of the settlement when its execution is recorded.

The settlements and bank accounts themselves are read from their aggregates (the truth); these tables find
them and sum them."""

from __future__ import annotations

from typing import Any

from domain.bank_accounts import mask_iban
from domain.settlement import EXECUTED, ORDERED
from ledger.clock import instant
from ledger.database import Cursor
from projections.event_rows import EventRows

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS settlements (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, made_at TEXT NOT NULL,"
    " through TEXT NOT NULL, total_cents BIGINT NOT NULL, made_on TEXT, executed_on TEXT, executed_at TEXT)",
    "CREATE UNIQUE INDEX IF NOT EXISTS settlements_seq ON settlements (seq)",
    "CREATE TABLE IF NOT EXISTS settlement_lines (settlement_id TEXT NOT NULL, structure_id TEXT NOT NULL,"
    " count INTEGER NOT NULL, amount_cents BIGINT NOT NULL, line_number INTEGER NOT NULL, iban_masked TEXT,"
    " payment_status TEXT NOT NULL, executed_on TEXT, bank_reference TEXT, PRIMARY KEY (settlement_id, structure_id))",
    "CREATE INDEX IF NOT EXISTS settlement_lines_structure ON settlement_lines (structure_id)",
    "CREATE TABLE IF NOT EXISTS settlement_funders (settlement_id TEXT NOT NULL, funder_code TEXT NOT NULL,"
    " amount_cents BIGINT NOT NULL, PRIMARY KEY (settlement_id, funder_code))",
    "CREATE INDEX IF NOT EXISTS settlement_funders_code ON settlement_funders (funder_code)",
    "CREATE TABLE IF NOT EXISTS bank_accounts (id TEXT PRIMARY KEY, owner TEXT NOT NULL, status TEXT,"
    " holder TEXT, iban_masked TEXT, submitted_at TEXT, submitted_by TEXT)",
    "CREATE INDEX IF NOT EXISTS bank_accounts_status ON bank_accounts (status)",
]

KINDS = (
    "Settlement.Made",
    "Settlement.Ordered",
    "Settlement.Executed",
    "BankAccount.Opened",
    "BankAccount.Submitted",
    "BankAccount.Approved",
    "BankAccount.Set",
)


class Payments(EventRows):
    kinds = KINDS
    name = "payments"
    version = 2  # 2: settlement_lines.line_number, iban_masked, payment_status, executed_on, bank_reference

    def schema(self) -> list[str]:
        return SCHEMA

    def tables(self) -> list[str]:
        return ["settlements", "settlement_lines", "settlement_funders", "bank_accounts"]

    def apply(self, cur: Cursor, event: Any, notification: Any) -> None:
        kind = type(event).__qualname__
        if kind not in KINDS:
            return
        oid = str(event.originator_id)
        at = instant(event.timestamp)
        if kind == "Settlement.Made":
            cur.execute(
                "INSERT INTO settlements (id, seq, made_at, through, total_cents) VALUES (?, ?, ?, ?, ?)",
                (oid, int(notification.id), at, event.through.isoformat(), int(event.total_cents)),
            )
            for number, line in enumerate(event.lines, start=1):
                cur.execute(
                    "INSERT INTO settlement_lines (settlement_id, structure_id, count, amount_cents, line_number,"
                    " payment_status) VALUES (?, ?, ?, ?, ?, ?)",
                    (oid, str(line["structure_id"]), int(line["count"]), int(line["amount_cents"]), number, ORDERED),
                )
        elif kind == "Settlement.Ordered":
            cur.execute("UPDATE settlements SET made_on = ? WHERE id = ?", (event.made_on.isoformat(), oid))
            for structure_id, payee in sorted(event.payees.items()):
                cur.execute(
                    "UPDATE settlement_lines SET iban_masked = ? WHERE settlement_id = ? AND structure_id = ?",
                    (mask_iban(payee["iban"]), oid, str(structure_id)),
                )
            for code, cents in sorted(event.by_funder.items()):
                cur.execute(
                    "INSERT INTO settlement_funders (settlement_id, funder_code, amount_cents) VALUES (?, ?, ?)",
                    (oid, str(code), int(cents)),
                )
        elif kind == "Settlement.Executed":
            cur.execute(
                "UPDATE settlements SET executed_on = ?, executed_at = ? WHERE id = ?",
                (event.executed_on.isoformat(), at, oid),
            )
            cur.execute(
                "UPDATE settlement_lines SET payment_status = ?, executed_on = ?, bank_reference = ?"
                " WHERE settlement_id = ?",
                (EXECUTED, event.executed_on.isoformat(), event.bank_reference, oid),
            )
        elif kind == "BankAccount.Opened":
            cur.execute("INSERT INTO bank_accounts (id, owner) VALUES (?, ?)", (oid, str(event.owner)))
        elif kind == "BankAccount.Submitted":
            cur.execute(
                "UPDATE bank_accounts SET status = 'pending', holder = ?, iban_masked = ?, submitted_at = ?,"
                " submitted_by = ? WHERE id = ?",
                (event.holder, mask_iban(event.iban), event.at, event.by, oid),
            )
        else:  # Approved, Set
            fields = ", holder = ?, iban_masked = ?" if kind == "BankAccount.Set" else ""
            values: tuple[Any, ...] = (event.holder, mask_iban(event.iban)) if kind == "BankAccount.Set" else ()
            cur.execute(f"UPDATE bank_accounts SET status = 'active'{fields} WHERE id = ?", (*values, oid))
