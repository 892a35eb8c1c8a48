"""Indicators and the observatory export, with small-cell suppression."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from ledger import types as t
from ledger.settings import Settings
from tests import scenario as s

OBSERVATORY = t.Actor(role="observatory")


def accompany(ledger, w, clock, commune: str, n: int, kind: str = "individual") -> list:
    out = []
    for _ in range(n):
        b = s.beneficiary(ledger, w.prescriber_actor, commune=commune, publics=["senior"], birth_year=1955)
        book = ledger.issue_book(w.prescriber_actor, t.NewChequeBook(beneficiary_id=b.id, count=2))
        c = book.cheques[0]
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, clock.today, kind=kind, minutes=90))
        out.append(book)
    return out


def test_export_shows_a_cell_of_six_and_suppresses_a_cell_of_two(ledger, clock):
    w = s.world(ledger)
    accompany(ledger, w, clock, s.VALENCE, 6)
    accompany(ledger, w, clock, s.DIE, 2, kind="collective")
    rows = {(r.commune_insee, r.public): r for r in ledger.observatory_export(OBSERVATORY).items}
    valence, die = rows[(s.VALENCE, "senior")], rows[(s.DIE, "senior")]
    assert (valence.quarter, valence.age_band, valence.epci) == ("2026-Q1", "65_74", "200068781")
    assert (valence.beneficiaries, valence.sessions, valence.minutes, valence.cheques_redeemed) == (6, 6, 540, 6)
    assert not valence.suppressed
    assert die.suppressed and (die.beneficiaries, die.sessions, die.minutes, die.cheques_redeemed) == (None,) * 4
    assert die.epci == "242600534"


def test_suppression_threshold_can_only_go_up(ledger, clock, monkeypatch):
    w = s.world(ledger)
    accompany(ledger, w, clock, s.VALENCE, 6)
    monkeypatch.setattr(ledger, "settings", Settings.from_env({"LEDGER_SUPPRESSION_THRESHOLD": "2"}))
    assert not ledger.observatory_export(OBSERVATORY).items[0].suppressed
    monkeypatch.setattr(ledger, "settings", Settings.from_env({"LEDGER_SUPPRESSION_THRESHOLD": "7"}))
    assert ledger.observatory_export(OBSERVATORY).items[0].suppressed


def test_indicators(ledger, clock):
    w = s.world(ledger)
    accompany(ledger, w, clock, s.VALENCE, 3)
    accompany(ledger, w, clock, s.DIE, 1, kind="administrative_procedure")
    i = ledger.indicators(OBSERVATORY)
    assert (i.beneficiaries_accompanied, i.cheques_issued, i.cheques_redeemed) == (4, 8, 4)
    assert i.redemption_rate == 0.5
    assert (i.sessions.individual, i.sessions.collective, i.sessions.administrative_procedure) == (3, 0, 1)
    assert i.minutes == 360 and i.funders == 1
    later = ledger.indicators(OBSERVATORY, date(2026, 4, 1), date(2026, 6, 30))
    assert (later.cheques_issued, later.cheques_redeemed, later.redemption_rate) == (0, 0, 0.0)
    with pytest.raises(errors.ValidationError):
        ledger.indicators(OBSERVATORY, date(2026, 6, 30), date(2026, 4, 1))
    with pytest.raises(errors.Forbidden):
        ledger.observatory_export(t.Actor(role="funder", org="DEPT26"))
    with pytest.raises(errors.Forbidden):
        ledger.indicators(w.structure_actor)


def test_pix_progress_in_the_export_by_quarter_of_the_exit(ledger, clock):
    w = s.world(ledger)
    people = [s.beneficiary(ledger, w.prescriber_actor, publics=["rsa"], birth_year=1990).id for _ in range(5)]
    for i, person in enumerate(people):
        ledger.record_pix(
            w.structure_actor, str(person), t.NewPixAssessment(phase="entry", score=100, taken_on=date(2026, 1, 10))
        )
        ledger.record_pix(
            w.structure_actor,
            str(person),
            t.NewPixAssessment(phase="exit", score=150 + 10 * i, taken_on=date(2026, 3, 2)),
        )
    lonely = s.beneficiary(ledger, w.prescriber_actor, publics=["rsa"], birth_year=1990, commune=s.DIE).id
    ledger.record_pix(
        w.structure_actor, str(lonely), t.NewPixAssessment(phase="entry", score=10, taken_on=date(2026, 1, 10))
    )
    ledger.record_pix(
        w.structure_actor, str(lonely), t.NewPixAssessment(phase="exit", score=90, taken_on=date(2026, 2, 1))
    )
    rows = {(r.commune_insee, r.quarter): r for r in ledger.observatory_export(OBSERVATORY).items}
    valence = rows[(s.VALENCE, "2026-Q1")]
    assert (valence.beneficiaries, valence.pix_pairs, valence.pix_delta_avg, valence.sessions) == (5, 5, 70.0, 0)
    die = rows[(s.DIE, "2026-Q1")]
    assert die.suppressed and die.pix_pairs is None and die.pix_delta_avg is None


def test_breakdown_by_epci_and_quarter_suppresses_small_groups(ledger, clock):
    w = s.world(ledger)
    accompany(ledger, w, clock, s.VALENCE, 6)
    accompany(ledger, w, clock, s.DIE, 2, kind="collective")
    by_epci = {r.key: r for r in ledger.breakdown(OBSERVATORY, "epci")}
    assert (by_epci["200068781"].beneficiaries, by_epci["200068781"].sessions, by_epci["200068781"].minutes) == (
        6,
        6,
        540,
    )
    assert by_epci["242600534"].suppressed and by_epci["242600534"].sessions is None
    assert by_epci["200068781"].label != "200068781", "EPCIs are named"
    (quarter,) = ledger.breakdown(OBSERVATORY, "quarter")
    assert (quarter.key, quarter.label, quarter.beneficiaries, quarter.sessions) == ("2026-Q1", "T1 2026", 8, 8)
    assert ledger.breakdown(OBSERVATORY, "quarter", date(2026, 4, 1)) == []
    with pytest.raises(errors.Forbidden):
        ledger.breakdown(w.structure_actor, "quarter")
    with pytest.raises(errors.ValidationError):
        ledger.breakdown(OBSERVATORY, "commune")
