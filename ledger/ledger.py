"""The write side as one object: every command (and the reads a command makes of its own aggregates).

The reads of the projections live in ``projections/`` beside the tables they query; the full facade the API
and the command line use (commands and reads) is assembled above both, in ``api/bootstrap.py``."""

from __future__ import annotations

from ledger.account_commands import AccountCommands
from ledger.authentication import Authentication
from ledger.badge_commands import BadgeCommands
from ledger.cheque_commands import ChequeCommands
from ledger.erasure_commands import ErasureCommands
from ledger.fund_commands import FundCommands
from ledger.lending_commands import LendingCommands
from ledger.payment_commands import PaymentCommands
from ledger.place_commands import PlaceCommands
from ledger.redemption_commands import RedemptionCommands
from ledger.setup_commands import SetupCommands


class LedgerCommands(
    Authentication,
    SetupCommands,
    ChequeCommands,
    RedemptionCommands,
    FundCommands,
    PaymentCommands,
    LendingCommands,
    AccountCommands,
    PlaceCommands,
    BadgeCommands,
    ErasureCommands,
):
    """Commands only. Opened with its read models by the composition root (``api.bootstrap``)."""
