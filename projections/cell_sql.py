"""What the observatory's cells (``outcome_cells.py``) and the funders' cells (``funder_cells.py``) sum the same
way: a batch row ``v`` (a session or its reversal, ``v.sign`` ±1) over the cheque's row ``c``."""

from __future__ import annotations

from domain.values import SessionKind

KINDS = tuple(kind.value for kind in SessionKind)  # a column of sessions for each
MINUTES = "COALESCE(v.duration_minutes, c.duration_minutes, 0)"


def sums(kind: str) -> str:
    """The sums a cell adds for a batch: sessions, minutes, then sessions of each kind (``kind``: its SQL)."""
    return (
        "SUM(v.sign), SUM(v.sign * "
        + MINUTES
        + "), "
        + ", ".join(f"SUM(CASE WHEN {kind} = '{k}' THEN v.sign ELSE 0 END)" for k in KINDS)
    )


def added(table: str) -> str:
    """The ``ON CONFLICT … DO UPDATE SET`` list adding a batch's sums to a cell already there."""
    return ", ".join(f"{a} = {table}.{a} + excluded.{a}" for a in ("sessions", "minutes", *KINDS))
