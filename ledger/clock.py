"""Time as the ledger speaks it: "today" is the Europe/Paris date; stored instants are UTC text that sorts
as it reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_today() -> date:
    return datetime.now(PARIS).date()


def instant(at: datetime) -> str:
    """UTC instants as fixed-width text, so they sort and compare as strings (``…T10:00:00.000000Z``)."""
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")[:26] + "Z"  # strftime costs 4× more, once per posting


def end_of_day_utc(day: date) -> str:
    """The first instant after ``day`` in Europe/Paris, as a UTC instant string (the calendar's last day
    has no day after it: its end is the latest instant there is)."""
    if day >= date.max - timedelta(days=1):
        return instant(datetime.combine(date.max, time.max, UTC))
    return instant(datetime.combine(day + timedelta(days=1), time(0), PARIS))
