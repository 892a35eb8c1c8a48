"""Group commit: one writer thread decides many commands against in-memory state and saves them all
in one transaction, then answers each caller with its own result.

- Commands are decided in arrival order, as if serial: each sees the effects of those before it in the
  batch (aggregates are shared through a batch cache; a command works on copies, kept only if it
  succeeds, so a refused command leaves nothing half-done).
- Nothing is acknowledged before the batch's transaction commits.
- A batch does not wait for company: the writer takes whatever is queued when it wakes up.
- If another process changed an aggregate meanwhile (a version conflict), every command of the batch
  is decided again on its own, on the ordinary path, which reloads and retries.
- If the database goes away, every command of the batch not answered yet is answered 503
  ``service-unavailable``, and the writer goes on with the next batch. None of them is acknowledged; a
  commit whose answer was lost may have landed all the same: the same Idempotency-Key again gets its outcome.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import queue
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain import errors
from ledger.connections import service_unavailable
from ledger.decision import Decision
from ledger.key_cache import RevokedSinceCached

log = logging.getLogger("cheque_ledger.errors")


@dataclass
class Command:
    idem: Any
    decide: Any
    out_type: Any
    prefetch: list[UUID] = field(default_factory=list)
    future: Future | None = None  # a caller in a thread waits on this
    loop: asyncio.AbstractEventLoop | None = None  # a caller on an event loop awaits ``waiter`` there
    waiter: asyncio.Future | None = None
    key: Any = None  # a cached API key to check before deciding (``Ledger.verify_keys``)


class Replies:
    """Answers of one batch, each command answered once: threads' futures are resolved at once; the
    answers for callers on an event loop are handed to that loop in one call (one wake-up per batch, not
    one per command)."""

    def __init__(self) -> None:
        self.by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future, bool, Any]]] = {}
        self.answered: set[int] = set()  # ids of the commands answered

    def answer(self, command: Command, ok: bool, value: Any) -> None:
        if id(command) in self.answered:
            return
        self.answered.add(id(command))
        if command.future is not None:
            (command.future.set_result if ok else command.future.set_exception)(value)
        else:
            self.by_loop.setdefault(command.loop, []).append((command.waiter, ok, value))  # type: ignore[arg-type]

    def send(self) -> None:
        for loop, answers in self.by_loop.items():
            try:
                loop.call_soon_threadsafe(deliver, answers)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                pass
        self.by_loop = {}


def deliver(answers: list[tuple[asyncio.Future, bool, Any]]) -> None:
    for waiter, ok, value in answers:
        if not waiter.done():  # a caller that gave up (cancelled) wants no answer
            (waiter.set_result if ok else waiter.set_exception)(value)


class BatchContext:
    """Aggregates of the batch: ``committed`` holds what accepted commands left; a command works on copies.

    An aggregate with no pending events is exactly its stored state: a command may then use it without a
    copy (copying costs more than deciding). If that command is refused, whatever it borrowed is dropped,
    and loaded again from the store should a later command of the batch need it.
    """

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.committed: dict[UUID, Any] = {}
        self.working: dict[UUID, Any] = {}
        self.absent: set[UUID] = set()  # found missing by a bulk load (until a command creates them)
        self.borrowed: set[UUID] = set()  # handed to the current command without a copy

    def prefetch(self, ids: Iterable[UUID]) -> None:
        """Loads in one statement every aggregate among ``ids`` not already here."""
        wanted = [i for i in dict.fromkeys(ids) if i not in self.committed and i not in self.absent]
        if not wanted:
            return
        loaded = self.loader.load(wanted)
        self.committed.update(loaded)
        self.absent.update(i for i in wanted if i not in loaded)

    def get(self, aggregate_id: UUID) -> Any:
        if aggregate_id in self.working:
            return self.working[aggregate_id]
        base = self.committed.get(aggregate_id)
        if base is None:
            if aggregate_id in self.absent:
                raise AggregateNotFoundError(aggregate_id)
            base = self.loader.load_one(aggregate_id)
            if base is None:
                raise AggregateNotFoundError(aggregate_id)
            self.committed[aggregate_id] = base
        if base.pending_events:
            working = copy.deepcopy(base)
        else:
            working = base
            self.borrowed.add(aggregate_id)
        self.working[aggregate_id] = working
        return working

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.committed or aggregate_id in self.working

    def accept(self, objs: list[Any]) -> None:
        for aggregate in [*self.working.values(), *objs]:
            self.committed[aggregate.id] = aggregate
        self.working = {}
        self.borrowed = set()

    def reject(self) -> None:
        for aggregate_id in self.borrowed:
            self.committed.pop(aggregate_id, None)  # the refused command may have changed it
        self.working = {}
        self.borrowed = set()

    def pending(self) -> list[Any]:
        return [a for a in self.committed.values() if a.pending_events]


class Executor(Protocol):
    """What the group commit needs of the ledger: the public face of ``LedgerCore``'s execution."""

    loader: Any  # ``BulkLoader``: many aggregates in one statement
    app: Any  # the event-sourced application: ``save``

    def run_now(self, idem: Any, decide: Any, out_type: Any, prefetch: Iterable[UUID] = ()) -> Any:
        """A command on its own, in its own transaction (re-decided on a version conflict)."""
        ...

    def replay(self, idem: Any, out_type: Any) -> Any:
        """The first outcome recorded under ``idem``, or None."""
        ...

    def idempotency_record(self, idem: Any, decision: Decision) -> Any:
        """The record that saves a decision's outcome under ``idem``, in the same transaction."""
        ...

    def deciding_in(self, ctx: BatchContext | None) -> AbstractContextManager[None]:
        """Decisions made meanwhile load their aggregates from ``ctx``."""
        ...

    def verify_keys(self, keys: list[Any]) -> list[bool]:
        """Whether each API key taken from the cache is still valid."""
        ...


