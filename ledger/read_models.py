"""What the write side needs of the read models, declared here so that ``ledger/`` never imports
``projections/``: the composition root (``api/bootstrap.py``) hands the ledger a factory of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

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
