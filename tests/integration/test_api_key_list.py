"""The admin's list of API keys (``AccountReads.api_keys``): newest first, revoked ones marked, paged by
cursor, never the key nor its hash."""

from __future__ import annotations

import msgspec
import pytest

from domain import errors
from ledger import types as t
from tests import scenario as s


def test_keys_are_listed_newest_first_with_their_state_and_never_the_key(ledger):
    w = s.world(ledger)
    first = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="observatory"))
    second = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="prescriber", org=str(w.prescriber.id)))
    third = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="funder", org="DEPT26"))
    ledger.revoke_api_key(s.ADMIN, str(second.id))

    listed = ledger.api_keys(s.ADMIN)
    assert [k.id for k in listed.items] == [third.id, second.id, first.id] and listed.next_cursor is None
    by_id = {k.id: k for k in listed.items}
    assert (by_id[second.id].role, by_id[second.id].org, by_id[second.id].revoked) == (
        "prescriber",
        str(w.prescriber.id),
        True,
    )
    assert by_id[second.id].revoked_at is not None and by_id[second.id].revoked_at >= by_id[second.id].created_at
    assert not by_id[first.id].revoked and by_id[first.id].revoked_at is None and by_id[first.id].org is None
    text = msgspec.json.encode(listed).decode()
    assert all(k.key and k.key not in text for k in (first, second, third))
    assert ledger.api_key(s.ADMIN, str(third.id)) == by_id[third.id]


def test_keys_page_by_cursor_and_unknown_ones_are_not_found(ledger):
    made = [ledger.create_api_key(s.ADMIN, t.NewApiKey(role="observatory")).id for _ in range(5)]
    seen, cursor = [], None
    while True:
        page = ledger.api_keys(s.ADMIN, limit=2, cursor=cursor)
        seen += [k.id for k in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == made[::-1]
    with pytest.raises(errors.NotFound):
        ledger.api_key(s.ADMIN, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(errors.ValidationError):
        ledger.api_keys(s.ADMIN, cursor="abc")


@pytest.mark.parametrize("role", ["prescriber", "structure", "funder", "observatory"])
def test_only_the_admin_lists_keys(ledger, role):
    with pytest.raises(errors.Forbidden):
        ledger.api_keys(t.Actor(role=role, org="x", key_id="k"))
