"""The composition root: the one place that wires the write side (``ledger/``) to its read models
(``projections/``). Everything that opens a ledger (the server, the command line, tests, benchmarks)
opens it here.

``Ledger`` is the full facade: the commands (``ledger.ledger.LedgerCommands``) and the reads of every read
model. It can only be assembled here, above both sides, since ``ledger/`` never imports ``projections/``."""

from __future__ import annotations

from typing import Any

from ledger.config import DatabaseConfig
from ledger.ledger import LedgerCommands
from projections.account_reads import AccountReads
from projections.admin_reads import AdminReads
from projections.badge_reads import BadgeReads
from projections.caseload import CaseloadReads
from projections.catalogue import projection_set
from projections.command_reads import LedgerViewsCommandReads
from projections.funder_outcomes import FunderOutcomeReads
from projections.funder_reads import FunderReads
from projections.lending_reads import LendingReads
from projections.observatory_reads import ObservatoryReads
from projections.open_data_reads import OpenDataReads
from projections.payment_reads import PaymentReads
from projections.place_reads import PlaceReads
from projections.run_previews import RunPreviews
from projections.structure_reads import StructureReads
from projections.structure_statement import StructureStatementReads


class Ledger(
    LedgerCommands,
    FunderReads,
    FunderOutcomeReads,
    ObservatoryReads,
    PlaceReads,
    OpenDataReads,
    CaseloadReads,
    StructureReads,
    StructureStatementReads,
    AdminReads,
    RunPreviews,
    LendingReads,
    AccountReads,
    BadgeReads,
    PaymentReads,
):
    """Every command and every read, one object. Open with ``open_ledger`` or ``ledger_from_env``."""


def open_ledger(config: DatabaseConfig, secret: bytes, **options: Any) -> Ledger:
    """A ledger on ``config`` with every projection (``options``: clock, territory, admin_key, group_commit)."""
    return Ledger(config, secret, views=projection_set, command_reads=LedgerViewsCommandReads, **options)


def ledger_from_env(**options: Any) -> Ledger:
    """A ledger from LEDGER_DATABASE_URL, LEDGER_SECRET and LEDGER_ADMIN_KEY."""
    return Ledger.from_env(views=projection_set, command_reads=LedgerViewsCommandReads, **options)