class GroupCommitter:
    def __init__(self, ledger: Executor, max_batch: int = 1000, gather_seconds: float = 0.0) -> None:
        self.ledger = ledger
        self.max_batch = max_batch
        # Under concurrency (the last batch had company), wait up to this long for more commands: fewer,
        # larger batches spend less of the process's time (and GIL) on each transaction's fixed costs.
        self.gather_seconds = gather_seconds
        self._last_size = 0
        self.queue: queue.Queue[Command | None] = queue.Queue()
        self.batches = 0
        self.commands = 0
        self._key_checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="key-check")
        self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
        self._thread.start()

    def is_writer(self) -> bool:
        return threading.current_thread() is self._thread

    def enqueue(self, idem: Any, decide: Any, out_type: Any, prefetch: Iterable[UUID] = ()) -> Future:
        """Queues a command; its future is resolved once its batch has committed (or it was refused)."""
        command = Command(idem, decide, out_type, list(prefetch), future=Future())
        self.queue.put(command)
        return command.future  # type: ignore[return-value]

    def submit(self, idem: Any, decide: Any, out_type: Any, prefetch: Iterable[UUID] = ()) -> Any:
        return self.enqueue(idem, decide, out_type, prefetch).result()

    def enqueue_async(
        self, idem: Any, decide: Any, out_type: Any, prefetch: Iterable[UUID] = (), key: Any = None
    ) -> asyncio.Future:
        """``enqueue`` for a caller on an event loop: the answer arrives on that loop, with its batch's."""
        loop = asyncio.get_running_loop()
        command = Command(idem, decide, out_type, list(prefetch), loop=loop, waiter=loop.create_future(), key=key)
        self.queue.put(command)
        return command.waiter  # type: ignore[return-value]

    def close(self) -> None:
        self.queue.put(None)
        self._thread.join(timeout=10)
        self._key_checker.shutdown(wait=False)

    def _loop(self) -> None:
        while True:
            first = self.queue.get()
            if first is None:
                return
            batch = [first]
            replies = Replies()
            try:
                self._gather(batch)
                self._run(batch, replies)
            except BaseException as e:  # noqa: BLE001 - every caller must hear back, and the writer live on
                failure = service_unavailable(e) or e  # the database went away: 503 to each caller
                if failure is not e:
                    log.warning(
                        "database unavailable (%s): a batch of %d commands refused", type(e).__name__, len(batch)
                    )
                for command in batch:
                    replies.answer(command, False, failure)  # those not answered yet
            replies.send()

    def _gather(self, batch: list[Command]) -> None:
        """Adds whatever is queued (waiting up to ``gather_seconds`` when the last batch had company)."""
        deadline = time.monotonic() + self.gather_seconds if self._last_size > 1 else 0.0
        while len(batch) < self.max_batch:
            try:
                remaining = deadline - time.monotonic()
                nxt = self.queue.get(timeout=remaining) if remaining > 0 else self.queue.get_nowait()
            except queue.Empty:
                break
            if nxt is None:
                self.queue.put(None)
                break
            batch.append(nxt)
        self._last_size = len(batch)

    def _check_keys(self, batch: list[Command]) -> tuple[list[Command], Future | None]:
        """Starts the revocation read for the commands whose caller was authenticated from the cache (one read,
        made after they all arrived), in a thread of its own: it runs while the batch's aggregates load."""
        keyed = [c for c in batch if c.key is not None]
        return keyed, self._key_checker.submit(self.ledger.verify_keys, [c.key for c in keyed]) if keyed else None

    @staticmethod
    def _keys_still_valid(
        batch: list[Command], checking: tuple[list[Command], Future | None], replies: Replies
    ) -> list[Command]:
        """The batch without the commands whose key was revoked since it was cached: those are refused."""
        keyed, verdicts = checking
        if verdicts is None:
            return batch
        revoked = {id(c) for c, valid in zip(keyed, verdicts.result(), strict=True) if not valid}
        for command in keyed:
            if id(command) in revoked:
                replies.answer(command, False, RevokedSinceCached())
        return [c for c in batch if id(c) not in revoked]

    def _run(self, batch: list[Command], replies: Replies) -> None:
        ledger = self.ledger
        checking = self._check_keys(batch)
        ctx = BatchContext(ledger.loader)
        decided: list[tuple[Command, str, Any]] = []
        conflicted = False
        with ledger.deciding_in(ctx):
            try:
                # Every aggregate the batch names in advance (and its idempotency records), in one statement,
                # while the keys are checked; nothing is decided before both are done.
                ctx.prefetch(
                    [i for c in batch for i in c.prefetch] + [c.idem.record_id for c in batch if c.idem is not None]
                )
                batch = self._keys_still_valid(batch, checking, replies)
                decided = [(command, *self._decide(command, ctx)) for command in batch]
                pending = ctx.pending()
                if pending:
                    ledger.app.save(*pending)
            except IntegrityError:
                conflicted = True
        if conflicted:  # another writer got there first: each command again on its own, re-decided afresh
            self._one_by_one(batch, replies)
            return
        self.batches += 1
        self.commands += len(batch)
        self._answer(decided, replies)

    def _decide(self, command: Command, ctx: BatchContext) -> tuple[str, Any]:
        """One command of the batch: ("result", its replayed answer), ("error", its exception), or ("decision",
        its Decision), the decision's objects (and its idempotency record) then accepted into ``ctx``."""
        ledger = self.ledger
        try:
            replay = ledger.replay(command.idem, command.out_type) if command.idem is not None else None
            if replay is not None:
                ctx.reject()
                return "result", replay
            decision = command.decide()
        except errors.DomainError as e:
            ctx.reject()
            if command.idem is None or e.status >= 500:
                return "error", e
            decision = Decision(error=e)  # remembered, so the key cannot serve another body
        except Exception as e:  # noqa: BLE001 - reported to its caller alone
            ctx.reject()
            return "error", e
        objs = list(decision.objs)
        if command.idem is not None:
            objs.append(ledger.idempotency_record(command.idem, decision))
        ctx.accept(objs)
        return "decision", decision

    def _one_by_one(self, batch: list[Command], replies: Replies) -> None:
        for command in batch:
            try:
                replies.answer(
                    command, True, self.ledger.run_now(command.idem, command.decide, command.out_type, command.prefetch)
                )
            except BaseException as e:  # noqa: BLE001
                replies.answer(command, False, e)

    @staticmethod
    def _answer(decided: list[tuple[Command, str, Any]], replies: Replies) -> None:
        """The batch committed: each command's reply (a decision's follow-up run first, its failure its own)."""
        for command, kind, value in decided:
            if kind == "result":
                replies.answer(command, True, value)
            elif kind == "error":
                replies.answer(command, False, value)
            else:
                if value.after_save is not None:
                    try:
                        value.after_save()
                    except Exception as e:  # noqa: BLE001 - its own command's failure; the others committed
                        replies.answer(command, False, service_unavailable(e) or e)
                        continue
                if value.error is not None:
                    replies.answer(command, False, value.error)
                else:
                    replies.answer(command, True, value.result)
