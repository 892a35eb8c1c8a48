"""The shape most projections share: rows written event by event, nothing buffered across a batch."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

Cursor = Any


class EventRows:
    """Writes its rows as each event is applied: no batch to prepare or flush. Decodes the events whose kind
    (``Aggregate.Event``) is in ``kinds``; ``apply`` ignores the others."""

    kinds: Collection[str] = ()

    def begin(self, cur: Cursor) -> None:
        pass

    def flush(self, cur: Cursor) -> None:
        pass

    def decodes(self, topic: str) -> bool:
        return topic.rpartition(":")[2] in self.kinds

    def handles(self, topic: str) -> bool:
        """``apply`` writes nothing for the other kinds: the runner does not call it for them."""
        return self.decodes(topic)
