"""The composition root: the one place that wires the write side (``ledger/``) to its read models
(``projections/``). Everything that opens a ledger (the server, the command line, tests, benchmarks)
opens it here."""

from __future__ import annotations

from typing import Any

from ledger.config import DatabaseConfig
from ledger.ledger import Ledger
from projections.catalogue import projection_set


def open_ledger(config: DatabaseConfig, secret: bytes, **options: Any) -> Ledger:
    """A ledger on ``config`` with every projection (``options``: clock, territory, admin_key, group_commit)."""
    return Ledger(config, secret, views=projection_set, **options)


def ledger_from_env(**options: Any) -> Ledger:
    """A ledger from LEDGER_DATABASE_URL, LEDGER_SECRET and LEDGER_ADMIN_KEY."""
    return Ledger.from_env(views=projection_set, **options)
