"""A funder's reconciliation computed from rows already read (no database here): the balances of each
commitment's accounts from its postings, whether they agree with the other sources, and the totals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ledger import types as t

ACCOUNTS = ("funder", "available", "reserved", "redeemed", "paid")


@dataclass(frozen=True)
class Sources:
    """What the command side (and, in tests and ``verify``, the cheque index) says of one commitment today,
    to cross-check the balances. A reconciliation leaves ``by_status`` out: summing the cheque index is a
    scan of the funder's cheques; ``verify`` compares it instead."""

    available_cents: int  # the commitment aggregate's balance
    released_cents: int  # the commitment aggregate's released total
    by_status: Mapping[str, int] | None = None  # the cheque index: face value by cheque status


def commitment_figures(
    commitments: Iterable[tuple[str, str, int]], postings: Iterable[tuple[str, str, str, int]]
) -> list[tuple[t.CommitmentFigures, int]]:
    """Each commitment's figures from the sums of its postings ``(commitment_id, debit, credit, amount)``,
    with the amount it was signed for. Money moves from the debited account to the credited one; a
    posting from reserved back to available is a release (expiry, cancellation)."""
    balance: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ACCOUNTS, 0))
    released: dict[str, int] = defaultdict(int)
    for commitment_id, debit, credit, amount in postings:
        balance[commitment_id][debit] -= int(amount)
        balance[commitment_id][credit] += int(amount)
        if debit == "reserved" and credit == "available":
            released[commitment_id] += int(amount)
    figures = []
    for commitment_id, reference, amount_cents in commitments:
        b = balance[commitment_id]
        figures.append(
            (
                t.CommitmentFigures(
                    id=UUID(commitment_id),
                    reference=reference,
                    committed_cents=-b["funder"],
                    available_cents=b["available"],
                    reserved_cents=b["reserved"],
                    redeemed_cents=b["redeemed"],
                    paid_cents=b["paid"],
                    released_cents=released[commitment_id],
                ),
                int(amount_cents),
            )
        )
    return figures


def balance_figures(
    commitments: Iterable[tuple[str, str, int]], balances: Mapping[str, Mapping[str, int]]
) -> list[tuple[t.CommitmentFigures, int]]:
    """Each commitment's figures from its summed balance rows (``projections/balances.py``: account → cents,
    ``funder`` negative by what was signed), with the amount it was signed for."""
    figures = []
    for commitment_id, reference, amount_cents in commitments:
        b = balances.get(commitment_id) or dict.fromkeys(ACCOUNTS + ("released",), 0)
        figure = t.CommitmentFigures(
            id=UUID(commitment_id),
            reference=reference,
            committed_cents=-b["funder"],
            available_cents=b["available"],
            reserved_cents=b["reserved"],
            redeemed_cents=b["redeemed"],
            paid_cents=b["paid"],
            released_cents=b["released"],
        )
        figures.append((figure, int(amount_cents)))
    return figures


def balanced(figure: t.CommitmentFigures, signed_cents: int, sources: Sources | None) -> bool:
    """committed = what was signed = available + reserved + redeemed + paid; and, for today's figures, the
    same balances as the commitment aggregate and the cheque index (three independent sources)."""
    ok = figure.committed_cents == signed_cents and figure.committed_cents == (
        figure.available_cents + figure.reserved_cents + figure.redeemed_cents + figure.paid_cents
    )
    if sources is not None:
        ok &= sources.available_cents == figure.available_cents
        ok &= sources.released_cents == figure.released_cents
    if sources is not None and sources.by_status is not None:
        ok &= sources.by_status.get("issued", 0) == figure.reserved_cents
        ok &= sources.by_status.get("redeemed", 0) == figure.redeemed_cents
        ok &= sources.by_status.get("settled", 0) == figure.paid_cents
    return ok


def reconciliation(
    code: str, as_of: date, received_cents: int, figures: list[t.CommitmentFigures], is_balanced: bool
) -> t.Reconciliation:
    def total(name: str) -> int:
        return sum(getattr(f, name) for f in figures)

    return t.Reconciliation(
        funder_code=code,
        as_of=as_of,
        committed_cents=total("committed_cents"),
        received_cents=received_cents,
        available_cents=total("available_cents"),
        reserved_cents=total("reserved_cents"),
        redeemed_cents=total("redeemed_cents"),
        paid_cents=total("paid_cents"),
        released_cents=total("released_cents"),
        balanced=is_balanced,
        commitments=figures,
    )
