"""What a command decided: aggregates to save, the answer, or a refusal (which may still have effects)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from domain import errors


@dataclass
class Decision:
    """What a command decided: aggregates to save, the answer, or a refusal that still has effects."""

    objs: list[Any] = field(default_factory=list)
    result: Any = None
    error: errors.DomainError | None = None
    after_save: Callable[[], None] | None = None
