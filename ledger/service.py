"""The ledger's command side: one method per command of the contract.

Every command is a *decision* (load aggregates, apply domain rules, return what to save and
what to answer) run by :meth:`Ledger._execute`, which saves everything in one transaction,
re-decides on a version conflict, and records the outcome for idempotency in that same
transaction.
"""

from __future__ import annotations

import functools
import hmac
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import anyio.to_thread
import msgspec
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain import errors
from domain.codes import looks_like_reference, normalize_reference
from domain.values import check_fact_date
from ledger.application import EventStoreApp, eventsourcing_env
from ledger.audit import AuditLog
from ledger.bulk_load import BulkLoader
from ledger.clock import paris_today
from ledger.config import DatabaseConfig, load_secret, load_signing_key
from ledger.connections import database_unavailable
from ledger.database import Database
from ledger.decision import Decision
from ledger.erasure_list import ErasureList, erasure_list_path
from ledger.group_commit import BatchContext, GroupCommitter
from ledger.idempotency import Idem, IdempotencyRecord, Outcome, OutcomeSealer
from ledger.key_cache import KeyCache
from ledger.merkle_migration import migrate
from ledger.merkle_store import backfill
from ledger.personal_data import KeyVault
from ledger.read_models import CommandReads, CommandReadsFactory, ReadModelsFactory, ReadModelsFailed
from ledger.replica import ReadReplica
from ledger.settings import Settings
from ledger.territory import Territory, default_territory
from ledger.types import Actor
from ledger.web_sessions import FailedSignIns, SessionStore

T = TypeVar("T")
A = TypeVar("A")
MAX_ATTEMPTS = 20
SCHEMA_LOCK = 0x636C_6564  # "cled": the advisory lock id for schema creation
READ_WAIT_SECONDS = 5.0


def parse_position_cursor(cursor: str | None) -> tuple[int, int]:
    """Journal cursors are ``<position>.<seq>`` of the last posting returned."""
    if not cursor:
        return (0, -1)
    try:
        position, seq = (int(part) for part in cursor.split("."))
    except ValueError:
        raise errors.ValidationError("Curseur invalide.") from None
    if not (0 <= position < 2**63 and -1 <= seq < 2**31):
        raise errors.ValidationError("Curseur invalide.")
    return (position, seq)


