"""A structure's statement period: defaults, quick choices, and the periods refused (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import ValidationError
from domain.statement_period import QUICK_PERIODS, Period, last_month, statement_period, this_quarter, this_year

TODAY = date(2026, 12, 6)


def test_no_dates_is_this_month_up_to_today() -> None:
    assert statement_period(None, None, TODAY) == Period(date(2026, 12, 1), TODAY)


def test_a_missing_start_is_the_first_of_the_end_s_month() -> None:
    assert statement_period(None, date(2026, 10, 15), TODAY) == Period(date(2026, 10, 1), date(2026, 10, 15))
    assert statement_period(date(2026, 6, 3), None, TODAY) == Period(date(2026, 6, 3), TODAY)


def test_one_day_is_a_period() -> None:
    assert statement_period(TODAY, TODAY, TODAY) == Period(TODAY, TODAY)


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        (date(2026, 11, 10), date(2026, 11, 9), "to", "même jour que son début ou après"),
        (date(2026, 12, 1), date(2026, 12, 7), "to", "après aujourd'hui"),
        (date(2026, 12, 7), None, "from", "après aujourd'hui"),
        (date(1999, 12, 31), date(2026, 1, 1), "from", "01/01/2000"),
    ],
)
def test_refused_periods_name_their_field_in_french(start: date, end: date | None, field: str, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        statement_period(start, end, TODAY)
    [(named, message)] = refused.value.fields
    assert named == field and words in message


@pytest.mark.parametrize(
    ("today", "month", "quarter", "year"),
    [
        (date(2026, 12, 6), (date(2026, 11, 1), date(2026, 11, 30)), date(2026, 10, 1), date(2026, 1, 1)),
        (date(2027, 1, 1), (date(2026, 12, 1), date(2026, 12, 31)), date(2027, 1, 1), date(2027, 1, 1)),
        (date(2028, 3, 31), (date(2028, 2, 1), date(2028, 2, 29)), date(2028, 1, 1), date(2028, 1, 1)),
        (date(2026, 5, 20), (date(2026, 4, 1), date(2026, 4, 30)), date(2026, 4, 1), date(2026, 1, 1)),
    ],
)
def test_quick_choices(today: date, month: tuple[date, date], quarter: date, year: date) -> None:
    assert last_month(today) == Period(*month)
    assert this_quarter(today) == Period(quarter, today)
    assert this_year(today) == Period(year, today)
    for choose in QUICK_PERIODS.values():  # every quick choice is a period the ledger accepts
        chosen = choose(today)
        assert statement_period(chosen.start, chosen.end, today) == chosen
