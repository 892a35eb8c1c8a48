"""The Ed25519 key that signs Open Badges credentials, and the ``did:key`` that names it.

Kept like the server secret: ``LEDGER_BADGE_KEY`` (the 32-byte Ed25519 seed in base64, e.g. from
``openssl rand -base64 32``), or, on SQLite only, generated once and kept beside the database file
(``<file>.badge-key``, mode 0600). On PostgreSQL the setting is required: a badge award without it is refused,
never signed with a throw-away key (credentials already handed out would stop matching their issuer).

Its own module so that one key-loading helper can later serve every Ed25519 key of the ledger."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.config import ConfigurationError, DatabaseConfig

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
    text = value.strip().replace("-", "+").replace("_", "/")
    try:
        seed = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) != 32:
        raise ConfigurationError("LEDGER_BADGE_KEY must be a 32-byte Ed25519 seed in base64")
    return BadgeKey(Ed25519PrivateKey.from_private_bytes(seed))


def load_badge_key(db: DatabaseConfig, value: str | None) -> BadgeKey:
    """The key given (LEDGER_BADGE_KEY), or (SQLite only) one generated once and kept beside the database file."""
    if value:
        return parse_seed(value)
    if db.kind != "sqlite":
        raise ConfigurationError("LEDGER_BADGE_KEY must be set to award badges when the ledger runs on PostgreSQL")
    assert db.sqlite_path is not None
    path = db.sqlite_path.with_name(db.sqlite_path.name + ".badge-key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{secrets.token_hex(8)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(base64.b64encode(secrets.token_bytes(32)).decode())
        try:
            os.link(draft, path)  # atomic, and refused if another process made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return parse_seed(path.read_text())
