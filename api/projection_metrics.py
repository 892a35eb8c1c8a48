"""Prometheus gauges of the projections, on ``/metrics`` (prometheus_client's default registry):

- ``cheque_ledger_projection_failed{projection}``: 1 when the projection failed on a stored event (it stays
  so until rebuilt), else 0;
- ``cheque_ledger_projection_position{projection}``: the last position of the event log this process saw
  it reach.

Read from the process's memory at scrape time, no database access (the scrape runs on the event loop): each
server worker's background catch-up meets a failing event itself within a tick.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily


class ProjectionCollector:
    def __init__(self) -> None:
        self._views: weakref.ref[Any] | None = None

    def watch(self, views: Any) -> None:
        """The projection set to report (the served ledger's)."""
        self._views = weakref.ref(views)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        views = self._views() if self._views is not None else None
        if views is None:
            return
        failed = GaugeMetricFamily(
            "cheque_ledger_projection_failed",
            "1 when the projection failed on a stored event (until rebuilt), else 0",
            labels=["projection"],
        )
        position = GaugeMetricFamily(
            "cheque_ledger_projection_position",
            "The last position of the event log this process saw the projection reach",
            labels=["projection"],
        )
        down, seen = views.failed_here(), views.seen_positions()
        for name in views.projections:
            failed.add_metric([name], 1.0 if name in down else 0.0)
            if name in seen:
                position.add_metric([name], float(seen[name]))
        yield failed
        yield position


COLLECTOR = ProjectionCollector()
REGISTRY.register(COLLECTOR)
