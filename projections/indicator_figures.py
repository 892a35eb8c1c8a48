"""The outcome indicators computed from the rows ``ObservatoryReads.indicators`` fetches (no database here).

Days are ISO strings as the projections store them (``YYYY-MM-DD``), so they compare as text, like in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import msgspec

from domain.pix import pix_pairs
from ledger import types as t


@dataclass(frozen=True)
class IndicatorRows:
    """What the indicators of a period are computed from, as the database returns it."""

    cheques_issued: int  # cheques issued in the period
    redeemed: tuple[
        int, int, int
    ]  # sessions (redeemed or settled cheques) in the period: count, beneficiaries, minutes
    session_kinds: list[tuple[str, int]]  # (session_kind, sessions) of those sessions
    pix: list[tuple]  # (beneficiary_id, phase, score, taken_on) of the period, by taken_on
    loans: list[tuple[str, str, str, str | None]]  # every loan: (start_on, due_on, state, ended_on)
    equipment_sources: int  # sources registered by the end of the period
    funders: int
    partners: int
    pix_certifications: int = 0  # PIX certifications passed in the period
    badges_awarded: int = 0  # badges awarded in the period


def period_bounds(start: date | None, end: date | None) -> tuple[str, str]:
    """The period as ISO days, an open end standing for all time."""
    return (start.isoformat() if start else "0000-01-01", end.isoformat() if end else "9999-12-31")


def quarter_of(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def pix_figures(rows: list[tuple]) -> t.PixFigures:
    """Entries, exits, and the averages over pairs (each beneficiary's first entry, latest exit)."""
    pairs = pix_pairs([(b, phase, int(score), on) for b, phase, score, on in rows])

    def avg(values: list[int]) -> float | None:
        return round(sum(values) / len(values), 1) if values else None

    return t.PixFigures(
        entries=sum(1 for r in rows if r[1] == "entry"),
        exits=sum(1 for r in rows if r[1] == "exit"),
        pairs=len(pairs),
        entry_avg=avg([e for e, _ in pairs.values()]),
        exit_avg=avg([x for _, x in pairs.values()]),
        delta_avg=avg([x - e for e, x in pairs.values()]),
    )


def loan_figures(loans: list[tuple[str, str, str, str | None]], low: str, high: str, day: str) -> t.LoanFigures:
    """Agreements signed and loans returned or lost in the period; loans active and overdue on ``day``."""
    signed = [start_on for start_on, _, _, _ in loans if low <= start_on <= high]
    by_quarter: dict[str, int] = defaultdict(int)
    for start_on in signed:
        by_quarter[quarter_of(start_on)] += 1
    ended: dict[str, int] = defaultdict(int)
    for _, _, state, ended_on in loans:
        if ended_on is not None and low <= ended_on <= high:
            ended[state] += 1
    return t.LoanFigures(
        agreements_signed=len(signed),
        active=sum(1 for start_on, due_on, state, _ in loans if state == "active" and start_on <= day <= due_on),
        overdue=sum(1 for _, due_on, state, _ in loans if state == "active" and due_on < day),
        returned=ended["returned"],
        lost=ended["lost"],
        agreements_by_quarter=dict(sorted(by_quarter.items())),
    )


def indicators(rows: IndicatorRows, start: date | None, end: date | None, today: date) -> t.Indicators:
    """The indicators of the period from ``start`` to ``end`` (either open); loans active and overdue are
    counted as of the period's end, or today if that is earlier."""
    low, high = period_bounds(start, end)
    day = min(end, today).isoformat() if end else today.isoformat()
    issued = int(rows.cheques_issued)
    redeemed, accompanied, minutes = (int(n) for n in rows.redeemed)
    kinds = dict(rows.session_kinds)
    return t.Indicators(
        from_=start,
        to=end,
        beneficiaries_accompanied=accompanied,
        cheques_issued=issued,
        cheques_redeemed=redeemed,
        redemption_rate=round(redeemed / issued, 4) if issued else 0.0,
        sessions=t.SessionCounts(
            individual=int(kinds.get("individual", 0)),
            collective=int(kinds.get("collective", 0)),
            administrative_procedure=int(kinds.get("administrative_procedure", 0)),
        ),
        minutes=minutes,
        pix=msgspec.structs.replace(pix_figures(rows.pix), certifications=int(rows.pix_certifications)),
        loans=loan_figures(rows.loans, low, high, day),
        equipment_sources=int(rows.equipment_sources),
        funders=int(rows.funders),
        partners=int(rows.partners),
        badges_awarded=int(rows.badges_awarded),
    )
