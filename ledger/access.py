"""API keys: shown once, stored only as a keyed hash; the aggregate id derives from that hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import natural_id


def hash_key(secret: bytes, key: str) -> str:
    return hmac.new(secret, f"api-key:{key}".encode(), hashlib.sha256).hexdigest()


def new_key() -> str:
    return "cl_" + secrets.token_urlsafe(32)


class ApiKey(Aggregate):
    @staticmethod
    def create_id(key_hash: str, **_: Any) -> UUID:
        return natural_id("api-key", key_hash)

    @event("Created")
    def __init__(self, key_hash: str, role: str, org: str | None) -> None:
        self.key_hash = key_hash
        self.role = role
        self.org = org
        self.revoked = False

    def revoke(self) -> None:
        if not self.revoked:
            self._revoked()

    @event("Revoked")
    def _revoked(self) -> None:
        self.revoked = True
