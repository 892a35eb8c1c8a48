"""The cursor of a list read newest first by a position (``?cursor=``): the position of the previous page's
last item, as digits."""

from __future__ import annotations

from domain import errors


def before_position(cursor: str | None) -> int:
    """The position a page starts below; none given: above every position."""
    if not cursor:
        return 2**62
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:  # "²".isdigit(), but int("²") fails
        raise errors.ValidationError("Curseur invalide.", field="cursor")
    return int(cursor)
