"""Redemptions (structure): one at a time, in batches, reversals; the structure's statement."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from uuid import UUID

from domain import errors
from domain.cheques import Cheque, serial_of_redemption
from domain.codes import hash_code, normalize_serial
from domain.ids import natural_id
from domain.structures import Structure
from ledger import types as t
from ledger.idempotency import Idem
from ledger.key_cache import CachedKey
from ledger.service import Decision, LedgerCore


def problem_of(error: errors.DomainError) -> t.Problem:
    return t.Problem(type=f"/problems/{error.slug}", title=error.title, status=error.status, detail=error.detail)


Target = tuple[str, UUID] | errors.DomainError  # an item's normalised serial and cheque id, or why it has none


def targets_of(items: Iterable[t.NewRedemption]) -> list[Target]:
    """Each item's serial, normalised, and its cheque's id: worked out once, by the caller's thread, for both
    the bulk load and the decision."""
    out: list[Target] = []
    for item in items:
        try:
            serial = normalize_serial(item.serial)
            out.append((serial, natural_id("cheque", serial)))
        except errors.DomainError as e:
            out.append(e)
    return out


class RedemptionCommands(LedgerCore):
    def _redeem_one(
        self, structure: Structure, body: t.NewRedemption, target: Target, cheques: dict[str, Cheque]
    ) -> tuple[Cheque | None, t.RedemptionOut | None, errors.DomainError | None]:
        """Decides one redemption against ``cheques`` (loaded ones, shared by a batch)."""
        if isinstance(target, errors.DomainError):
            return None, None, target
        serial, cheque_id = target
        cheque = cheques.get(serial)
        if cheque is None:
            try:
                cheque = self._load(cheque_id, Cheque, "Chèque")
            except errors.NotFound:
                return None, None, errors.UnknownCheque("Numéro de chèque inconnu.")
            cheques[serial] = cheque
        session = body.session
        error = cheque.redeem(
            presented_code_hash=hash_code(self.secret, serial, body.code),
            structure_id=str(structure.id),
            structure_accredited=structure.accredited_on(session.date),
            session_date=session.date,
            session_kind=str(session.kind),
            duration_minutes=session.duration_minutes,
            themes=list(session.themes),
            today=self.today(),
        )
        if error is not None:
            return cheque, None, error
        out = t.RedemptionOut(
            id=cheque.current_redemption_id or "",
            serial=serial,
            amount_cents=cheque.face_value_cents,
            structure_id=str(structure.id),
            session_date=session.date,
        )
        return cheque, out, None

    @staticmethod
    def _redemption_ids(actor: t.Actor, targets: Iterable[Target]) -> list[UUID]:
        """The aggregates redemptions will load (the structure, the cheques), to load them in bulk first."""
        ids = []
        try:
            ids.append(UUID(actor.org or ""))
        except ValueError:
            pass
        ids += [target[1] for target in targets if not isinstance(target, errors.DomainError)]
        return ids

    def _acting_structure(self, actor: t.Actor) -> Structure:
        if actor.role != "structure":
            raise errors.Forbidden("Seule une structure peut encaisser un chèque.")
        try:
            return self._load_id(actor.org or "", Structure, "Structure")
        except errors.NotFound:
            raise errors.Forbidden("Structure inconnue.") from None

    def _redeem_command(
        self, actor: t.Actor, body: t.NewRedemption, idem: Idem | None
    ) -> tuple[Idem | None, Callable[[], Decision], type[t.RedemptionOut], list[UUID]]:
        targets = targets_of([body])

        def decide() -> Decision:
            structure = self._acting_structure(actor)
            cheque, out, error = self._redeem_one(structure, body, targets[0], {})
            changed = [cheque] if cheque is not None and cheque.pending_events else []
            if error is not None and not changed:
                raise error
            return Decision(changed, out, error)

        return idem, decide, t.RedemptionOut, self._redemption_ids(actor, targets)

    def redeem(self, actor: t.Actor, body: t.NewRedemption, idem: Idem | None = None) -> t.RedemptionOut:
        return self._execute(*self._redeem_command(actor, body, idem))

    async def redeem_async(
        self, actor: t.Actor, body: t.NewRedemption, idem: Idem | None = None, key: CachedKey | None = None
    ) -> t.RedemptionOut:
        """``redeem`` for the HTTP server's event loop: no thread waits for the group commit. ``key``: the
        cached API key ``actor`` came from, checked by the writer (``authenticate_deferred``)."""
        return await self._execute_async(*self._redeem_command(actor, body, idem), key=key)

    def redeem_batch(self, actor: t.Actor, body: t.RedemptionBatch, idem: Idem | None = None) -> t.BatchResult:
        """Each item decided on its own, in order, as if one after the other; all saved at once."""

        targets = targets_of(body.items)

        def decide() -> Decision:
            structure = self._acting_structure(actor)
            cheques: dict[str, Cheque] = {}
            results = []
            for index, (item, target) in enumerate(zip(body.items, targets, strict=True)):
                _, out, error = self._redeem_one(structure, item, target, cheques)
                if error is None:
                    results.append(t.BatchItemResult(index=index, status=201, redemption=out))
                else:
                    results.append(t.BatchItemResult(index=index, status=error.status, problem=problem_of(error)))
            changed = [c for c in cheques.values() if c.pending_events]
            return Decision(changed, t.BatchResult(results=results))

        return self._execute(idem, decide, t.BatchResult, self._redemption_ids(actor, targets))

    def reverse_redemption(
        self, actor: t.Actor, redemption_id: str, body: t.ReasonBody, idem: Idem | None = None
    ) -> t.ReversalOut:
        self._require(actor, "structure")
        serial, _number = serial_of_redemption(redemption_id)

        def decide() -> Decision:
            try:
                cheque = self._load(natural_id("cheque", normalize_serial(serial)), Cheque, "Encaissement")
            except errors.UnknownCheque:
                raise errors.NotFound("Encaissement inconnu.") from None
            self._require_org(actor, cheque.redeemer_of(redemption_id))
            cheque.reverse_redemption(redemption_id, body.reason)
            return Decision([cheque], t.ReversalOut(id=redemption_id, serial=cheque.serial, status=cheque.status))

        return self._execute(idem, decide, t.ReversalOut)
