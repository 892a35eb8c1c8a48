"""The ledger service the API and the command line use: every command and query, one object."""

from __future__ import annotations

from ledger.account_commands import AccountCommands
from ledger.admin_queries import AdminQueries
from ledger.authentication import Authentication
from ledger.caseload import CaseloadQueries
from ledger.cheque_commands import ChequeCommands
from ledger.fund_commands import FundCommands
from ledger.funder_queries import FunderQueries
from ledger.lending_commands import LendingCommands
from ledger.observatory_queries import ObservatoryQueries
from ledger.redemption_commands import RedemptionCommands
from ledger.run_previews import RunPreviews
from ledger.setup_commands import SetupCommands
from ledger.structure_queries import StructureQueries


class Ledger(
    Authentication,
    SetupCommands,
    ChequeCommands,
    RedemptionCommands,
    FundCommands,
    FunderQueries,
    ObservatoryQueries,
    LendingCommands,
    AccountCommands,
    CaseloadQueries,
    StructureQueries,
    AdminQueries,
    RunPreviews,
):
    """Open with ``api.bootstrap.open_ledger`` or ``ledger_from_env`` (the composition root)."""
