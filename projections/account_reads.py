"""The accounts the admin lists: account_index (``projections/directory.py``) says which exist; each is then
loaded from its aggregate."""

from __future__ import annotations

from domain.accounts import UserAccount
from ledger import types as t
from ledger.service import LedgerCore


class AccountReads(LedgerCore):
    def list_users(self, actor: t.Actor) -> list[t.UserOut]:
        self._require(actor)
        self._fresh_views("directory")
        with self.db.read() as cur:
            ids = [row[0] for row in cur.execute("SELECT id FROM account_index ORDER BY created_at").fetchall()]
        accounts = [self._load_id(i, UserAccount, "Compte") for i in ids]
        return [self._user_out(a) for a in accounts]  # type: ignore[attr-defined]  # AccountCommands
