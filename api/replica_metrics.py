"""Prometheus counters of the read replica (``LEDGER_READ_DATABASE_URL``), on ``/metrics``:

- ``cheque_ledger_replica_reads_total{served_by}``: reads answered from the replica (``replica``) and those
  sent to the primary because the replica was behind the caller's writes past the bound, or away
  (``primary``). A growing ``primary`` share means the replica lags: look at ``pg_stat_replication``.

Nothing is reported when no replica is configured. Read from the process's memory at scrape time.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily


class ReplicaCollector:
    def __init__(self) -> None:
        self._replica: weakref.ref[Any] | None = None

    def watch(self, replica: Any) -> None:
        """The served ledger's ``ReadReplica`` (or None: nothing to report)."""
        self._replica = weakref.ref(replica) if replica is not None else None

    def collect(self) -> Iterator[CounterMetricFamily]:
        replica = self._replica() if self._replica is not None else None
        if replica is None:
            return
        reads = CounterMetricFamily(
            "cheque_ledger_replica_reads",
            "Reads routed by the read replica's freshness check, by where they were served",
            labels=["served_by"],
        )
        reads.add_metric(["replica"], float(replica.served))
        reads.add_metric(["primary"], float(replica.fell_back))
        yield reads


COLLECTOR = ReplicaCollector()
REGISTRY.register(COLLECTOR)
