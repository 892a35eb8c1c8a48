"""Beneficiaries (domain/beneficiaries.py): a pseudonymous id and coarse facts; personal data only sealed."""

from __future__ import annotations

import dataclasses
import functools
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.beneficiaries import Beneficiary
from domain.errors import ValidationError

ON = date(2026, 3, 16)


def replay(events: list) -> Any:
    return functools.reduce(lambda aggregate, event: event.mutate(aggregate), events, None)


def register(**overrides: Any) -> Beneficiary:
    kwargs: dict[str, Any] = dict(
        beneficiary_id=uuid4(),
        prescriber_id="prescriber-1",
        birth_year=1958,
        commune_insee="26362",
        publics=["senior", "rsa", "senior"],
        sealed_personal_data="v1.nonce.ciphertext",
        on=ON,
    )
    kwargs.update(overrides)
    return Beneficiary.register(**kwargs)


def test_register_keeps_only_coarse_facts() -> None:
    bid = uuid4()
    b = register(beneficiary_id=bid)
    assert b.id == bid
    assert b.age_band == "65_74"
    assert b.publics == ["rsa", "senior"]
    assert b.commune_insee == "26362"
    assert b.erased is False
    (event,) = b.collect_events()
    assert isinstance(event, Beneficiary.Registered)
    fields = {f.name for f in dataclasses.fields(event)}
    assert "birth_year" not in fields  # only the band is recorded
    assert fields - {"originator_id", "originator_version", "timestamp", "originator_topic"} == {
        "prescriber_id",
        "age_band",
        "commune_insee",
        "publics",
        "sealed_personal_data",
    }


@pytest.mark.parametrize(
    "overrides",
    [{"sealed_personal_data": ""}, {"publics": ["homeless"]}, {"birth_year": 1800}, {"birth_year": 2030}],
)
def test_register_refusals(overrides: dict) -> None:
    with pytest.raises(ValidationError):
        register(**overrides)


def test_erase_once() -> None:
    b = register()
    events = list(b.collect_events())
    b.erase()
    assert b.erased
    events += b.collect_events()
    b.erase()  # idempotent: nothing more recorded
    assert b.collect_events() == []
    assert [type(e).__name__ for e in events] == ["Registered", "Erased"]
    assert replay(events) == b
