"""A funder's reconciliation from postings, without a database: balances, releases, cross-checks, totals."""

from __future__ import annotations

from datetime import date

from projections.reconciliation import Sources, balanced, commitment_figures, reconciliation

A, B = "00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b"
# commitment A: 1 000 € signed; 5 cheques of 10 € issued; one expired, one redeemed, one of those settled
POSTINGS = [
    (A, "funder", "available", 100_000),
    (A, "available", "reserved", 5_000),
    (A, "reserved", "available", 1_000),
    (A, "reserved", "redeemed", 2_000),
    (A, "redeemed", "paid", 1_000),
    (B, "funder", "available", 30_000),
]
COMMITMENTS = [(A, "CONV-A", 100_000), (B, "CONV-B", 30_000)]


def figures():
    return dict((str(f.id), (f, signed)) for f, signed in commitment_figures(COMMITMENTS, POSTINGS))


def test_balances_follow_the_postings_from_debit_to_credit():
    a, signed = figures()[A]
    assert signed == 100_000
    assert (a.committed_cents, a.available_cents, a.reserved_cents, a.redeemed_cents, a.paid_cents) == (
        100_000,
        96_000,
        2_000,
        1_000,
        1_000,
    )
    assert a.released_cents == 1_000  # reserved → available: the expired cheque


def test_a_commitment_without_postings_has_zero_everywhere():
    ((f, signed),) = commitment_figures([(A, "CONV-A", 500)], [])
    assert (f.committed_cents, f.available_cents, f.released_cents, signed) == (0, 0, 0, 500)
    assert not balanced(f, signed, None)  # signed for 500, nothing posted: not balanced


def test_balanced_when_the_three_sources_agree():
    a, signed = figures()[A]
    assert balanced(a, signed, None)
    agreeing = Sources(
        available_cents=96_000, released_cents=1_000, by_status={"issued": 2_000, "redeemed": 1_000, "settled": 1_000}
    )
    assert balanced(a, signed, agreeing)


def test_not_balanced_when_a_source_disagrees():
    a, signed = figures()[A]
    for wrong in (
        Sources(95_000, 1_000, {"issued": 2_000, "redeemed": 1_000, "settled": 1_000}),
        Sources(96_000, 0, {"issued": 2_000, "redeemed": 1_000, "settled": 1_000}),
        Sources(96_000, 1_000, {"issued": 3_000, "redeemed": 1_000, "settled": 1_000}),
        Sources(96_000, 1_000, {"issued": 2_000, "redeemed": 1_000}),
    ):
        assert not balanced(a, signed, wrong), wrong
    assert not balanced(a, signed + 1, None)


def test_totals_add_the_commitments():
    found = figures()
    rec = reconciliation("DEPT26", date(2026, 3, 16), 50_000, [found[A][0], found[B][0]], True)
    assert (rec.committed_cents, rec.available_cents, rec.reserved_cents, rec.redeemed_cents, rec.paid_cents) == (
        130_000,
        126_000,
        2_000,
        1_000,
        1_000,
    )
    assert (rec.received_cents, rec.released_cents, rec.balanced) == (50_000, 1_000, True)
    assert rec.committed_cents == rec.available_cents + rec.reserved_cents + rec.redeemed_cents + rec.paid_cents
