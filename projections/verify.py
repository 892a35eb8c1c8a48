"""``cheque-ledger verify``: recompute everything from the stored events, independently of the
projections' code, and compare; check the events against their Merkle log (``projections/merkle_check.py``:
every leaf recomputed from its stored event, the stored subtrees, the signed checkpoints).

Returns the differences found, first one first; an empty list means the ledger verifies. A projection that
failed on a stored event (``projections/failures.py``) is the first difference; its tables stop before that
event, so the journal is not compared.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.bank_accounts import mask_iban
from domain.settlement import EXECUTED, ORDERED
from ledger import merkle
from ledger.clock import PARIS
from projections.balances import ACCOUNTS as BALANCE_ACCOUNTS
from projections.balances import movement, paris_day
from projections.indicator_figures import quarter_of
from projections.merkle_check import MerkleCheck, checkpoint_sizes
from projections.structure_days import FIGURES as STRUCTURE_FIGURES

PAGE = 1000


@dataclass
class Recomputed:
    """Figures rebuilt by replaying every event, with no help from the projections."""

    committed: dict[str, int] = field(default_factory=dict)
    funder_of: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    cheques: dict[str, dict] = field(default_factory=dict)  # cheque id -> {serial, status, commitment, value}
    received: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # (commitment, Paris day recorded) -> account -> net movement: the running balances' rows
    days: dict[tuple[str, str], dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(BALANCE_ACCOUNTS, 0))
    )
    _day: str = ""
    people: dict[str, tuple[str, str, list[str]]] = field(default_factory=dict)  # id -> commune, age band, publics
    # settlement -> structure -> [count, cents, line number, masked IBAN, status, executed on, bank reference]
    settlement_lines: dict[str, dict[str, list[Any]]] = field(default_factory=dict)

    def move(self, commitment: str, debit: str, credit: str, amount: int) -> None:
        self.accounts[commitment][debit] -= amount
        self.accounts[commitment][credit] += amount
        row = self.days[(commitment, self._day)]
        for account, amount_moved in movement(debit, credit, amount).items():
            row[account] += amount_moved

    def settle(self, kind: str, settlement_id: str, e: Any) -> None:
        """A settlement's line per structure paid, as a structure's statement shows it: its number in the run
        (the transfer's EndToEndId), the account the order named (masked), the bank's execution."""
        if kind == "Settlement.Made":
            self.settlement_lines[settlement_id] = {
                str(line["structure_id"]): [line["count"], line["amount_cents"], number, None, ORDERED, None, None]
                for number, line in enumerate(e.lines, start=1)
            }
            return
        lines = self.settlement_lines.get(settlement_id, {})
        if kind == "Settlement.Ordered":
            for structure_id, payee in e.payees.items():
                if str(structure_id) in lines:
                    lines[str(structure_id)][3] = mask_iban(payee["iban"])
        elif kind == "Settlement.Executed":
            for row in lines.values():
                row[4:7] = [EXECUTED, e.executed_on.isoformat(), e.bank_reference]

    def apply(self, e: Any) -> None:
        kind = type(e).__qualname__
        cid = str(e.originator_id)
        self._day = e.timestamp.astimezone(PARIS).date().isoformat()
        if kind == "Beneficiary.Registered":
            self.people[cid] = (e.commune_insee, e.age_band, list(e.publics))
        elif kind == "Commitment.Signed":
            self.committed[cid] = e.amount_cents
            self.funder_of[cid] = e.funder_code
            self.move(cid, "funder", "available", e.amount_cents)
        elif kind.startswith("Settlement."):
            self.settle(kind, cid, e)
        elif kind == "Funder.PaymentReceived":
            self.received[e.funder_code] += e.amount_cents
        elif kind == "Cheque.Issued":
            c = {
                "serial": e.serial,
                "status": "issued",
                "commitment": str(e.commitment_id),
                "value": e.face_value_cents,
                "beneficiary": str(e.beneficiary_id),
                "issued_on": e.issued_on.isoformat(),
                "funder": e.funder_code,
                "session": None,
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
                if kind == "Cheque.Redeemed":
                    c["session"] = (e.session_date.isoformat(), e.session_kind, e.duration_minutes or 0)
                    c["structure"] = str(e.structure_id)
                elif kind == "Cheque.RedemptionReversed":
                    c["session"] = None


def verify(ledger: Any) -> tuple[list[str], str, int]:
    """(differences, the Merkle root of the stored events (hex), events checked)."""
    ledger.views.catch_up()
    failed = ledger.views.failures()
    differences = [f"{failed[name].describe()}; rebuild it once the cause is removed" for name in sorted(failed)]
    model = Recomputed()
    checked, position = 0, 0
    tree = MerkleCheck(ledger, checkpoint_sizes(ledger))
    while True:
        notifications = ledger.app.recorder.select_notifications(start=position + 1, limit=PAGE)
        if not notifications:
            break
        for n in notifications:
            position = n.id
            checked += 1
            tree.feed(n)
            try:
                model.apply(ledger.app.mapper.to_domain_event(n))
            except Exception as e:  # noqa: BLE001 - an undecodable row is itself a finding
                eid = merkle.event_id(n.originator_id, n.originator_version)
                differences.append(f"event {eid} at position {n.id} cannot be decoded ({type(e).__name__})")
    differences += tree.finish()
    if "ledger_views" not in failed:
        differences += compare_projections(ledger, model)
    if "payments" not in failed:
        differences += compare_settlement_lines(ledger, model)
    return differences, tree.root().hex(), checked


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
        by_hour = cur.execute(
            "SELECT commitment_id, SUBSTR(at, 1, 13), debit, credit, SUM(amount_cents) FROM journal"
            " GROUP BY commitment_id, SUBSTR(at, 1, 13), debit, credit"
        ).fetchall()
        stored = cur.execute(f"SELECT commitment_id, day, {', '.join(BALANCE_ACCOUNTS)} FROM balance_days").fetchall()
        status_sums = cur.execute(
            "SELECT commitment_id, status, SUM(face_value_cents) FROM cheque_index GROUP BY commitment_id, status"
        ).fetchall()
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
    out += compare_balances(model, by_hour, stored, status_sums)
    out += compare_cells(ledger, model)
    out += compare_funder_cells(ledger, model)
    out += compare_structure_totals(ledger)
    out += compare_structure_days(ledger)
    for code in sorted(set(model.received) | set(payments)):
        if int(payments.get(code, 0)) != model.received[code]:
            out.append(f"funder_payments: {code} received {payments.get(code, 0)}, events give {model.received[code]}")
    return out


def compare_balances(
    model: Recomputed, by_hour: list[tuple], stored: list[tuple], status_sums: list[tuple]
) -> list[str]:
    """The running balances (``balance_days``) against the journal and against the events, row by row
    (commitment and day); today's balances against the cheque index's sums by status."""
    from_journal: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(BALANCE_ACCOUNTS, 0))
    for commitment, hour, debit, credit, amount in by_hour:
        row = from_journal[(commitment, paris_day(hour))]
        for account, moved in movement(debit, credit, int(amount)).items():
            row[account] += moved
    rows = {(r[0], r[1]): dict(zip(BALANCE_ACCOUNTS, map(int, r[2:]), strict=True)) for r in stored}
    zero = dict.fromkeys(BALANCE_ACCOUNTS, 0)
    out = []
    for key in sorted(set(rows) | set(from_journal) | set(model.days)):
        got = rows.get(key, zero)
        for source, want in (("the journal", from_journal.get(key, zero)), ("the events", model.days.get(key, zero))):
            if got != want:
                out.append(f"balance_days: commitment {key[0]} on {key[1]} is {got}, {source} give {want}")
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (commitment, _), row in rows.items():
        for account, amount in row.items():
            totals[commitment][account] += amount
    by_status: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for commitment, status, amount in status_sums:
        by_status[commitment][status] += int(amount)
    for commitment in sorted(set(totals) | set(by_status)):
        for account, status in (("reserved", "issued"), ("redeemed", "redeemed"), ("paid", "settled")):
            if totals[commitment][account] != by_status[commitment][status]:
                out.append(
                    f"balance_days: commitment {commitment} {account} is {totals[commitment][account]},"
                    f" the cheque index gives {by_status[commitment][status]}"
                )
    return out


def recomputed_cells(model: Recomputed) -> tuple[dict[tuple, list[int]], dict[str, int]]:
    """The outcome cells (projections/outcome_cells.py) from the events: (quarter, public, commune, age band)
    -> [sessions, minutes, individual, collective, administrative_procedure, beneficiaries]; cheques by issue day."""
    kinds = ("individual", "collective", "administrative_procedure")
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * 5)
    people: dict[tuple, set[str]] = defaultdict(set)
    issued: dict[str, int] = defaultdict(int)
    for c in model.cheques.values():
        issued[c["issued_on"]] += 1
        if c["status"] not in ("redeemed", "settled") or c["session"] is None:
            continue
        day, kind, minutes = c["session"]
        commune, band, publics = model.people[c["beneficiary"]]
        for quarter in (quarter_of(day), "*"):
            for public in ["*", *(publics or ["none"])]:
                cell = cells[(quarter, public, commune, band)]
                cell[0] += 1
                cell[1] += minutes
                cell[2 + kinds.index(kind)] += 1
                people[(quarter, public, commune, band)].add(c["beneficiary"])
    return {key: [*cell, len(people[key])] for key, cell in cells.items()}, dict(issued)


def compare_cells(ledger: Any, model: Recomputed) -> list[str]:
    want, issued = recomputed_cells(model)
    with ledger.db.read() as cur:
        rows = cur.execute(
            "SELECT quarter, public, commune_insee, age_band, sessions, minutes, individual, collective,"
            " administrative_procedure, beneficiaries FROM outcome_cells"
        ).fetchall()
        stored_issued = dict(cur.execute("SELECT day, cheques FROM issued_days").fetchall())
    got = {tuple(r[:4]): [int(x) for x in r[4:]] for r in rows}
    zero = [0] * 6
    out = []
    for key in sorted(set(got) | set(want)):
        if got.get(key, zero) != want.get(key, zero):
            out.append(
                f"outcome_cells: cell {'/'.join(key)} is {got.get(key, zero)}, events give {want.get(key, zero)}"
            )
    for day in sorted(set(issued) | set(stored_issued)):
        if int(stored_issued.get(day, 0)) != issued.get(day, 0):
            out.append(f"issued_days: {day} counts {stored_issued.get(day, 0)}, events give {issued.get(day, 0)}")
    return out


def compare_funder_cells(ledger: Any, model: Recomputed) -> list[str]:
    """Each funder's outcome cells (projections/funder_cells.py) against the events."""
    kinds = ("individual", "collective", "administrative_procedure")
    want: dict[tuple, list[int]] = defaultdict(lambda: [0] * 5)
    people: dict[tuple, set[str]] = defaultdict(set)
    for c in model.cheques.values():
        if c["status"] not in ("redeemed", "settled") or c["session"] is None:
            continue
        _, kind, minutes = c["session"]
        commune = model.people[c["beneficiary"]][0]
        for key in (("*", "*"), ("structure", c["structure"]), ("commune", commune)):
            cell = want[(c["funder"], *key)]
            cell[0] += 1
            cell[1] += minutes
            cell[2 + kinds.index(kind or "individual")] += 1
            people[(c["funder"], *key)].add(c["beneficiary"])
    with ledger.db.read() as cur:
        rows = cur.execute(
            "SELECT funder_code, axis, key, sessions, minutes, individual, collective, administrative_procedure,"
            " beneficiaries FROM funder_cells"
        ).fetchall()
    got = {tuple(r[:3]): [int(x) for x in r[3:]] for r in rows}
    zero = [0] * 6
    expected = {key: [*cell, len(people[key])] for key, cell in want.items()}
    return [
        f"funder_cells: cell {'/'.join(key)} is {got.get(key, zero)}, events give {expected.get(key, zero)}"
        for key in sorted(set(got) | set(expected))
        if got.get(key, zero) != expected.get(key, zero)
    ]


def compare_structure_totals(ledger: Any) -> list[str]:
    """Each structure's running totals against its cheques' rows (checked against the events above)."""
    with ledger.db.read() as cur:
        stored = {
            r[0]: tuple(int(x) for x in r[1:])
            for r in cur.execute(
                "SELECT structure_id, redeemed_count, redeemed_cents, settled_count, settled_cents FROM structure_totals"
            ).fetchall()
        }
        counted: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for structure_id, status, n, cents in cur.execute(
            "SELECT structure_id, status, COUNT(*), SUM(face_value_cents) FROM cheque_index"
            " WHERE structure_id IS NOT NULL AND status IN ('redeemed', 'settled') GROUP BY structure_id, status"
        ).fetchall():
            at = 0 if status == "redeemed" else 2
            counted[structure_id][at : at + 2] = [int(n), int(cents)]
    out = []
    for structure_id in sorted(set(stored) | set(counted)):
        got, want = stored.get(structure_id, (0, 0, 0, 0)), tuple(counted.get(structure_id, [0, 0, 0, 0]))
        if got != want:
            out.append(f"structure_totals: structure {structure_id} is {got}, its cheques give {want}")
    return out


def compare_structure_days(ledger: Any) -> list[str]:
    """A structure's statement rows (``projections/structure_days.py``) against the journal's postings that
    name the structure: the figures of each day, each redemption's and reversal's line, each day's settled sum."""
    kinds = {"cheque_redeemed": "redeemed", "redemption_reversed": "reversed", "cheque_settled": "settled"}
    want_days: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 6)
    want_lines: set[tuple] = set()
    want_settled: dict[tuple[str, str], int] = defaultdict(int)
    with ledger.db.read() as cur:
        for structure_id, at, kind, position, serial, cents in cur.execute(
            "SELECT structure_id, at, kind, position, serial, amount_cents FROM journal WHERE structure_id IS NOT NULL"
        ).fetchall():
            key, move = (structure_id, paris_day(at)), kinds[kind]
            at_figure = 2 * ("redeemed", "reversed", "settled").index(move)
            want_days[key][at_figure] += 1
            want_days[key][at_figure + 1] += int(cents)
            if move == "settled":
                want_settled[key] += int(cents)
            else:
                want_lines.add((*key, int(position), move, serial, int(cents)))
        got_days = {
            (r[0], r[1]): [int(x) for x in r[2:]]
            for r in cur.execute(
                f"SELECT structure_id, day, {', '.join(STRUCTURE_FIGURES)} FROM structure_days"
            ).fetchall()
        }
        got_lines = {
            (r[0], r[1], int(r[2]), r[3], r[4], int(r[5]))
            for r in cur.execute(
                "SELECT structure_id, day, position, kind, serial, amount_cents FROM structure_lines"
            ).fetchall()
        }
        got_settled = {
            (r[0], r[1]): int(r[2])
            for r in cur.execute(
                "SELECT structure_id, day, SUM(amount_cents) FROM structure_settled GROUP BY structure_id, day"
            ).fetchall()
        }
    out = []
    for key in sorted(set(got_days) | set(want_days)):
        if got_days.get(key, [0] * 6) != want_days.get(key, [0] * 6):
            out.append(
                f"structure_days: structure {key[0]} on {key[1]} is {got_days.get(key)}, the journal gives {want_days.get(key)}"
            )
    for line in sorted(got_lines ^ want_lines):
        out.append(f"structure_lines: {'only stored' if line in got_lines else 'missing'}: {line}")
    for key in sorted(set(got_settled) | set(want_settled)):
        if got_settled.get(key, 0) != want_settled.get(key, 0):
            out.append(
                f"structure_settled: structure {key[0]} on {key[1]} is {got_settled.get(key, 0)}, the journal gives {want_settled.get(key, 0)}"
            )
    return out


def compare_settlement_lines(ledger: Any, model: Recomputed) -> list[str]:
    """Each settlement's line per structure (``settlement_lines`` of ``projections/payments.py``, read by a
    structure's statement) against the settlement events: count, amount, line number, masked account, payment
    status, execution day and bank reference."""
    with ledger.db.read() as cur:
        got = {
            (r[0], r[1]): [int(r[2]), int(r[3]), int(r[4]), *r[5:]]
            for r in cur.execute(
                "SELECT settlement_id, structure_id, count, amount_cents, line_number, iban_masked, payment_status,"
                " executed_on, bank_reference FROM settlement_lines"
            ).fetchall()
        }
    want = {
        (settlement, structure): row
        for settlement, rows in model.settlement_lines.items()
        for structure, row in rows.items()
    }
    return [
        f"settlement_lines: settlement {key[0]} structure {key[1]} is {got.get(key)}, events give {want.get(key)}"
        for key in sorted(set(got) | set(want))
        if got.get(key) != want.get(key)
    ]
