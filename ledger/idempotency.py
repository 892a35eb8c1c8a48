"""Idempotency: a command's first outcome, saved in the same transaction as its events.

The record's id derives from (scope, key), so two racing repeats cannot both commit: the
loser's transaction fails on the record's version and it answers with the winner's outcome.
Outcomes can hold cheque codes, so they are stored encrypted (AES-GCM, key derived from the
server secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any
from uuid import UUID

import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Aggregate, event

from domain.ids import natural_id


class Idem(msgspec.Struct, frozen=True):
    """An idempotency key in its scope (the API key that sent it) with the request's fingerprint."""

    scope: str
    key: str
    fingerprint: str

    @property
    def record_id(self) -> UUID:
        return natural_id("idempotency", f"{self.scope}\x00{self.key}")


def request_fingerprint(secret: bytes, method: str, path: str, body: Any) -> str:
    """What tells a repeat from another request under the same key: a keyed hash (HMAC-SHA-256 with a key
    derived from the server secret), so that a body holding personal data cannot be found again from the
    stored record by hashing guesses, after the person's erasure as before."""
    key = hmac.new(secret, b"idempotency-fingerprints", hashlib.sha256).digest()
    message = method.encode() + b" " + path.encode() + b"\n" + msgspec.json.encode(body)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class Outcome(msgspec.Struct):
    ok: bool
    value: msgspec.Raw = msgspec.Raw(b"null")
    slug: str | None = None
    detail: str | None = None


class IdempotencyRecord(Aggregate):
    @staticmethod
    def create_id(record_id: UUID, **_: Any) -> UUID:
        return record_id

    @event("Recorded")
    def __init__(self, record_id: UUID, fingerprint: str, sealed_outcome: str) -> None:
        self.fingerprint = fingerprint
        self.sealed_outcome = sealed_outcome


class OutcomeSealer:
    def __init__(self, secret: bytes) -> None:
        self._aead = AESGCM(hmac.new(secret, b"idempotency-outcomes", hashlib.sha256).digest())

    def seal(self, outcome: Outcome, record_id: UUID) -> str:
        nonce = os.urandom(12)
        data = self._aead.encrypt(nonce, msgspec.json.encode(outcome), record_id.bytes)
        return base64.b64encode(nonce + data).decode()

    def open(self, sealed: str, record_id: UUID) -> Outcome:
        raw = base64.b64decode(sealed)
        data = self._aead.decrypt(raw[:12], raw[12:], record_id.bytes)
        return msgspec.json.decode(data, type=Outcome)
