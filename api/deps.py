"""Named dependencies the handlers receive (litestar 2.23+ style)."""

from __future__ import annotations

from typing import Annotated

from litestar.di import NamedDependency
from litestar.params import HeaderParameter

from api.bootstrap import Ledger
from ledger.types import Actor

LedgerDep = NamedDependency[Ledger]
ActorDep = NamedDependency[Actor]

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[!-~]{1,255}$",
        description="Repeating a request with the same key, API key and body returns the first response again, "
        "with no new effect; the same key with another body: 422 `idempotency-key-reuse`. Kept at least 24 hours.",
    ),
]
