"""Loading aggregates in bulk gives exactly what loading them one by one gives; batches decide as before."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain import errors
from domain.cheques import Cheque
from domain.ids import natural_id
from ledger import types as t
from ledger.application import SNAPSHOT_INTERVAL
from ledger.bulk_load import SQLITE_CHUNK, BulkLoader
from tests import scenario as s


def every_aggregate_id(ledger) -> list:
    notifications = ledger.app.recorder.select_notifications(start=1, limit=1_000_000)
    return list(dict.fromkeys(n.originator_id for n in notifications))


def test_bulk_load_returns_the_same_aggregates_as_the_repository(ledger):
    w = s.world(ledger, amount_cents=1_000_000)
    books = [s.book(ledger, w, count=20) for _ in range(22)]  # 440 cheques: more than one SQLite chunk
    cheques = [c for b in books for c in b.cheques]
    assert len(cheques) > SQLITE_CHUNK
    today = ledger.today()
    for c in cheques[:30]:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, today))
    with pytest.raises(errors.InvalidVerificationCode):  # a wrong code: an event all the same
        ledger.redeem(w.structure_actor, s.redemption(cheques[30].serial, "XXXXXX", today))
    ledger.cancel_cheque(w.prescriber_actor, cheques[31].serial, t.ReasonBody(reason="perdu"))
    for i in range(SNAPSHOT_INTERVAL + 5):  # past a snapshot: the snapshot and the events after it
        ledger.receive_payment(s.ADMIN, "DEPT26", t.NewPayment(amount_cents=100, received_on=today, reference=f"V{i}"))
    funder_id = natural_id("funder", "DEPT26")
    assert ledger.app.snapshots is not None and list(ledger.app.snapshots.get(funder_id))

    ids = every_aggregate_id(ledger)
    missing = [uuid4(), natural_id("cheque", "0000-0000-0")]
    loaded = BulkLoader(ledger.app).load(ids + missing + ids[:10])  # unknown ids and repeats too
    assert set(loaded) == set(ids)
    for aggregate_id in ids:
        one = ledger.app.repository.get(aggregate_id)
        many = loaded[aggregate_id]
        assert type(many) is type(one)
        assert many.__dict__ == one.__dict__, aggregate_id
    assert loaded[funder_id].version == SNAPSHOT_INTERVAL + 6
    assert BulkLoader(ledger.app).load_one(missing[0]) is None
    assert BulkLoader(ledger.app).load([]) == {}


@pytest.mark.parametrize("group_commit", [True, False])
def test_a_batch_decides_each_item_in_order_as_before(make_ledger, group_commit):
    ledger = make_ledger(group_commit=group_commit)
    w = s.world(ledger)
    a, b, c, d, e = s.book(ledger, w, count=5).cheques
    today = ledger.today()
    ledger.cancel_cheque(w.prescriber_actor, c.serial, t.ReasonBody(reason="perdu"))
    for _ in range(5):  # locks d
        with pytest.raises((errors.InvalidVerificationCode, errors.ChequeLocked)):
            ledger.redeem(w.structure_actor, s.redemption(d.serial, "XXXXXX", today))
    items = [
        s.redemption(a.serial, a.code, today),  # 0 redeemed
        s.redemption(a.serial, a.code, today),  # 1 already redeemed, in the same batch
        s.redemption(b.serial, "XXXXXX", today),  # 2 wrong code
        s.redemption(b.serial, b.code, today),  # 3 then the right one
        s.redemption(c.serial, c.code, today),  # 4 cancelled
        s.redemption(d.serial, d.code, today),  # 5 locked
        s.redemption("ZZZZ-ZZZZ-Z", "ACDEFG", today),  # 6 malformed serial
        s.redemption(e.serial.lower().replace("-", " "), e.code, today),  # 7 typed loosely: redeemed
    ]
    out = ledger.redeem_batch(w.structure_actor, t.RedemptionBatch(items=items))
    assert [r.index for r in out.results] == list(range(len(items)))
    assert [r.status for r in out.results] == [201, 409, 422, 201, 410, 423, 404, 201]
    slugs = [r.problem.type.rsplit("/", 1)[-1] if r.problem else None for r in out.results]
    assert slugs == [
        None,
        "cheque-already-redeemed",
        "invalid-verification-code",
        None,
        "cheque-cancelled",
        "cheque-locked",
        "unknown-cheque",
        None,
    ]
    assert [r.redemption.serial for r in out.results if r.redemption] == [a.serial, b.serial, e.serial]
    statuses = [ledger.get_cheque(w.prescriber_actor, x.serial).status for x in (a, b, c, d, e)]
    assert statuses == ["redeemed", "redeemed", "cancelled", "locked", "redeemed"]
    # a second batch on the same cheques: every one is refused, nothing changes
    again = ledger.redeem_batch(w.structure_actor, t.RedemptionBatch(items=items[:1] + items[3:4]))
    assert [r.status for r in again.results] == [409, 409]
    rec = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert rec.balanced and rec.redeemed_cents == 3_000


def test_a_settlement_reads_its_cheques_in_one_statement(ledger, monkeypatch):
    w = s.world(ledger)
    cheques = [c for _ in range(3) for c in s.book(ledger, w, count=10).cheques]
    for c in cheques:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, ledger.today()))
    ledger.views.catch_up()
    calls: list[list] = []
    real_load = BulkLoader.load
    monkeypatch.setattr(BulkLoader, "load", lambda self, ids: calls.append(list(ids)) or real_load(self, ids))
    out = ledger.settle(s.ADMIN, t.NewSettlement(through=ledger.today()))
    assert sum(line.count for line in out.lines) == 30
    wanted = {natural_id("cheque", c.serial) for c in cheques}
    assert [len(wanted & set(ids)) for ids in calls if wanted & set(ids)] == [30], "all 30 in one read, none alone"


def test_loading_many_refuses_a_missing_or_other_aggregate_like_loading_one(ledger):
    w = s.world(ledger)
    cheque = s.book(ledger, w, count=1).cheques[0]
    assert [c.serial for c in ledger._load_many([natural_id("cheque", cheque.serial)], Cheque, "Chèque")] == [
        cheque.serial
    ]
    for ids in ([w.structure.id], [natural_id("cheque", cheque.serial), uuid4()]):
        with pytest.raises(errors.NotFound, match="Chèque introuvable"):
            ledger._load_many(ids, Cheque, "Chèque")
