"""What the badge pages and endpoints list: the achievements, a beneficiary's badges and PIX certifications.
Reads achievements, badge_awards and pix_certifications (``projections/badge_views.py``); achievements are then
loaded from their aggregates, the truth.

Who sees what: the admin everything; a prescriber its own beneficiaries'; a structure what it recorded or
awarded itself (it serves people without holding their file)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.badges import Achievement
from ledger import types as t
from ledger.badge_commands import BadgeCommands, achievement_out


class BadgeReads(BadgeCommands):
    def list_achievements(self, actor: t.Actor) -> t.AchievementList:
        self._require(actor, "structure", "prescriber")
        self._fresh_views("badge_views")
        with self.db.read() as cur:
            ids = [UUID(r[0]) for r in cur.execute("SELECT id FROM achievements ORDER BY slug").fetchall()]
        return t.AchievementList(items=[achievement_out(a) for a in self._load_many(ids, Achievement, "Réalisation")])

    def _scope(self, actor: t.Actor, beneficiary_id: str, column: str) -> tuple[UUID, str, list[str]]:
        """The beneficiary's id and the condition on ``column`` (who recorded it) the actor may see."""
        self._require(actor, "structure", "prescriber")
        b = self._beneficiary_for(actor, beneficiary_id)
        if actor.role == "structure":
            return b.id, f" AND {column} = ?", [self._by(actor)]
        return b.id, "", []

    def badges_of(self, actor: t.Actor, beneficiary_id: str) -> t.BadgeList:
        bid, where, params = self._scope(actor, beneficiary_id, "b.awarded_by")
        self._fresh_views("badge_views")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT b.id, b.slug, a.name, b.awarded_on FROM badge_awards b JOIN achievements a ON a.slug = b.slug"
                f" WHERE b.beneficiary_id = ?{where} ORDER BY b.awarded_on, b.id",
                (str(bid), *params),
            ).fetchall()
        return t.BadgeList(
            items=[
                t.BadgeSummary(
                    id=UUID(i), beneficiary_id=bid, achievement=slug, name=name, awarded_on=date.fromisoformat(on)
                )
                for i, slug, name, on in rows
            ]
        )

    def pix_certifications_of(self, actor: t.Actor, beneficiary_id: str) -> t.PixCertificationList:
        bid, where, params = self._scope(actor, beneficiary_id, "recorded_by")
        self._fresh_views("badge_views")
        with self.db.read() as cur:
            rows = cur.execute(
                f"SELECT id, score, certified_on FROM pix_certifications WHERE beneficiary_id = ?{where}"
                " ORDER BY certified_on, id",
                (str(bid), *params),
            ).fetchall()
        items = [
            t.PixCertificationOut(id=UUID(i), beneficiary_id=bid, score=int(s), certified_on=date.fromisoformat(on))
            for i, s, on in rows
        ]
        return t.PixCertificationList(beneficiary_id=bid, items=items)

    def recent_by(self, actor: t.Actor, limit: int = 20) -> tuple[list[t.BadgeSummary], list[t.PixCertificationOut]]:
        """The latest badges awarded and certifications recorded by the acting structure or prescriber (the admin:
        by anyone), newest first, for its pages."""
        self._require(actor, "structure", "prescriber")
        where, params = ("", []) if actor.role == "admin" else (" WHERE {} = ?", [self._by(actor)])
        self._fresh_views("badge_views")
        with self.db.read() as cur:
            badges = cur.execute(
                "SELECT b.id, b.beneficiary_id, b.slug, a.name, b.awarded_on FROM badge_awards b"
                " JOIN achievements a ON a.slug = b.slug"
                f"{where.format('b.awarded_by')} ORDER BY b.awarded_on DESC, b.id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
            certifications = cur.execute(
                f"SELECT id, beneficiary_id, score, certified_on FROM pix_certifications{where.format('recorded_by')}"
                " ORDER BY certified_on DESC, id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return (
            [
                t.BadgeSummary(
                    id=UUID(i), beneficiary_id=UUID(b), achievement=slug, name=name, awarded_on=date.fromisoformat(on)
                )
                for i, b, slug, name, on in badges
            ],
            [
                t.PixCertificationOut(
                    id=UUID(i), beneficiary_id=UUID(b), score=int(score), certified_on=date.fromisoformat(on)
                )
                for i, b, score, on in certifications
            ],
        )
