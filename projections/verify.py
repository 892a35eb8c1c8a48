"""``cheque-ledger verify``: recompute everything from the stored events, independently of the
projections' code, and compare; check the events against their hash chain and their Merkle log
(``projections/merkle_check.py``: leaves, stored subtrees, signed checkpoints).

Returns the differences found, first one first; an empty list means the ledger verifies. A projection that
failed on a stored event (``projections/failures.py``) is the first difference; its tables stop before that
event, so the hash chain is checked up to it and the journal is not compared.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from projections.event_chain import GENESIS, event_id, link
from projections.merkle_check import MerkleCheck, checkpoint_sizes

PAGE = 1000


@dataclass
class Recomputed:
    """Figures rebuilt by replaying every event, with no help from the projections."""

    committed: dict[str, int] = field(default_factory=dict)
    funder_of: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    cheques: dict[str, dict] = field(default_factory=dict)  # cheque id -> {serial, status, commitment, value}
    received: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def move(self, commitment: str, debit: str, credit: str, amount: int) -> None:
        self.accounts[commitment][debit] -= amount
        self.accounts[commitment][credit] += amount

    def apply(self, e: Any) -> None:
        kind = type(e).__qualname__
        cid = str(e.originator_id)
        if kind == "Commitment.Signed":
            self.committed[cid] = e.amount_cents
            self.funder_of[cid] = e.funder_code
            self.move(cid, "funder", "available", e.amount_cents)
        elif kind == "Funder.PaymentReceived":
            self.received[e.funder_code] += e.amount_cents
        elif kind == "Cheque.Issued":
            c = {
                "serial": e.serial,
                "status": "issued",
                "commitment": str(e.commitment_id),
                "value": e.face_value_cents,
            }
            self.cheques[cid] = c
            self.move(c["commitment"], "available", "reserved", c["value"])
        elif kind.startswith("Cheque."):
            c = self.cheques[cid]
            transition = {
                "Cheque.Redeemed": ("reserved", "redeemed", "redeemed"),
                "Cheque.RedemptionReversed": ("redeemed", "reserved", "issued"),
                "Cheque.Settled": ("redeemed", "paid", "settled"),
                "Cheque.Cancelled": ("reserved", "available", "cancelled"),
                "Cheque.Expired": ("reserved", "available", "expired"),
            }.get(kind)
            if transition:
                debit, credit, status = transition
                self.move(c["commitment"], debit, credit, c["value"])
                c["status"] = status


def verify(ledger: Any) -> tuple[list[str], str, int]:
    """(differences, head hash, events checked)."""
    ledger.views.catch_up()
    failed = ledger.views.failures()
    differences = [f"{failed[name].describe()}; rebuild it once the cause is removed" for name in sorted(failed)]
    model = Recomputed()
    previous, checked, position = GENESIS, 0, 0
    unchained = failed["event_chain"].position if "event_chain" in failed else None  # the chain stops before it
    with ledger.db.read() as cur:
        chain = {
            row[0]: (row[1], row[2])
            for row in cur.execute("SELECT position, event_id, hash FROM event_chain").fetchall()
        }
    seen: set[int] = set()
    tree = MerkleCheck(ledger, checkpoint_sizes(ledger))
    while True:
        notifications = ledger.app.recorder.select_notifications(start=position + 1, limit=PAGE)
        if not notifications:
            break
        for n in notifications:
            position = n.id
            seen.add(n.id)
            checked += 1
            tree.feed(n)
            expected = chain.get(n.id)
            digest = link(previous, n)
            if unchained is not None and n.id >= unchained:
                pass
            elif expected is None:
                differences.append(f"event {event_id(n)} at position {n.id} is not in the hash chain (inserted?)")
            elif expected[0] != event_id(n) or expected[1] != digest:
                differences.append(
                    f"event {event_id(n)} at position {n.id} does not match its hash in the chain (edited?)"
                )
            previous = expected[1] if expected else digest
            try:
                model.apply(ledger.app.mapper.to_domain_event(n))
            except Exception as e:  # noqa: BLE001 - an undecodable row is itself a finding
                differences.append(f"event {event_id(n)} at position {n.id} cannot be decoded ({type(e).__name__})")
    for missing in sorted(set(chain) - seen):
        differences.append(
            f"event {chain[missing][0]} at position {missing} is missing from the event store (deleted?)"
        )
    differences += tree.finish()
    if "ledger_views" not in failed:
        differences += compare_projections(ledger, model)
    return differences, previous, checked


def compare_projections(ledger: Any, model: Recomputed) -> list[str]:
    out: list[str] = []
    with ledger.db.read() as cur:
        journal = cur.execute(
            "SELECT commitment_id, debit, credit, SUM(amount_cents) FROM journal GROUP BY commitment_id, debit, credit"
        ).fetchall()
        cheques = dict(cur.execute("SELECT cheque_id, status FROM cheque_index").fetchall())
        payments = dict(
            cur.execute("SELECT funder_code, SUM(amount_cents) FROM funder_payments GROUP BY funder_code").fetchall()
        )
        commitments = dict(cur.execute("SELECT id, amount_cents FROM commitment_index").fetchall())
    balances: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for commitment, debit, credit, amount in journal:
        balances[commitment][debit] -= int(amount)
        balances[commitment][credit] += int(amount)
    for commitment in sorted(set(model.accounts) | set(balances)):
        for account in ("funder", "available", "reserved", "redeemed", "paid"):
            want, got = model.accounts[commitment][account], balances[commitment][account]
            if want != got:
                out.append(f"journal: commitment {commitment} account {account} is {got}, events give {want}")
    for commitment, amount in sorted(model.committed.items()):
        if int(commitments.get(commitment, -1)) != amount:
            out.append(f"commitment_index: commitment {commitment} amount differs from the events ({amount})")
        aggregate = ledger.app.repository.get(UUID(commitment))
        if aggregate.available_cents != model.accounts[commitment]["available"]:
            out.append(
                f"commitment {commitment}: aggregate available {aggregate.available_cents} differs from the events"
            )
    for cheque_id, c in sorted(model.cheques.items()):
        if cheques.get(cheque_id) != c["status"]:
            out.append(f"cheque_index: cheque {c['serial']} is {cheques.get(cheque_id)!r}, events say {c['status']!r}")
    for extra in sorted(set(cheques) - set(model.cheques)):
        out.append(f"cheque_index: cheque id {extra} has no events")
    for code in sorted(set(model.received) | set(payments)):
        if int(payments.get(code, 0)) != model.received[code]:
            out.append(f"funder_payments: {code} received {payments.get(code, 0)}, events give {model.received[code]}")
    return out
