"""Settlement runs: the fund pays structures for redeemed cheques."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class Settlement(Aggregate):
    id: UUID  # given by the run, which stamps it on each cheque it settles

    @event("Made")
    def __init__(self, through: date, lines: list[dict[str, Any]], total_cents: int) -> None:
        """``lines``: [{structure_id, count, amount_cents, serials}] sorted by structure."""
        self.through = through
        self.lines = lines
        self.total_cents = total_cents


def settlement_lines(cheques: list[Any]) -> tuple[list[dict[str, Any]], int]:
    """Groups redeemed cheques by structure; amounts are the cheques' face values."""
    by_structure: dict[str, dict[str, Any]] = {}
    for c in cheques:
        line = by_structure.setdefault(
            c.redeemed_by, {"structure_id": c.redeemed_by, "count": 0, "amount_cents": 0, "serials": []}
        )
        line["count"] += 1
        line["amount_cents"] += c.face_value_cents
        line["serials"].append(c.serial)
    lines = [by_structure[k] for k in sorted(by_structure)]
    return lines, sum(line["amount_cents"] for line in lines)
