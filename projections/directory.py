"""Who is who, for the web pages: people's accounts (role, organisation, state: never the e-mail,
which stays sealed in the account), API keys (role, organisation, created, revoked: never the key's hash), and
each prescriber's caseload of beneficiaries, with each beneficiary's
reference (derived from its id: ``domain.codes.reference_of``), by which a structure finds the person."""

from __future__ import annotations

from typing import Any

from domain.codes import reference_of
from ledger.clock import instant
from ledger.database import Cursor
from projections.event_rows import EventRows

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS account_index (id TEXT PRIMARY KEY, role TEXT NOT NULL, org TEXT,"
    " created_at TEXT NOT NULL, disabled INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS api_key_index (id TEXT PRIMARY KEY, position BIGINT NOT NULL, role TEXT NOT NULL,"
    " org TEXT, created_at TEXT NOT NULL, revoked_at TEXT)",
    "CREATE UNIQUE INDEX IF NOT EXISTS api_key_index_position ON api_key_index (position)",
    "CREATE TABLE IF NOT EXISTS caseload (beneficiary_id TEXT PRIMARY KEY, prescriber_id TEXT NOT NULL,"
    " registered_at TEXT NOT NULL, erased INTEGER NOT NULL, reference TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS caseload_prescriber ON caseload (prescriber_id, registered_at)",
    "CREATE INDEX IF NOT EXISTS caseload_reference ON caseload (reference)",
]


KINDS = (
    "UserAccount.Created",
    "UserAccount.Disabled",
    "UserAccount.Enabled",
    "ApiKey.Created",
    "ApiKey.Revoked",
    "Beneficiary.Registered",
    "Beneficiary.Erased",
)


class Directory(EventRows):
    kinds = KINDS
    name = "directory"
    version = 3  # 2: caseload.reference; 3: api_key_index

    def schema(self) -> list[str]:
        return SCHEMA

    def tables(self) -> list[str]:
        return ["account_index", "api_key_index", "caseload"]

    def apply(self, cur: Cursor, event: Any, notification: Any) -> None:
        kind = type(event).__qualname__
        if kind not in KINDS:
            return
        oid = str(event.originator_id)
        if kind == "UserAccount.Created":
            cur.execute(
                "INSERT INTO account_index (id, role, org, created_at, disabled) VALUES (?, ?, ?, ?, 0)",
                (oid, event.role, event.org, instant(event.timestamp)),
            )
        elif kind in ("UserAccount.Disabled", "UserAccount.Enabled"):
            cur.execute("UPDATE account_index SET disabled = ? WHERE id = ?", (int(kind.endswith("Disabled")), oid))
        elif kind == "ApiKey.Created":
            cur.execute(
                "INSERT INTO api_key_index (id, position, role, org, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)",
                (oid, notification.id, event.role, event.org, instant(event.timestamp)),
            )
        elif kind == "ApiKey.Revoked":
            cur.execute("UPDATE api_key_index SET revoked_at = ? WHERE id = ?", (instant(event.timestamp), oid))
        elif kind == "Beneficiary.Registered":
            cur.execute(
                "INSERT INTO caseload (beneficiary_id, prescriber_id, registered_at, erased, reference)"
                " VALUES (?, ?, ?, 0, ?)",
                (oid, event.prescriber_id, instant(event.timestamp), reference_of(event.originator_id)),
            )
        elif kind == "Beneficiary.Erased":
            cur.execute("UPDATE caseload SET erased = 1 WHERE beneficiary_id = ?", (oid,))
