"""PIX certifications, achievements and badges awarded (Action 7): what the indicators count and the pages list.

Rows hold ids, dates and scores, never personal data; a badge's credential stays in its event (the aggregate is
the truth the downloads read)."""

from __future__ import annotations

from typing import Any

from ledger.database import Cursor
from projections.runner import handles_by_name

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS pix_certifications (id TEXT PRIMARY KEY, beneficiary_id TEXT NOT NULL,"
    " score INTEGER NOT NULL, certified_on TEXT NOT NULL, recorded_by TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS pix_certification_beneficiary ON pix_certifications (beneficiary_id)",
    "CREATE TABLE IF NOT EXISTS achievements (slug TEXT PRIMARY KEY, id TEXT NOT NULL, name TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS badge_awards (id TEXT PRIMARY KEY, beneficiary_id TEXT NOT NULL,"
    " slug TEXT NOT NULL, awarded_on TEXT NOT NULL, awarded_by TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS badge_award_beneficiary ON badge_awards (beneficiary_id)",
]


class BadgeViews:
    name = "badge_views"

    def schema(self) -> list[str]:
        return SCHEMA

    def tables(self) -> list[str]:
        return ["pix_certifications", "achievements", "badge_awards"]

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
            handler(cur, event)

    def _on_PixCertification_Recorded(self, cur: Cursor, e: Any) -> None:
        cur.execute(
            "INSERT INTO pix_certifications (id, beneficiary_id, score, certified_on, recorded_by)"
            " VALUES (?, ?, ?, ?, ?)",
            (str(e.originator_id), str(e.beneficiary_id), e.score, e.certified_on.isoformat(), e.recorded_by),
        )

    def _on_Achievement_Defined(self, cur: Cursor, e: Any) -> None:
        cur.execute(
            "INSERT INTO achievements (slug, id, name) VALUES (?, ?, ?)", (e.slug, str(e.originator_id), e.name)
        )

    def _on_BadgeAward_Awarded(self, cur: Cursor, e: Any) -> None:
        cur.execute(
            "INSERT INTO badge_awards (id, beneficiary_id, slug, awarded_on, awarded_by) VALUES (?, ?, ?, ?, ?)",
            (str(e.originator_id), str(e.beneficiary_id), e.slug, e.awarded_on.isoformat(), e.awarded_by),
        )
