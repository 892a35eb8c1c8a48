"""Open Badges: the achievements the fund recognises (defined by the admin) and the badges awarded for them.

A badge's credential (an Open Badges 3.0 ``OpenBadgeCredential``, signed) is built and signed on the write side
(``ledger/badge_commands.py``); the domain keeps the rules and the facts: who was awarded what, when, by whom."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.ids import natural_id
from domain.values import check_fact_date

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 64
MAX_NAME = 200
MAX_TEXT = 2000


def achievement_id(slug: str) -> UUID:
    return natural_id("achievement", slug)


def _text(value: str, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise errors.ValidationError(f"Texte de 1 à {limit} caractères attendu.", field=field)
    return value.strip()


class Achievement(Aggregate):
    """What a badge recognises: a slug (its key), a French name, a description and the criteria to meet."""

    @classmethod
    def define(cls, *, slug: str, name: str, description: str, criteria: str) -> Achievement:
        if not isinstance(slug, str) or not 2 <= len(slug) <= MAX_SLUG or not SLUG.match(slug):
            raise errors.ValidationError(
                f"Identifiant de 2 à {MAX_SLUG} caractères : minuscules, chiffres et tirets.", field="slug"
            )
        return cls(
            slug=slug,
            name=_text(name, "name", MAX_NAME),
            description=_text(description, "description", MAX_TEXT),
            criteria=_text(criteria, "criteria", MAX_TEXT),
        )

    @staticmethod
    def create_id(slug: str, **_: object) -> UUID:
        return achievement_id(slug)

    @event("Defined")
    def __init__(self, slug: str, name: str, description: str, criteria: str) -> None:
        self.slug = slug
        self.name = name
        self.description = description
        self.criteria = criteria


class BadgeAward(Aggregate):
    """A badge awarded to a beneficiary for an achievement, with its signed credential (JSON text). The
    credential names the person by a salted hash only."""

    @classmethod
    def award(
        cls,
        *,
        badge_id: UUID,
        achievement: Achievement,
        beneficiary_id: UUID,
        awarded_by: str,
        awarded_on: date,
        credential: str,
        today: date,
    ) -> BadgeAward:
        check_fact_date(awarded_on, today, "awarded_on")
        if not credential:
            raise errors.ValidationError("Le badge n'a pas de justificatif signé.")
        return cls(
            badge_id=badge_id,
            achievement_id=achievement.id,
            slug=achievement.slug,
            beneficiary_id=beneficiary_id,
            awarded_by=awarded_by,
            awarded_on=awarded_on,
            credential=credential,
        )

    @staticmethod
    def create_id(badge_id: UUID, **_: object) -> UUID:
        return badge_id

    @event("Awarded")
    def __init__(
        self,
        badge_id: UUID,
        achievement_id: UUID,
        slug: str,
        beneficiary_id: UUID,
        awarded_by: str,
        awarded_on: date,
        credential: str,
    ) -> None:
        self.achievement_id = achievement_id
        self.slug = slug
        self.beneficiary_id = beneficiary_id
        self.awarded_by = awarded_by
        self.awarded_on = awarded_on
        self.credential = credential
