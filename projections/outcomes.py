"""Facts the indicators and the observatory export need beyond the cheque index: who was accompanied
(coarse facts only: commune, age band, publics; never personal data) and which funders exist."""

from __future__ import annotations

from typing import Any

from ledger.clock import instant
from ledger.database import Cursor
from projections.event_rows import EventRows

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS beneficiary_facts ("
    " id TEXT PRIMARY KEY, commune_insee TEXT NOT NULL, age_band TEXT NOT NULL, publics TEXT NOT NULL,"
    " registered_at TEXT NOT NULL)",
    # a beneficiary's publics one a row, with ``*`` (all) and ``none`` (no public): the outcome cells' publics
    "CREATE TABLE IF NOT EXISTS beneficiary_publics (beneficiary_id TEXT NOT NULL, public TEXT NOT NULL,"
    " PRIMARY KEY (beneficiary_id, public))",
    "CREATE TABLE IF NOT EXISTS funder_index (code TEXT PRIMARY KEY, kind TEXT NOT NULL, registered_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS partner_index (id TEXT PRIMARY KEY, kind TEXT NOT NULL, commune_insee TEXT NOT NULL,"
    " registered_at TEXT NOT NULL)",
]


KINDS = ("Beneficiary.Registered", "Structure.Registered", "Prescriber.Registered", "Funder.Registered")


class Outcomes(EventRows):
    kinds = KINDS
    name = "outcomes"
    version = 2  # 2: beneficiary_publics

    def schema(self) -> list[str]:
        return SCHEMA

    def tables(self) -> list[str]:
        return ["beneficiary_facts", "beneficiary_publics", "funder_index", "partner_index"]

    def apply(self, cur: Cursor, event: Any, notification: Any) -> None:
        kind = type(event).__qualname__
        if kind == "Beneficiary.Registered":
            cur.execute(
                "INSERT INTO beneficiary_facts (id, commune_insee, age_band, publics, registered_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    str(event.originator_id),
                    event.commune_insee,
                    event.age_band,
                    ",".join(event.publics),
                    instant(event.timestamp),
                ),
            )
            cur.executemany(
                "INSERT INTO beneficiary_publics (beneficiary_id, public) VALUES (?, ?)",
                [(str(event.originator_id), public) for public in ["*", *(event.publics or ["none"])]],
            )
        elif kind in ("Structure.Registered", "Prescriber.Registered"):
            cur.execute(
                "INSERT INTO partner_index (id, kind, commune_insee, registered_at) VALUES (?, ?, ?, ?)",
                (str(event.originator_id), kind.split(".")[0].lower(), event.commune_insee, instant(event.timestamp)),
            )
        elif kind == "Funder.Registered":
            cur.execute(
                "INSERT INTO funder_index (code, kind, registered_at) VALUES (?, ?, ?)",
                (event.code, event.kind, instant(event.timestamp)),
            )