@contextmanager
def schema_lock(config: DatabaseConfig) -> Iterator[None]:
    """PostgreSQL: an advisory lock around schema creation. eventsourcing's recorder runs ``CREATE OR REPLACE
    FUNCTION`` at every start, and two processes doing so at once fail with "tuple concurrently updated"
    (seen in the cross-process race test; two server workers start together too)."""
    if config.kind != "postgres":
        yield
        return
    import psycopg

    with psycopg.connect(config.conninfo(), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


def _of_kind(aggregate: Any, kind: type[A], what: str) -> A:
    """The aggregate if it is a ``kind``; NotFound if it is missing (None) or another kind."""
    if not isinstance(aggregate, kind):
        raise errors.NotFound(f"{what} introuvable.")
    return aggregate


class LedgerCore:
    wall_clock: Callable[[], float] = staticmethod(time.time)  # type: ignore[assignment]

    def __init__(
        self,
        config: DatabaseConfig,
        secret: bytes,
        *,
        views: ReadModelsFactory,
        command_reads: CommandReadsFactory,
        clock: Callable[[], date] = paris_today,
        territory: Territory | None = None,
        admin_key: str | None = None,
        group_commit: bool | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.config = config
        self.secret = secret
        self.clock = clock
        self.admin_key = admin_key
        self.territory = territory or default_territory()
        self.erasures = ErasureList(erasure_list_path(config, self.settings.erasure_list))
        with schema_lock(config):  # processes starting together must not create the schema at once
            self.app = EventStoreApp(env=eventsourcing_env(config))
            self.db = Database(config)
            self.events_table: str = getattr(self.app.recorder, "events_table_name")  # noqa: B009 - both stores have it
            migrate(self.db, self.events_table)  # the former Merkle layout (a row per leaf)
            backfill(self.db, self.app.recorder)  # a database from before the Merkle log: seal its events once
            self.key_cache: KeyCache[Actor | None] = KeyCache(self.db)
            self.vault = KeyVault(self.db)
            self.sessions = SessionStore(self.db, lambda: self.wall_clock())
            self.failed_sign_ins = FailedSignIns(self.db)
            self.views = views(self.app, self.db)
        url = self.settings.read_database_url
        self.replica = ReadReplica(config, url) if url else None  # heavy reads (ledger/replica.py)
        self.command_reads = command_reads(self.db)
        self.loader = BulkLoader(self.app)
        self.sealer = OutcomeSealer(secret)
        self.audit = AuditLog(self.db, lambda: self._signing_seed, lambda: self.wall_clock(), self.events_table)
        self._batch = threading.local()
        if group_commit is None:
            group_commit = self.settings.group_commit
        gather = self.settings.group_commit_gather_seconds
        # The Executor protocol wants verify_keys: Authentication's, there in the assembled Ledger only.
        self.committer = GroupCommitter(self, gather_seconds=gather) if group_commit else None  # type: ignore[arg-type]

    @functools.cached_property
    def _signing_seed(self) -> bytes:
        """The checkpoint signing key (LEDGER_SIGNING_KEY, or on SQLite the one kept beside the database), read
        once, when first needed."""
        return load_signing_key(self.config, self.settings.signing_key)

    @classmethod
    def from_env(cls, settings: Settings | None = None, **kwargs: Any) -> Any:
        settings = settings or Settings.from_env()
        config = DatabaseConfig.from_url(settings.database_url)
        load_signing_key(config, settings.signing_key)  # refuse to start without it on PostgreSQL
        return cls(
            config, load_secret(config, settings.secret), admin_key=settings.admin_key, settings=settings, **kwargs
        )

    def close(self) -> None:
        if self.committer is not None:
            self.committer.close()
        self.views.stop()
        self.app.close()
        if self.replica is not None:
            self.replica.close()
        self.db.close()

    def today(self) -> date:
        return self.clock()

    def position(self) -> int:
        return self.views.head()

    def health(self) -> tuple[int | None, list[str]]:
        """The log's head and the failed projections (of any process); ``(None, ["event_store"])`` when the
        database does not answer."""
        try:
            return self.position(), sorted(self.views.failures())
        except Exception as error:
            if not database_unavailable(error):
                raise
            return None, ["event_store"]

    # -- loading -----------------------------------------------------------------------------
    def _get(self, aggregate_id: UUID) -> Any:
        """The aggregate, from the group-commit batch when deciding inside one, else from the store."""
        ctx = getattr(self._batch, "ctx", None)
        if ctx is not None:
            return ctx.get(aggregate_id)
        aggregate = self.loader.load_one(aggregate_id)  # snapshot and later events in one statement
        if aggregate is None:
            raise AggregateNotFoundError(aggregate_id)
        return aggregate

    def _load(self, aggregate_id: UUID, kind: type[A], what: str = "Ressource") -> A:
        try:
            aggregate = self._get(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        return _of_kind(aggregate, kind, what)

    def _load_many(self, ids: Sequence[UUID], kind: type[A], what: str = "Ressource") -> list[A]:
        """``_load`` of each id, in order, read in one statement (into the batch's aggregates when deciding)."""
        ctx = getattr(self._batch, "ctx", None)
        if ctx is not None:
            ctx.prefetch(ids)
            return [self._load(i, kind, what) for i in ids]
        loaded = self.loader.load(ids)
        return [_of_kind(loaded.get(i), kind, what) for i in ids]

    def _load_id(self, text: str | UUID, kind: type[A], what: str) -> A:
        try:
            aggregate_id = text if isinstance(text, UUID) else UUID(str(text))
        except ValueError:
            raise errors.NotFound(f"{what} introuvable.") from None
        return self._load(aggregate_id, kind, what)

    def _beneficiary_key(self, id_or_reference: str | UUID) -> str | UUID:
        """A beneficiary's id, given its id or its reference as printed on the book (``B-7K3M-9QX4-R``, any
        case, dashes optional): what a structure the person visits has in hand."""
        if isinstance(id_or_reference, UUID) or not looks_like_reference(id_or_reference):
            return id_or_reference
        reference = normalize_reference(id_or_reference)
        self._fresh_views("directory")  # only this read needs the directory: a failure elsewhere does not stop it
        found = self.command_reads.beneficiaries_with_reference(reference)
        if len(found) != 1:
            raise errors.NotFound("Aucun bénéficiaire n'a cette référence : vérifiez celle imprimée sur le carnet.")
        return found[0]

    def _exists(self, aggregate_id: UUID) -> bool:
        ctx = getattr(self._batch, "ctx", None)
        if ctx is not None and ctx.exists(aggregate_id):
            return True
        return bool(self.app.recorder.select_events(aggregate_id, limit=1))

    def _fresh_views(self, *names: str) -> None:
        """Read-your-writes: every write acknowledged before this read is in the views it reads. ``names``:
        the projections whose tables the read queries (none: all); one of them failed: ``ProjectionFailed``."""
        try:
            fresh = self.views.wait_for(self.views.head(), READ_WAIT_SECONDS, names or None)
        except ReadModelsFailed:
            raise errors.ProjectionFailed(
                "Une vue nécessaire à cette lecture est en panne ; l'exploitation en est avertie. Réessayez plus tard."
            ) from None
        if not fresh:
            raise errors.ProjectionLagging("Les vues ont du retard ; réessayez dans un instant.")

    def _fresh_reads(self, *names: str) -> Database:
        """``_fresh_views(*names)``, then where to read them: the streaming replica (LEDGER_READ_DATABASE_URL)
        once it has replayed every write acknowledged so far (a bounded wait), else the primary. For exports,
        indicators, journals and pages; commands and their checks always read the primary."""
        self._fresh_views(*names)
        return self.db if self.replica is None else self.replica.pick(self.db)

    def _fresh_command_reads(self) -> CommandReads:
        """The reads a command makes of the read models, once the ones they query are fresh."""
        self._fresh_views(*self.command_reads.sources)
        return self.command_reads

    def _check_commune(self, insee: str, what: str = "commune_insee") -> str:
        if insee not in self.territory:
            raise errors.ValidationError("Ce code INSEE n'est pas celui d'une commune de la Drôme.", field=what)
        return insee

    def _facts_happened(self, **days: date | None) -> None:
        """Dates of facts (a payment received, a device returned…): from 2000-01-01 to today."""
        for name, day in days.items():
            if day is not None:
                check_fact_date(day, self.today(), name)

    # -- authorization helpers --------------------------------------------------------------
    @staticmethod
    def _require(actor: Actor, *roles: str) -> None:
        if actor.role != "admin" and actor.role not in roles:
            raise errors.Forbidden("Ce rôle ne permet pas cette opération.")

    @staticmethod
    def _require_org(actor: Actor, org: str | None) -> None:
        if actor.role != "admin" and (org is None or actor.org != str(org)):
            raise errors.Forbidden("Cette ressource appartient à une autre organisation.")

    # -- execution -----------------------------------------------------------------------------
    def _execute(
        self, idem: Idem | None, decide: Callable[[], Decision], out_type: type[T], prefetch: Iterable[UUID] = ()
    ) -> T:
        """Runs a command: through the group committer when there is one, else on its own.
        ``prefetch``: ids of aggregates the decision will load, loaded in bulk beforehand (a hint only)."""
        if self.committer is not None and not self.committer.is_writer():
            return self.committer.submit(idem, decide, out_type, prefetch)
        return self.run_now(idem, decide, out_type, prefetch)

    async def _execute_async(
        self,
        idem: Idem | None,
        decide: Callable[[], Decision],
        out_type: type[T],
        prefetch: Iterable[UUID] = (),
        key: Any = None,
    ) -> T:
        """``_execute`` for an event loop: waits for the group commit without holding a thread. ``key``: a
        cached API key for the writer to check before deciding (only with group commit)."""
        if self.committer is not None:
            return await self.committer.enqueue_async(idem, decide, out_type, prefetch, key)
        assert key is None, "keys are checked by the group-commit writer only"
        return await anyio.to_thread.run_sync(lambda: self.run_now(idem, decide, out_type, prefetch))

    @contextmanager
    def deciding_in(self, ctx: BatchContext | None) -> Iterator[None]:
        """Decisions made in this thread meanwhile load their aggregates from ``ctx`` (a group-commit batch)."""
        self._batch.ctx = ctx
        try:
            yield
        finally:
            self._batch.ctx = None

    def _decide_with(self, ctx: BatchContext | None, decide: Callable[[], Decision]) -> Decision:
        previous = getattr(self._batch, "ctx", None)
        if ctx is None:
            return decide()
        self._batch.ctx = ctx
        try:
            return decide()
        finally:
            self._batch.ctx = previous

    def run_now(
        self, idem: Idem | None, decide: Callable[[], Decision], out_type: type[T], prefetch: Iterable[UUID] = ()
    ) -> T:
        prefetch = list(prefetch)
        if idem is not None:
            replay = self.replay(idem, out_type)
            if replay is not None:
                return replay
        for _attempt in range(MAX_ATTEMPTS):
            # Aggregates named in advance are loaded in bulk, afresh for every attempt.
            ctx = None
            if len(prefetch) > 1 and getattr(self._batch, "ctx", None) is None:
                ctx = BatchContext(self.loader)
                ctx.prefetch(prefetch)
            try:
                decision = self._decide_with(ctx, decide)
            except errors.DomainError as refusal:
                if idem is None or refusal.status >= 500:
                    raise
                # Remember the refusal too: the same key with another body must then get 422.
                decision = Decision(error=refusal)
            objs = list(decision.objs)
            if idem is not None:
                objs.append(self.idempotency_record(idem, decision))
            try:
                if objs:
                    self.app.save(*objs)
            except IntegrityError:
                if idem is not None:
                    replay = self.replay(idem, out_type)
                    if replay is not None:
                        return replay
                continue
            if decision.after_save is not None:
                decision.after_save()
            if decision.error is not None:
                raise decision.error
            return decision.result
        raise errors.ConcurrencyConflict("Trop de modifications concurrentes ; réessayez.")

    def idempotency_record(self, idem: Idem, decision: Decision) -> IdempotencyRecord:
        if decision.error is None:
            outcome = Outcome(ok=True, value=msgspec.Raw(msgspec.json.encode(decision.result)))
        else:
            outcome = Outcome(ok=False, slug=decision.error.slug, detail=decision.error.detail)
        return IdempotencyRecord(
            record_id=idem.record_id,
            fingerprint=idem.fingerprint,
            sealed_outcome=self.sealer.seal(outcome, idem.record_id),
        )

    def replay(self, idem: Idem, out_type: type[T]) -> T | None:
        try:
            record = self._get(idem.record_id)
        except AggregateNotFoundError:
            return None
        if not hmac.compare_digest(record.fingerprint, idem.fingerprint):
            raise errors.IdempotencyKeyReuse("Cette clé d'idempotence a déjà servi pour une requête différente.")
        outcome = self.sealer.open(record.sealed_outcome, idem.record_id)
        if not outcome.ok:
            raise errors.from_slug(outcome.slug or "conflict", outcome.detail or "")
        assert outcome.value is not None
        return msgspec.json.decode(outcome.value, type=out_type)
