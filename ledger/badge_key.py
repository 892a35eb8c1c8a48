"""The Ed25519 key that signs Open Badges credentials, and the ``did:key`` that names it.

Kept like the server secret: ``LEDGER_BADGE_KEY`` (the 32-byte Ed25519 seed in base64, e.g. from
``openssl rand -base64 32``), or, on SQLite only, generated once and kept beside the database file
(``<file>.badge-key``, mode 0600). On PostgreSQL the setting is required: a badge award without it is refused,
never signed with a throw-away key (credentials already handed out would stop matching their issuer).

The file and the seed's format are those of every key of the ledger (``ledger/config.py``)."""

from __future__ import annotations

from dataclasses import dataclass

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.config import DatabaseConfig, ed25519_seed, kept_beside_database, new_seed

ED25519_PUB_MULTICODEC = b"\xed\x01"  # multicodec "ed25519-pub", varint-encoded


@dataclass(frozen=True)
class BadgeKey:
    private: Ed25519PrivateKey

    @property
    def public_bytes(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def multibase(self) -> str:
        """The public key as a Multikey: ``z`` + base58btc(0xed 0x01 ‖ key)."""
        return "z" + base58.b58encode(ED25519_PUB_MULTICODEC + self.public_bytes).decode()

    @property
    def did(self) -> str:
        return "did:key:" + self.multibase

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{self.multibase}"

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def parse_seed(value: str) -> BadgeKey:
    """A 32-byte seed in base64 (standard or URL-safe alphabet, padding optional)."""
    return BadgeKey(Ed25519PrivateKey.from_private_bytes(ed25519_seed(value, "LEDGER_BADGE_KEY")))


def load_badge_key(db: DatabaseConfig, value: str | None) -> BadgeKey:
    """The key given (LEDGER_BADGE_KEY), or (SQLite only) one generated once and kept beside the database file;
    on PostgreSQL an award without it is refused (``BadgesNotConfigured``)."""
    return parse_seed(value or kept_beside_database(db, ".badge-key", "LEDGER_BADGE_KEY", new_seed))
