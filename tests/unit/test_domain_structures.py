"""Structures with a dated accreditation history, and prescribers (domain/structures.py)."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationError
from domain.structures import Prescriber, Structure

SIRET = "73282932000074"
VALENCE = "26362"


def replay(events: list) -> Any:
    return functools.reduce(lambda aggregate, event: event.mutate(aggregate), events, None)


def register(**overrides: Any) -> Structure:
    kwargs: dict[str, Any] = dict(
        siret=SIRET, name="Fab'At Valence", commune_insee=VALENCE, labels=["eclaireurs_du_numerique"]
    )
    kwargs.update(overrides)
    return Structure.register(**kwargs)


# -- registration ----------------------------------------------------------------------------------


def test_register_structure() -> None:
    s = register(name="  Fab'At Valence ", labels=["france_services", "eclaireurs_du_numerique", "france_services"])
    assert (s.siret, s.name, s.commune_insee) == (SIRET, "Fab'At Valence", VALENCE)
    assert s.labels == ["eclaireurs_du_numerique", "france_services"]
    assert s.accredited is True
    assert s.accreditation == []
    (event,) = s.collect_events()
    assert isinstance(event, Structure.Registered)


def test_register_structure_without_labels() -> None:
    assert register(labels=[]).labels == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"siret": "73282932000075"},
        {"siret": "7328293200007"},
        {"siret": "siret"},
        {"name": ""},
        {"name": "   "},
        {"labels": ["fablab"]},
        {"labels": ["france_services", "Eclaireurs_du_numerique"]},
    ],
)
def test_register_structure_refusals(overrides: dict) -> None:
    with pytest.raises(ValidationError):
        register(**overrides)


def test_structures_with_the_same_siret_are_different_aggregates() -> None:
    """Uniqueness of a SIRET is not the aggregate's business; each registration is a new structure."""
    assert register().id != register().id


# -- accreditation history ------------------------------------------------------------------------

D1, D2, D3 = date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)


def test_accredited_from_registration_on_any_day() -> None:
    s = register()
    for day in (date(2000, 1, 1), D1, date(2100, 1, 1)):
        assert s.accredited_on(day)


def test_suspension_takes_effect_on_its_day() -> None:
    s = register()
    s.collect_events()
    s.suspend("  contrôle en cours ", D1)
    assert s.accredited is False
    assert s.accredited_on(D1 - timedelta(days=1))
    assert not s.accredited_on(D1)
    assert not s.accredited_on(D3)
    (event,) = s.collect_events()
    assert isinstance(event, Structure.AccreditationChanged)
    assert (event.accredited, event.reason, event.on) == (False, "contrôle en cours", D1)
    assert s.accreditation == [[D1.isoformat(), False, "contrôle en cours"]]


def test_reinstatement_ends_the_suspended_period() -> None:
    s = register()
    s.suspend("contrôle", D1)
    s.reinstate("contrôle levé", D2)
    assert s.accredited is True
    assert s.accredited_on(D1 - timedelta(days=1))
    assert not s.accredited_on(D1)
    assert not s.accredited_on(D2 - timedelta(days=1))
    assert s.accredited_on(D2)
    assert s.accredited_on(D3)


def test_several_suspended_periods() -> None:
    s = register()
    s.suspend("a", D1)
    s.reinstate("b", D1 + timedelta(days=10))
    s.suspend("c", D2)
    s.reinstate("d", D3)
    expectations = {
        D1 - timedelta(days=1): True,
        D1: False,
        D1 + timedelta(days=9): False,
        D1 + timedelta(days=10): True,
        D2 - timedelta(days=1): True,
        D2: False,
        D3 - timedelta(days=1): False,
        D3: True,
    }
    for day, accredited in expectations.items():
        assert s.accredited_on(day) is accredited, day


def test_decisions_on_the_same_day_last_one_wins() -> None:
    s = register()
    s.suspend("erreur", D1)
    s.reinstate("annulation de l'erreur", D1)
    assert s.accredited and s.accredited_on(D1)
    s.suspend("vraiment", D1)
    assert not s.accredited and not s.accredited_on(D1)


def test_a_decision_cannot_go_back_before_the_last_one() -> None:
    s = register()
    s.suspend("contrôle", D2)
    s.collect_events()
    with pytest.raises(ValidationError):
        s.reinstate("antidaté", D1)
    with pytest.raises(ValidationError):
        s.suspend("antidaté", D2 - timedelta(days=1))
    assert s.collect_events() == []
    assert not s.accredited and s.accredited_on(D1)


def test_the_first_decision_may_be_any_day() -> None:
    s = register()
    s.suspend("rétroactif", date(2020, 1, 1))
    assert not s.accredited_on(date(2020, 1, 1))


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_needs_a_reason(reason: str) -> None:
    s = register()
    s.collect_events()
    with pytest.raises(ValidationError):
        s.suspend(reason, D1)
    with pytest.raises(ValidationError):
        s.reinstate(reason, D1)
    assert s.accredited and s.collect_events() == []


def test_suspending_twice_and_reinstating_an_accredited_structure_are_recorded() -> None:
    s = register()
    s.reinstate("confirmation", D1)
    s.suspend("a", D2)
    s.suspend("b", D3)
    assert not s.accredited
    assert s.accredited_on(D2 - timedelta(days=1))
    assert len(s.accreditation) == 3


decisions = st.lists(st.tuples(st.integers(0, 30), st.booleans()), max_size=12)


@given(decisions=decisions, probes=st.lists(st.integers(-5, 400), min_size=1, max_size=20))
def test_accredited_on_is_the_last_decision_in_effect(decisions: list[tuple[int, bool]], probes: list[int]) -> None:
    start = date(2026, 1, 1)
    s = register()
    day = start
    history: list[tuple[date, bool]] = []
    for gap, accredited in decisions:
        day += timedelta(days=gap)
        (s.reinstate if accredited else s.suspend)("motif", day)
        history.append((day, accredited))
    for offset in probes:
        probe = start + timedelta(days=offset)
        in_effect = [a for d, a in history if d <= probe]
        assert s.accredited_on(probe) is (in_effect[-1] if in_effect else True)
    assert s.accredited is (history[-1][1] if history else True)


def test_structure_replay() -> None:
    s = register()
    events = list(s.collect_events())
    s.suspend("contrôle", D1)
    s.reinstate("levée", D2)
    events += s.collect_events()
    rebuilt = replay(events)
    assert rebuilt == s
    assert not rebuilt.accredited_on(D1) and rebuilt.accredited_on(D2)


# -- prescribers -----------------------------------------------------------------------------------


def test_register_prescriber() -> None:
    p = Prescriber.register("  CCAS de Valence ", "ccas", VALENCE)
    assert (p.name, p.kind, p.commune_insee) == ("CCAS de Valence", "ccas", VALENCE)
    events = list(p.collect_events())
    assert [type(e).__name__ for e in events] == ["Registered"]
    assert replay(events) == p


@pytest.mark.parametrize(
    "kind", ["ccas", "caf", "france_services", "department", "france_travail", "msa", "association", "other"]
)
def test_prescriber_kinds(kind: str) -> None:
    assert Prescriber.register("P", kind, VALENCE).kind == kind


@pytest.mark.parametrize(("name", "kind"), [("", "ccas"), ("  ", "ccas"), ("P", "mairie"), ("P", "CCAS")])
def test_register_prescriber_refusals(name: str, kind: str) -> None:
    with pytest.raises(ValidationError):
        Prescriber.register(name, kind, VALENCE)
