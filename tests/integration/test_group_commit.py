"""Group commit: many commands decided in one transaction, each answered with its own result."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from domain import errors
from tests import scenario as s


def run_concurrently(functions) -> list:
    results: list = [None] * len(functions)
    barrier = threading.Barrier(len(functions))

    def call(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except errors.DomainError as e:
            results[i] = e

    threads = [threading.Thread(target=call, args=(i, fn)) for i, fn in enumerate(functions)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results


def test_concurrent_commands_share_transactions_and_keep_their_own_results(make_ledger):
    ledger = make_ledger(group_commit=True)
    assert ledger.committer is not None
    w = s.world(ledger)
    cheques = [c for _ in range(4) for c in s.book(ledger, w, count=10).cheques]
    before = ledger.committer.batches
    today = ledger.today()
    calls = [lambda c=c: ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, today)) for c in cheques]
    # the same cheques again: exactly one of the two attempts on each can win
    calls += [lambda c=c: ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, today)) for c in cheques]
    # wrong codes on one more cheque: their events are saved even though the answer is a refusal
    victim = s.book(ledger, w, count=1).cheques[0]
    calls += [lambda: ledger.redeem(w.structure_actor, s.redemption(victim.serial, "XXXXXX", today))] * 6
    results = run_concurrently(calls)
    wins = Counter(r.serial for r in results if not isinstance(r, errors.DomainError))
    assert sorted(wins) == sorted(c.serial for c in cheques) and set(wins.values()) == {1}
    refusals = Counter(r.slug for r in results if isinstance(r, errors.DomainError))
    assert refusals["cheque-already-redeemed"] == len(cheques)
    # five wrong codes lock it; the sixth attempt finds it locked
    assert refusals["invalid-verification-code"] == 5 and refusals["cheque-locked"] == 1
    assert ledger.get_cheque(w.prescriber_actor, victim.serial).status == "locked"
    batches = ledger.committer.batches - before
    assert batches < len(calls), "commands were not grouped"
    rec = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert rec.balanced and rec.redeemed_cents == len(cheques) * 1000


def test_a_refused_command_leaves_nothing_half_done_in_its_batch(ledger):
    w = s.world(ledger, amount_cents=2_000)
    # two books compete for 2 cheques' worth of money: one gets them, the other is refused whole
    body = s.t.NewChequeBook(beneficiary_id=w.beneficiary.id, count=2)
    results = run_concurrently([lambda: ledger.issue_book(w.prescriber_actor, body)] * 2)
    issued = [r for r in results if not isinstance(r, errors.DomainError)]
    refused = [r for r in results if isinstance(r, errors.DomainError)]
    assert len(issued) == 1 and [r.slug for r in refused] == ["insufficient-eligible-funds"]
    rec = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert (rec.available_cents, rec.reserved_cents) == (0, 2_000) and rec.balanced


def test_without_group_commit_the_same_rules_hold(make_ledger):
    ledger = make_ledger(group_commit=False)
    assert ledger.committer is None
    w = s.world(ledger)
    c = s.book(ledger, w, count=1).cheques[0]
    results = run_concurrently(
        [lambda: ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, ledger.today()))] * 8
    )
    assert sum(1 for r in results if not isinstance(r, errors.DomainError)) == 1


def test_the_event_loop_path_answers_like_the_threaded_one(make_ledger):
    import asyncio

    import pytest

    for group_commit in (True, False):
        ledger = make_ledger(group_commit=group_commit)
        w = s.world(ledger) if group_commit else s.World(*_world_again(ledger))
        a, b = s.book(ledger, w, count=2).cheques
        today = ledger.today()

        async def both():
            return await asyncio.gather(
                ledger.redeem_async(w.structure_actor, s.redemption(a.serial, a.code, today)),
                ledger.redeem_async(w.structure_actor, s.redemption(a.serial, a.code, today)),
                ledger.redeem_async(w.structure_actor, s.redemption(b.serial, "XXXXXX", today)),
                return_exceptions=True,
            )

        first, second, wrong = asyncio.run(both())
        outcomes = [first, second]
        wins = [r for r in outcomes if not isinstance(r, Exception)]
        assert len(wins) == 1 and wins[0].serial == a.serial
        assert [r.slug for r in outcomes if isinstance(r, errors.DomainError)] == ["cheque-already-redeemed"]
        assert isinstance(wrong, errors.InvalidVerificationCode)
        with pytest.raises(errors.ChequeAlreadyRedeemed):
            asyncio.run(ledger.redeem_async(w.structure_actor, s.redemption(a.serial, a.code, today)))
        assert ledger.get_cheque(w.prescriber_actor, a.serial).status == "redeemed"


def _world_again(ledger):
    """The same world on a second ledger of the same database (its funder and structure exist)."""
    f = ledger.get_funder(s.ADMIN, "DEPT26")
    c = s.commitment(ledger, f.code, 100_000, reference="CONV-2026-02")
    st = s.structure(ledger, name="Autre structure")
    p = s.prescriber(ledger, name="Autre CCAS")
    p_actor = s.t.Actor(role="prescriber", org=str(p.id))
    b = s.beneficiary(ledger, p_actor)
    return f, c, st, s.t.Actor(role="structure", org=str(st.id)), p, p_actor, b


def test_callers_on_an_event_loop_get_their_own_answers_one_wake_up_a_batch(make_ledger, monkeypatch):
    import asyncio

    from ledger import group_commit

    ledger = make_ledger(group_commit=True)
    w = s.world(ledger)
    cheques = [c for _ in range(3) for c in s.book(ledger, w, count=10).cheques]
    today = ledger.today()
    deliveries = []
    real_deliver = group_commit.deliver
    monkeypatch.setattr(
        group_commit, "deliver", lambda answers: (deliveries.append(len(answers)), real_deliver(answers))
    )

    async def all_of_them():
        return await asyncio.gather(
            *[ledger.redeem_async(w.structure_actor, s.redemption(c.serial, c.code, today)) for c in cheques],
            *[ledger.redeem_async(w.structure_actor, s.redemption(c.serial, "XXXXXX", today)) for c in cheques[:5]],
            return_exceptions=True,
        )

    batches = ledger.committer.batches
    results = asyncio.run(all_of_them())
    assert [r.serial for r in results[: len(cheques)]] == [c.serial for c in cheques]
    # wrong codes are refused before anything else is looked at (the contract's order)
    assert {type(r) for r in results[len(cheques) :]} == {errors.InvalidVerificationCode}
    assert sum(deliveries) == len(results)
    assert len(deliveries) == ledger.committer.batches - batches < len(results), "one delivery per batch"


def test_a_caller_that_gives_up_does_not_disturb_the_others(make_ledger):
    import asyncio

    ledger = make_ledger(group_commit=True)
    w = s.world(ledger)
    a, b = s.book(ledger, w, count=2).cheques
    today = ledger.today()

    async def one_gives_up():
        gone = asyncio.ensure_future(ledger.redeem_async(w.structure_actor, s.redemption(a.serial, a.code, today)))
        kept = asyncio.ensure_future(ledger.redeem_async(w.structure_actor, s.redemption(b.serial, b.code, today)))
        await asyncio.sleep(0)
        gone.cancel()
        return await kept

    assert asyncio.run(one_gives_up()).serial == b.serial
    # the command of the caller that gave up was still decided and saved: the writer is alive and consistent
    assert ledger.get_cheque(w.prescriber_actor, a.serial).status == "redeemed"
    with pytest.raises(errors.ChequeAlreadyRedeemed):
        ledger.redeem(w.structure_actor, s.redemption(b.serial, b.code, today))
