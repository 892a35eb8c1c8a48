"""What the write side needs of the read models, declared here so that ``ledger/`` never imports
``projections/``: the composition root (``api/bootstrap.py``) hands the ledger a factory of each.

- ``ReadModels``: the projections themselves (their head, read-your-writes, failures, start and stop);
- ``CommandReads``: the few reads a command makes of their tables (implemented in ``projections/command_reads.py``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import Application

from ledger.database import Database


class ReadModelsFailed(Exception):
    """A read needs read models that failed on a stored event; ``failures`` describes each (no values)."""

    def __init__(self, failures: Sequence[Any]) -> None:
        super().__init__("; ".join(f.describe() for f in failures))
        self.failures = list(failures)


class ReadModels(Protocol):
    """The projections fed from the event log (``projections/runner.py``: ``ProjectionSet``)."""

    def head(self) -> int:
        """The newest position of the event log."""
        ...

    def wait_for(self, position: int, timeout: float, names: Sequence[str] | None = None) -> bool:
        """Read-your-writes: the named read models (default all) have applied ``position``; False after
        ``timeout`` seconds; ``ReadModelsFailed`` if one of them failed."""
        ...

    def failures(self) -> Mapping[str, Any]:
        """The failed read models, seen by any process."""
        ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


ReadModelsFactory = Callable[[Application, Database], ReadModels]


class CommandReads(Protocol):
    """What commands ask of the read models: candidates only. The command loads each from its aggregate,
    which has the last word (an index a little behind proposes too much or too little, never decides)."""

    @property
    def sources(self) -> Sequence[str]:
        """The read models these reads query: a command waits for them to be fresh before asking (read-your-writes)."""
        ...

    def eligible_commitment_ids(self, day: date) -> list[UUID]:
        """Commitments valid on ``day`` (publics and territory are checked on the aggregates)."""
        ...

    def cheques_to_settle(self, through: date) -> list[str]:
        """Serials of the redeemed cheques whose session date is on or before ``through``."""
        ...

    def cheques_to_expire(self, as_of: date) -> list[str]:
        """Serials of the still-issued cheques valid until a day before ``as_of``."""
        ...

    def beneficiaries_with_reference(self, reference: str) -> list[UUID]:
        """Beneficiaries (not erased) whose reference (``domain.codes.reference_of``) is ``reference``."""
        ...


CommandReadsFactory = Callable[[Database], CommandReads]
