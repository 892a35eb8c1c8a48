"""The chain's hash is a published format (``cheque-ledger verify`` prints the head): pinned here, so a faster
way of computing it cannot silently change it."""

from __future__ import annotations

from types import SimpleNamespace

from projections.event_chain import GENESIS, link


def test_link_hashes_previous_position_identity_topic_and_bytes():
    row = SimpleNamespace(
        id=7,
        originator_id="637aeabe-4d41-51f7-aef4-937b1e583002",
        originator_version=2,
        topic="domain.cheques:Cheque.Redeemed",
        state=b'{"a":1}',
    )
    # sha256(b"<previous>|7|<originator>|2|" + topic + b"|" + state), computed once with hashlib's updates
    assert link(GENESIS, row) == "00f5b1f598381ef10ce2745fb2feb05958c1ffcf514da1d3ae3ec452d8dc0534"
    assert link(GENESIS, SimpleNamespace(**{**vars(row), "state": b'{"a":2}'})) != link(GENESIS, row)
