"""Who is acting: an API key presented by a client becomes an actor (a role and an organisation).

Keys are stored only as keyed hashes; a process caches the actors of the keys it has seen and drops them
when any key is revoked (``ledger/key_cache.py``). The bootstrap admin key (``LEDGER_ADMIN_KEY``) is
compared in constant time and never stored.
"""

from __future__ import annotations

import hmac
from functools import partial
from typing import cast

from domain import errors
from domain.ids import natural_id
from ledger import types as t
from ledger.access import ApiKey, hash_key
from ledger.key_cache import CachedKey
from ledger.service import LedgerCore


class Authentication(LedgerCore):
    def authenticate(self, presented: str) -> t.Actor | None:
        if (bootstrap := self._bootstrap(presented)) is not None:
            return bootstrap
        key_hash = hash_key(self.secret, presented)
        return self.key_cache.get(key_hash, lambda: self._key_actor(key_hash))

    async def authenticate_async(self, presented: str) -> t.Actor | None:
        """``authenticate`` for an event loop: no thread is held while the revocation generation is read."""
        if (bootstrap := self._bootstrap(presented)) is not None:
            return bootstrap
        key_hash = hash_key(self.secret, presented)
        return await self.key_cache.get_async(key_hash, lambda: self._key_actor(key_hash))

    async def authenticate_deferred(self, presented: str) -> tuple[t.Actor | None, CachedKey | None]:
        """For a command that goes through the group commit: a cached key is used at once, and the writer
        checks it against the revocation generation it reads for its batch (``verify_keys``), before
        deciding; otherwise as ``authenticate_async``. Returns the actor and what the writer must check."""
        if self.committer is not None and self._bootstrap(presented) is None:
            cached = self.key_cache.peek(hash_key(self.secret, presented))
            if cached is not None and cached.value is not None:
                return cached.value, cached
        return await self.authenticate_async(presented), None

    def verify_keys(self, keys: list[CachedKey]) -> list[bool]:
        """Whether each key taken from the cache is still what it was (one generation read for them all)."""
        generation = self.key_cache.generation()
        return [
            self.key_cache.lookup(key.key_hash, generation, partial(self._key_actor, key.key_hash)) == key.value
            for key in keys
        ]

    def _bootstrap(self, presented: str) -> t.Actor | None:
        """The bootstrap admin key (``LEDGER_ADMIN_KEY``), compared in constant time."""
        if self.admin_key and hmac.compare_digest(presented.encode(), self.admin_key.encode()):
            return t.Actor(role="admin", key_id="bootstrap")
        return None

    def _key_actor(self, key_hash: str) -> t.Actor | None:
        try:
            record = self._load(natural_id("api-key", key_hash), ApiKey, "Clé")
        except errors.NotFound:
            return None
        if record.revoked:
            return None
        return t.Actor(role=cast(t.Role, record.role), org=record.org, key_id=str(record.id))
