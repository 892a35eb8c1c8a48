"""PIX certifications and Open Badges: achievements (admin), badges awarded to beneficiaries and their credentials."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from msgspec import Meta

from ledger.types.common import VISIBLE, FactDate, Input, Output, Text

Slug = Annotated[
    str,
    Meta(
        min_length=2,
        max_length=64,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="Lower-case letters, digits and single hyphens",
    ),
]
LongText = Annotated[str, Meta(min_length=1, max_length=2000, pattern=VISIBLE)]


class NewPixCertification(Input):
    certified_on: FactDate
    score: Annotated[int, Meta(ge=0, le=1024)]


class PixCertificationOut(Output):
    id: UUID
    beneficiary_id: UUID
    score: int
    certified_on: date


class PixCertificationList(Output):
    beneficiary_id: UUID
    items: list[PixCertificationOut]


class NewAchievement(Input):
    slug: Slug
    name: Annotated[Text, Meta(description="French name shown on the badge")]
    description: Annotated[LongText, Meta(description="French description of what the badge recognises")]
    criteria: Annotated[LongText, Meta(description="French criteria: what the person did to earn it")]


class AchievementOut(Output):
    id: UUID
    slug: str
    name: str
    description: str
    criteria: str


class AchievementList(Output):
    items: list[AchievementOut]


class NewBadge(Input):
    achievement: Annotated[Slug, Meta(description="The slug of an achievement defined by the admin")]


class BadgeOut(Output):
    id: UUID
    credential: Annotated[
        dict[str, Any],
        Meta(
            description="An Open Badges 3.0 OpenBadgeCredential (W3C VC Data Model 2.0) secured with a Data "
            "Integrity proof, cryptosuite eddsa-rdfc-2022, issued by a did:key"
        ),
    ]


class BadgeSummary(Output):
    id: UUID
    beneficiary_id: UUID
    achievement: str
    name: str
    awarded_on: date


class BadgeList(Output):
    items: list[BadgeSummary]
