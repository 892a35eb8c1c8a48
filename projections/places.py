"""The places: every structure with what the national schema, the paper directory and the admin pages show
of it (name, SIRET, commune, labels, address, contacts, services, hours, accreditation, last update)."""

from __future__ import annotations

import json
from typing import Any

from ledger.clock import PARIS
from ledger.database import Cursor
from projections.event_rows import EventRows

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS place_index (id TEXT PRIMARY KEY, siret TEXT NOT NULL, name TEXT NOT NULL,"
    " commune_insee TEXT NOT NULL, labels TEXT NOT NULL, details TEXT, accredited INTEGER NOT NULL,"
    " updated_on TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS place_index_siret ON place_index (siret)",
    "CREATE INDEX IF NOT EXISTS place_index_commune ON place_index (commune_insee)",
]

KINDS = ("Structure.Registered", "Structure.DetailsChanged", "Structure.AccreditationChanged")


def paris_day(event: Any) -> str:
    return str(event.timestamp.astimezone(PARIS).date().isoformat())


class Places(EventRows):
    kinds = KINDS
    name = "places"

    def schema(self) -> list[str]:
        return SCHEMA

    def tables(self) -> list[str]:
        return ["place_index"]

    def apply(self, cur: Cursor, event: Any, notification: Any) -> None:
        kind = type(event).__qualname__
        if kind not in KINDS:
            return
        place_id = str(event.originator_id)
        if kind == "Structure.Registered":
            cur.execute(
                "INSERT INTO place_index (id, siret, name, commune_insee, labels, details, accredited, updated_on)"
                " VALUES (?, ?, ?, ?, ?, NULL, 1, ?)",
                (place_id, event.siret, event.name, event.commune_insee, ",".join(event.labels), paris_day(event)),
            )
        elif kind == "Structure.DetailsChanged":
            cur.execute(
                "UPDATE place_index SET name = ?, labels = ?, details = ?, updated_on = ? WHERE id = ?",
                (event.name, ",".join(event.labels), json.dumps(event.details), paris_day(event), place_id),
            )
        elif kind == "Structure.AccreditationChanged":
            cur.execute("UPDATE place_index SET accredited = ? WHERE id = ?", (1 if event.accredited else 0, place_id))
