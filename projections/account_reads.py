"""What the admin lists of who may act: people's accounts and API keys. account_index and api_key_index
(``projections/directory.py``) say which exist; accounts are then loaded from their aggregates (the e-mail is
sealed there), keys are read from the index alone (role, organisation, dates: all it holds)."""

from __future__ import annotations

from uuid import UUID

from domain import errors
from domain.accounts import UserAccount
from ledger import types as t
from ledger.service import LedgerCore
from projections.cursors import before_position


class AccountReads(LedgerCore):
    def list_users(self, actor: t.Actor) -> list[t.UserOut]:
        self._require(actor)
        self._fresh_views("directory")
        with self.db.read() as cur:
            ids = [row[0] for row in cur.execute("SELECT id FROM account_index ORDER BY created_at").fetchall()]
        accounts = [self._load_id(i, UserAccount, "Compte") for i in ids]
        return [self._user_out(a) for a in accounts]  # type: ignore[attr-defined]  # AccountCommands

    def api_keys(self, actor: t.Actor, limit: int = 100, cursor: str | None = None) -> t.ApiKeyPage:
        """The API keys, newest first, revoked ones included; ``cursor``: the position of the last one of the
        previous page."""
        self._require(actor)
        before = before_position(cursor)
        self._fresh_views("directory")
        with self.db.read() as cur:
            rows = cur.execute(
                f"SELECT {KEY_COLUMNS}, position FROM api_key_index WHERE position < ? ORDER BY position DESC LIMIT ?",
                (before, limit + 1),
            ).fetchall()
        page = rows[:limit]
        return t.ApiKeyPage(
            items=[key_entry(*row[:5]) for row in page],
            next_cursor=str(page[-1][5]) if len(rows) > limit else None,
        )

    def api_key(self, actor: t.Actor, key_id: str) -> t.ApiKeyEntry:
        """One key as listed (for the admin's confirmation before revoking it)."""
        self._require(actor)
        self._fresh_views("directory")
        with self.db.read() as cur:
            row = cur.execute(f"SELECT {KEY_COLUMNS} FROM api_key_index WHERE id = ?", (key_id,)).fetchone()
        if row is None:
            raise errors.NotFound("Clé introuvable.")
        return key_entry(*row)


KEY_COLUMNS = "id, role, org, created_at, revoked_at"


def key_entry(key_id: str, role: str, org: str | None, created_at: str, revoked_at: str | None) -> t.ApiKeyEntry:
    return t.ApiKeyEntry(
        id=UUID(key_id),
        role=role,
        org=org,
        created_at=created_at,
        revoked=revoked_at is not None,
        revoked_at=revoked_at,
    )
