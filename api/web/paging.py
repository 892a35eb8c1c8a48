"""Search and pages over a list a page already holds (a prescriber's caseload, read and decrypted whole:
the names are encrypted, so no SQL can search them)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
PER_PAGE = 25


def folded(text: str) -> str:
    """Lower case without accents: « Chabert » finds « CHABERT », « Héloïse » finds « heloise »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Paged(Generic[T]):
    items: list[T]
    total: int
    page: int
    pages: int


def search_and_page(
    entries: Sequence[T], words: str, text_of: Callable[[T], str], page: str | None, per_page: int = PER_PAGE
) -> Paged[T]:
    """The entries whose text holds every word typed, then one page of them (1-based; a page out of range
    is the nearest)."""
    wanted = folded(words).split()
    found = [e for e in entries if all(w in folded(text_of(e)) for w in wanted)] if wanted else list(entries)
    pages = max(1, -(-len(found) // per_page))
    try:
        number = min(max(1, int(page or 1)), pages)
    except ValueError:
        number = 1
    return Paged(found[(number - 1) * per_page : number * per_page], len(found), number, pages)
