"""Erasing again, after a restore, everyone on the erasure list (``ledger/erasure_list.py``)."""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError

from domain.accounts import UserAccount
from domain.beneficiaries import Beneficiary
from ledger import types as t
from ledger.service import LedgerCore

RESTORE = t.Actor(role="admin", key_id="restore")


class ErasureCommands(LedgerCore):
    def reapply_erasures(self) -> tuple[int, int]:
        """Erases every person on the list that the database does not show erased (a backup taken before the
        erasure): the key is destroyed and the erasure recorded, as ``DELETE /v1/beneficiaries/{id}`` does.
        People the database never knew (registered after the backup) have nothing to erase. Returns
        (erased again, already erased or unknown)."""
        again = kept = 0
        for kind, subject_id in self.erasures.entries():
            try:
                aggregate = self._get(subject_id)
            except AggregateNotFoundError:
                self.vault.erase(subject_id)  # no aggregate: no key should be left either
                kept += 1
                continue
            if kind == "beneficiary" and isinstance(aggregate, Beneficiary) and not aggregate.erased:
                self.erase_beneficiary(RESTORE, str(subject_id))  # type: ignore[attr-defined]  # ChequeCommands'
                again += 1
            elif kind == "user" and isinstance(aggregate, UserAccount) and not aggregate.disabled:
                self.erase_user(RESTORE, subject_id)  # type: ignore[attr-defined]  # AccountCommands'
                again += 1
            else:
                self.vault.erase(subject_id)  # erased in the backup already: make sure the key is gone too
                kept += 1
        return again, kept
