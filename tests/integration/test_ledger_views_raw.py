"""ledger_views reads its events' stored JSON directly; fed the mapper's decoded events instead, the same
handlers must write exactly the same rows, for every kind of event it handles."""

from __future__ import annotations

from datetime import date
from typing import Any

from api.demo import load_demo
from projections.ledger_views import LedgerViews
from tests import scenario as s

TABLES = {
    "journal": "position, seq",
    "cheque_index": "serial",
    "commitment_index": "id",
    "funder_payments": "position",
}
KINDS = {
    "commitment_signed",
    "cheque_issued",
    "cheque_redeemed",
    "redemption_reversed",
    "cheque_settled",
    "cheque_cancelled",
    "cheque_expired",
}


class DecodedLedgerViews(LedgerViews):
    """The same handlers, fed the application mapper's events (UUIDs, dates and datetimes as objects)."""

    def decodes(self, topic: str) -> bool:
        return True

    def apply(self, cur: Any, event: Any, notification: Any) -> None:
        handler = self.handler(notification.topic)
        if handler is not None:
            handler(cur, dict(event.__dict__), notification)


def rows(ledger) -> dict[str, list[tuple]]:
    with ledger.db.read() as cur:
        return {
            table: [tuple(r) for r in cur.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()]
            for table, order in TABLES.items()
        }


def every_kind_of_event(ledger, code: str = "TEST26") -> None:
    """A reversal and a cancellation (besides what the demo does), on a funder of their own."""
    f = s.funder(ledger, code, "state")
    c = s.commitment(ledger, f.code, 100_000, reference=f"{code}-2026")
    structure = s.structure(ledger, name="Structure de test")
    p = s.prescriber(ledger, name="CCAS de test")
    p_actor = s.t.Actor(role="prescriber", org=str(p.id))
    w = s.World(
        f, c, structure, s.t.Actor(role="structure", org=str(structure.id)), p, p_actor, s.beneficiary(ledger, p_actor)
    )
    a, b, c = s.book(ledger, w, count=3).cheques
    redemption = ledger.redeem(w.structure_actor, s.redemption(a.serial, a.code, ledger.today()))
    ledger.reverse_redemption(w.structure_actor, redemption.id, s.t.ReasonBody(reason="erreur de saisie"))
    ledger.cancel_cheque(w.prescriber_actor, b.serial, s.t.ReasonBody(reason="perdu"))
    ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, ledger.today()))


def test_raw_and_decoded_events_give_the_same_rows(make_ledger, clock):
    clock.today = date(2026, 11, 28)
    ledger = make_ledger()
    load_demo(ledger)  # a year of everything: payments, books, redemptions, settlements, expiries
    every_kind_of_event(ledger)
    ledger.views.rebuild("ledger_views")
    raw = rows(ledger)
    assert {r[3] for r in raw["journal"]} >= KINDS, "every handler ran"
    assert raw["funder_payments"] and raw["commitment_index"]

    ledger.views.projections["ledger_views"] = DecodedLedgerViews()
    ledger.views.rebuild("ledger_views")
    assert rows(ledger) == raw
