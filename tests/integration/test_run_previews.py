"""Previews of the settlement and expiry runs: read-only, admin only, and exactly what the run then does."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from ledger import types as t
from tests import scenario as s
from tests.scenario import ADMIN


def two_structures_redeeming(ledger, clock):
    """Cheques redeemed by two structures on several days, some cancelled, some left issued."""
    clock.today = date(2026, 2, 1)
    w = s.world(ledger)
    other = ledger.register_structure(
        ADMIN, t.NewStructure(siret=s.SIRET_FABAT, name="Autre lieu", commune_insee=s.DIE)
    )
    s.bank_account(ledger, str(other.id), 2)
    other_actor = t.Actor(role="structure", org=str(other.id))
    book = s.book(ledger, w, count=8, face_value_cents=1500)
    c = book.cheques
    clock.today = date(2026, 3, 16)
    ledger.redeem(w.structure_actor, s.redemption(c[0].serial, c[0].code, date(2026, 3, 1)))
    ledger.redeem(w.structure_actor, s.redemption(c[1].serial, c[1].code, date(2026, 3, 10)))
    ledger.redeem(other_actor, s.redemption(c[2].serial, c[2].code, date(2026, 3, 5)))
    ledger.redeem(other_actor, s.redemption(c[3].serial, c[3].code, date(2026, 3, 16)))
    ledger.cancel_cheque(w.prescriber_actor, c[4].serial, t.ReasonBody(reason="erreur"))
    return w, other, book


def test_settlement_preview_is_what_the_run_pays(ledger, clock):
    w, other, _ = two_structures_redeeming(ledger, clock)
    through = date(2026, 3, 10)
    before = ledger.position()
    preview = ledger.preview_settlement(ADMIN, through)
    assert ledger.position() == before, "a preview records nothing"
    assert preview.count == 3 and preview.total_cents == 4500
    assert {x.structure_id: (x.count, x.amount_cents) for x in preview.lines} == {
        str(w.structure.id): (2, 3000),
        str(other.id): (1, 1500),
    }
    run = ledger.settle(ADMIN, t.NewSettlement(through=through))
    assert run.total_cents == preview.total_cents

    def shown(lines):
        return [(x.structure_id, x.count, x.amount_cents) for x in lines]

    assert shown(run.lines) == shown(preview.lines), "same lines, in the same order"
    # What is left: only the session after `through`.
    later = ledger.preview_settlement(ADMIN, date(2026, 3, 16))
    assert (later.count, later.total_cents) == (1, 1500)
    assert ledger.preview_settlement(ADMIN, through).lines == []
    assert shown(ledger.settle(ADMIN, t.NewSettlement(through=date(2026, 3, 16))).lines) == shown(later.lines)


def test_expiry_preview_is_what_the_run_releases(ledger, clock):
    _, _, book = two_structures_redeeming(ledger, clock)
    valid_until = book.cheques[5].valid_until
    assert ledger.preview_expiry(ADMIN, valid_until).expired_count == 0, "valid until that day included"
    as_of = date.fromordinal(valid_until.toordinal() + 1)
    before = ledger.position()
    preview = ledger.preview_expiry(ADMIN, as_of)
    assert ledger.position() == before
    assert (preview.expired_count, preview.released_cents) == (3, 4500)
    assert [(x.funder_code, x.count, x.amount_cents) for x in preview.lines] == [("DEPT26", 3, 4500)]
    clock.today = as_of
    run = ledger.expire(ADMIN, t.NewExpiry(as_of=as_of))
    assert (run.expired_count, run.released_cents) == (preview.expired_count, preview.released_cents)
    assert ledger.preview_expiry(ADMIN, as_of).expired_count == 0
    assert ledger.reconciliation(ADMIN, "DEPT26").balanced


def test_expiry_preview_names_each_funder(ledger, clock):
    clock.today = date(2026, 2, 1)
    w = s.world(ledger, amount_cents=2000)
    s.funder(ledger, "CAF26", "caf")
    s.commitment(ledger, "CAF26", 5000, reference="CAF-2026")
    s.book(ledger, w, count=3)
    s.book(ledger, w, count=3)  # more than one commitment can fund: both funders pay for some
    expected: dict[str, tuple[int, int]] = {}
    for code in ("CAF26", "DEPT26"):
        mine = [c for c in ledger.beneficiary_cheques(ADMIN, str(w.beneficiary.id)) if c.funder_code == code]
        expected[code] = (len(mine), sum(c.face_value_cents for c in mine))
    assert all(n for n, _ in expected.values())
    preview = ledger.preview_expiry(ADMIN, date(2027, 6, 1))
    assert preview.expired_count == 6
    assert [(x.funder_code, x.count, x.amount_cents) for x in preview.lines] == [(k, *v) for k, v in expected.items()]
    clock.today = date(2027, 6, 1)
    assert ledger.expire(ADMIN, t.NewExpiry(as_of=date(2027, 6, 1))).released_cents == preview.released_cents


@pytest.mark.parametrize(
    "role, org", [("structure", "x"), ("prescriber", "x"), ("funder", "DEPT26"), ("observatory", None)]
)
def test_previews_and_lists_are_for_the_admin(ledger, clock, role, org):
    s.world(ledger)
    actor = t.Actor(role=role, org=org)
    for query in (
        lambda: ledger.preview_settlement(actor, clock.today),
        lambda: ledger.preview_expiry(actor, clock.today),
        lambda: ledger.admin_funders(actor),
        lambda: ledger.admin_structures(actor),
        lambda: ledger.admin_prescribers(actor),
        lambda: ledger.admin_cheque_counts(actor),
    ):
        with pytest.raises(errors.Forbidden):
            query()


def test_admin_lists(ledger, clock):
    w = s.world(ledger)
    s.funder(ledger, "CAF26", "caf")
    other = s.prescriber(ledger, "Association Alpha")
    s.book(ledger, w, count=2)
    assert [f.code for f in ledger.admin_funders(ADMIN)] == ["CAF26", "DEPT26"]
    assert [x.id for x in ledger.admin_structures(ADMIN)] == [w.structure.id]
    assert [p.id for p in ledger.admin_prescribers(ADMIN)] == [other.id, w.prescriber.id]
    assert ledger.admin_cheque_counts(ADMIN) == {"issued": 2}
