"""The observatory's indicators computed from fetched rows (projections/indicator_figures.py). No database:
each figure is checked against a value worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from projections.indicator_figures import IndicatorRows, indicators, period_bounds, quarter_of

TODAY = date(2026, 6, 15)
EMPTY = IndicatorRows(
    cheques_issued=0, redeemed=(0, 0, 0), session_kinds=[], pix=[], loans=[], equipment_sources=0, funders=0, partners=0
)


def test_an_empty_period_counts_zero_everywhere_and_has_no_averages():
    figures = indicators(EMPTY, date(2026, 1, 1), date(2026, 3, 31), TODAY)
    assert (figures.from_, figures.to) == (date(2026, 1, 1), date(2026, 3, 31))
    assert (
        figures.cheques_issued == figures.cheques_redeemed == figures.beneficiaries_accompanied == figures.minutes == 0
    )
    assert figures.redemption_rate == 0.0  # no cheque issued: no division by zero
    assert (figures.sessions.individual, figures.sessions.collective, figures.sessions.administrative_procedure) == (
        0,
        0,
        0,
    )
    assert (figures.pix.entries, figures.pix.exits, figures.pix.pairs) == (0, 0, 0)
    assert figures.pix.entry_avg is figures.pix.exit_avg is figures.pix.delta_avg is None
    loans = figures.loans
    assert (loans.agreements_signed, loans.active, loans.overdue, loans.returned, loans.lost) == (0, 0, 0, 0, 0)
    assert loans.agreements_by_quarter == {}
    assert (figures.equipment_sources, figures.funders, figures.partners) == (0, 0, 0)


def test_the_redemption_rate_is_redeemed_over_issued_to_four_places():
    rows = replace(EMPTY, cheques_issued=3, redeemed=(2, 2, 90))
    assert indicators(rows, None, None, TODAY).redemption_rate == 0.6667  # 2 / 3 = 0.66666…
    rows = replace(EMPTY, cheques_issued=7, redeemed=(1, 1, 30))
    assert indicators(rows, None, None, TODAY).redemption_rate == 0.1429  # 1 / 7 = 0.142857…


def test_redemptions_minutes_and_counts_come_as_integers_whatever_the_driver_returns():
    # PostgreSQL's SUM gives a Decimal; the indicators are plain integers
    rows = replace(EMPTY, cheques_issued=4, redeemed=(4, 3, Decimal(225)), funders=7, partners=2, equipment_sources=4)
    figures = indicators(rows, None, None, TODAY)
    assert (figures.cheques_redeemed, figures.beneficiaries_accompanied, figures.minutes) == (4, 3, 225)
    assert type(figures.minutes) is int and figures.redemption_rate == 1.0
    assert (figures.funders, figures.partners, figures.equipment_sources) == (7, 2, 4)


def test_session_kinds_default_to_zero_and_unknown_kinds_are_left_out():
    rows = replace(EMPTY, session_kinds=[("collective", 4), ("individual", 9), ("workshop", 5)])
    sessions = indicators(rows, None, None, TODAY).sessions
    assert (sessions.individual, sessions.collective, sessions.administrative_procedure) == (9, 4, 0)


def test_pix_pairs_a_first_entry_with_the_latest_exit():
    pix = [
        ("a", "entry", 100, "2026-01-10"),
        ("a", "entry", 150, "2026-02-01"),  # a later entry: not the pair's
        ("a", "exit", 180, "2026-03-01"),
        ("a", "exit", 220, "2026-04-01"),  # the latest exit: the pair's
        ("b", "entry", 300, "2026-01-15"),
        ("b", "exit", 290, "2026-05-01"),
        ("c", "entry", 50, "2026-02-10"),  # no exit: counted as an entry, not paired
        ("d", "exit", 400, "2026-02-20"),  # no entry in the period: counted as an exit, not paired
    ]
    figures = indicators(replace(EMPTY, pix=pix), None, None, TODAY).pix
    assert (figures.entries, figures.exits, figures.pairs) == (4, 4, 2)
    assert figures.entry_avg == 200.0  # (100 + 300) / 2
    assert figures.exit_avg == 255.0  # (220 + 290) / 2
    assert figures.delta_avg == 55.0  # (120 + -10) / 2


def test_pix_averages_are_rounded_to_one_place():
    pix = [
        ("a", "entry", 10, "2026-01-01"), ("a", "exit", 11, "2026-02-01"),
        ("b", "entry", 10, "2026-01-01"), ("b", "exit", 11, "2026-02-01"),
        ("c", "entry", 11, "2026-01-01"), ("c", "exit", 13, "2026-02-01"),
    ]  # fmt: skip
    figures = indicators(replace(EMPTY, pix=pix), None, None, TODAY).pix
    assert (figures.entry_avg, figures.exit_avg, figures.delta_avg) == (10.3, 11.7, 1.3)  # 31/3, 35/3, 4/3


LOANS = [  # (start_on, due_on, state, ended_on)
    ("2026-01-10", "2026-04-10", "active", None),  # overdue from 2026-04-11
    ("2026-02-01", "2026-08-01", "active", None),
    ("2026-03-31", "2026-06-30", "returned", "2026-05-15"),
    ("2026-04-01", "2026-07-01", "lost", "2026-04-20"),
    ("2026-05-20", "2026-08-20", "active", None),  # starts after 2026-04-30
    ("2025-12-01", "2026-03-01", "returned", "2026-01-05"),  # signed before 2026
]


def test_loans_active_and_overdue_as_of_the_end_of_the_period():
    loans = indicators(replace(EMPTY, loans=LOANS), date(2026, 1, 1), date(2026, 4, 30), TODAY).loans
    assert loans.agreements_signed == 4  # the first four; not 2025's, not May's
    assert loans.agreements_by_quarter == {"2026-Q1": 3, "2026-Q2": 1}
    assert loans.active == 1  # on 2026-04-30: the second (May's has not started)
    assert loans.overdue == 1  # the first: due 2026-04-10, still active
    assert (loans.returned, loans.lost) == (1, 1)  # ended within the period, whenever signed: 2025's and April's


def test_loans_are_counted_as_of_today_when_the_period_ends_later_or_is_open():
    for end in (date(2026, 12, 31), None):
        loans = indicators(replace(EMPTY, loans=LOANS), None, end, TODAY).loans  # today: 2026-06-15
        assert loans.active == 2 and loans.overdue == 1  # the second and May's; the first
    on_the_due_day = [("2026-01-10", "2026-06-15", "active", None)]
    loans = indicators(replace(EMPTY, loans=on_the_due_day), None, None, TODAY).loans
    assert (loans.active, loans.overdue) == (1, 0)  # due today: active, not yet overdue
    not_started = [("2026-06-16", "2026-09-16", "active", None)]
    loans = indicators(replace(EMPTY, loans=not_started), None, None, TODAY).loans
    assert (loans.agreements_signed, loans.active, loans.overdue) == (1, 0, 0)


def test_period_bounds_and_quarters():
    assert period_bounds(None, None) == ("0000-01-01", "9999-12-31")
    assert period_bounds(date(2026, 1, 1), date(2026, 3, 31)) == ("2026-01-01", "2026-03-31")
    assert [quarter_of(d) for d in ("2026-01-01", "2026-03-31", "2026-04-01", "2026-12-31")] == [
        "2026-Q1", "2026-Q1", "2026-Q2", "2026-Q4"
    ]  # fmt: skip
