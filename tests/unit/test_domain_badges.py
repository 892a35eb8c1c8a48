"""Achievements, badges awarded and PIX certifications: the domain's rules, without a database."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import errors
from domain.badges import Achievement, BadgeAward, achievement_id
from domain.pix import MAX_SCORE, PixCertification

TODAY = date(2026, 3, 16)


def achievement(slug: str = "premiers-pas") -> Achievement:
    return Achievement.define(slug=slug, name="Premiers pas", description="Sait naviguer.", criteria="Trois séances.")


def test_an_achievement_is_found_by_its_slug():
    assert achievement().id == achievement_id("premiers-pas")


@pytest.mark.parametrize("slug", ["", "a", "Premiers", "premiers pas", "-a", "a-", "a--b", "é-a", "a" * 65])
def test_a_slug_is_lower_case_letters_digits_and_single_hyphens(slug):
    with pytest.raises(errors.ValidationError) as refused:
        achievement(slug)
    assert refused.value.fields[0][0] == "slug"


@pytest.mark.parametrize("field", ["name", "description", "criteria"])
def test_texts_are_required(field):
    texts = {"name": "N", "description": "D", "criteria": "C", field: "   "}
    with pytest.raises(errors.ValidationError) as refused:
        Achievement.define(slug="ok", **texts)
    assert refused.value.fields[0][0] == field


def test_a_badge_is_awarded_on_a_day_that_has_happened():
    a = achievement()
    kwargs = dict(badge_id=uuid4(), achievement=a, beneficiary_id=uuid4(), awarded_by="admin", credential="{}")
    award = BadgeAward.award(**kwargs, awarded_on=TODAY, today=TODAY)
    assert award.slug == "premiers-pas" and award.achievement_id == a.id and award.id == kwargs["badge_id"]
    with pytest.raises(errors.ValidationError):
        BadgeAward.award(**kwargs, awarded_on=date(2026, 3, 17), today=TODAY)


@given(score=st.integers(min_value=-(10**6), max_value=10**6))
def test_a_certification_score_lies_between_0_and_1024(score):
    record = dict(beneficiary_id=uuid4(), score=score, certified_on=TODAY, recorded_by="admin", today=TODAY)
    if 0 <= score <= MAX_SCORE:
        assert PixCertification.record(**record).score == score
    else:
        with pytest.raises(errors.ValidationError):
            PixCertification.record(**record)


def test_a_certification_date_is_a_fact_date():
    for day in (date(1999, 12, 31), date(2026, 3, 17)):
        with pytest.raises(errors.ValidationError) as refused:
            PixCertification.record(beneficiary_id=uuid4(), score=1, certified_on=day, recorded_by="a", today=TODAY)
        assert refused.value.fields[0][0] == "certified_on"
