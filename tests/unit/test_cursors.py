"""The cursor of lists read newest first by position (settlements, API keys): digits, or a clear refusal."""

from __future__ import annotations

import pytest

from domain import errors
from projections.cursors import before_position


def test_no_cursor_starts_above_every_position_and_a_cursor_is_its_position():
    assert before_position(None) == before_position("") == 2**62
    assert before_position("1234") == 1234


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", "²", "١٢", "1" * 19])
def test_anything_else_is_refused_by_field_never_a_server_error(cursor):
    with pytest.raises(errors.ValidationError) as info:
        before_position(cursor)
    assert info.value.fields == [("cursor", "Curseur invalide.")]
