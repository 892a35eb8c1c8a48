"""Named dependencies the handlers receive (litestar 2.23+ style)."""

from __future__ import annotations

from litestar.di import NamedDependency

from ledger.ledger import Ledger
from ledger.types import Actor

LedgerDep = NamedDependency[Ledger]
ActorDep = NamedDependency[Actor]
