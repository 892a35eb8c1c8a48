"""The read models this ledger keeps: every projection, in the order a batch applies them."""

from __future__ import annotations

from eventsourcing.application import Application

from ledger.database import Database
from projections.badge_views import BadgeViews
from projections.directory import Directory
from projections.ledger_views import LedgerViews
from projections.lending_views import LendingViews
from projections.outcomes import Outcomes
from projections.payments import Payments
from projections.places import Places
from projections.runner import ProjectionSet


def projection_set(app: Application, db: Database) -> ProjectionSet:
    return ProjectionSet(
        app,
        db,
        [LedgerViews(), Outcomes(), LendingViews(), BadgeViews(), Directory(), Places(), Payments()],
    )
