"""A structure's statement covers a period of Paris days, both ends included: by default this month up to
today; never after today (a statement of the future would only show zeros that later change); never ending
before it starts. The quick choices people use: last month, this quarter, this year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import ValidationError
from domain.values import check_day


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def statement_period(start: date | None, end: date | None, today: date) -> Period:
    """The period asked for, its missing ends filled (``end``: today; ``start``: the first day of ``end``'s
    month). Refusals name the faulty field, in French."""
    end = today if end is None else end
    start = first_of_month(end) if start is None else start
    check_day(start, "from")
    check_day(end, "to")
    if start > today:
        raise ValidationError("Le début de la période ne peut pas être après aujourd'hui.", field="from")
    if end > today:
        raise ValidationError("La fin de la période ne peut pas être après aujourd'hui.", field="to")
    if end < start:
        raise ValidationError("La fin de la période doit être le même jour que son début ou après.", field="to")
    return Period(start, end)


def last_month(today: date) -> Period:
    end = first_of_month(today) - timedelta(days=1)
    return Period(first_of_month(end), end)


def this_quarter(today: date) -> Period:
    return Period(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)


def this_year(today: date) -> Period:
    return Period(date(today.year, 1, 1), today)


QUICK_PERIODS = {
    "Ce mois-ci": lambda today: Period(first_of_month(today), today),
    "Le mois dernier": last_month,
    "Ce trimestre": this_quarter,
    "Cette année": this_year,
}
