"""Lists read by keyset: paging through more rows than a page, with any page size, loses no row and repeats
none, in the list's order (a structure's latest sessions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import errors
from tests import scenario as s
from tests.conftest import BACKEND


@pytest.fixture
def sessions(ledger, clock):
    """A structure's 23 sessions over 9 days, several a day (the cursor's second key breaks the ties)."""
    w = s.world(ledger)
    cheques = s.book(ledger, w, count=12).cheques + s.book(ledger, w, count=11).cheques
    start = clock.today
    clock.today = start + timedelta(days=8)
    for i, c in enumerate(cheques):
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, start + timedelta(days=i % 9)))
    return ledger, w


@settings(max_examples=15 if BACKEND == "sqlite" else 6, deadline=None, suppress_health_check=list(HealthCheck))
@given(limit=st.integers(min_value=1, max_value=24))
def test_the_latest_sessions_page_without_loss_or_repeat(sessions, limit):
    ledger, w = sessions
    sid = str(w.structure.id)
    whole = ledger.redeemed_cheques(w.structure_actor, sid, 1000)
    assert len(whole) == 23
    assert [(r.session_date, r.serial) for r in whole] == sorted(
        ((r.session_date, r.serial) for r in whole), reverse=True
    )
    paged, cursor, pages = [], None, 0
    while True:
        page, cursor = ledger.redeemed_page(w.structure_actor, sid, limit, cursor)
        assert len(page) <= limit
        paged += page
        pages += 1
        if cursor is None:
            break
    assert paged == whole
    assert pages == -(-23 // limit), "no empty last page"


def test_a_bad_cursor_or_limit_is_refused(sessions):
    ledger, w = sessions
    for cursor in ("x", "2026-01-01", "2026-01-01.a b", "٢٠٢٦-01-01.AAAA"):
        with pytest.raises(errors.ValidationError):
            ledger.redeemed_page(w.structure_actor, str(w.structure.id), 10, cursor)
    with pytest.raises(errors.ValidationError):
        ledger.redeemed_page(w.structure_actor, str(w.structure.id), 0)


@settings(max_examples=15 if BACKEND == "sqlite" else 6, deadline=None, suppress_health_check=list(HealthCheck))
@given(limit=st.integers(min_value=1, max_value=50))
def test_the_funder_journal_pages_without_loss_or_repeat(sessions, limit):
    """Postings come several to an event (same position, another seq): a cursor may fall between them."""
    ledger, _ = sessions
    whole = ledger.journal(s.ADMIN, "DEPT26", 1000)
    assert len(whole.items) == 47 and whole.next_cursor is None  # signed, 23 issued, 23 redeemed
    paged, cursor = [], None
    while True:
        page = ledger.journal(s.ADMIN, "DEPT26", limit, cursor)
        assert len(page.items) <= limit
        paged += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert paged == whole.items
