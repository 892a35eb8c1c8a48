"""Personal data (beneficiaries, users' e-mails): sealed with a key per person kept outside the events.

Erasure deletes the key (crypto-shredding): the sealed bytes in events and snapshots stay,
but nobody can read them again. On SQLite the key table is written with ``secure_delete`` and
the WAL is truncated after an erasure, so the key does not survive in free pages.
"""

from __future__ import annotations

import base64
import os
from uuid import UUID

import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.database import Database

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS beneficiary_keys ( beneficiary_id TEXT PRIMARY KEY, key_material BYTEA NOT NULL)",
]


class PersonalData(msgspec.Struct, kw_only=True):
    first_name: str
    last_name: str
    birth_year: int
    phone: str | None = None
    email: str | None = None


class KeyErased(Exception):
    pass


class KeyVault:
    def __init__(self, db: Database) -> None:
        self.db = db
        schema = SCHEMA if db.postgres else [s.replace("BYTEA", "BLOB") for s in SCHEMA]
        db.script(schema)

    def seal(self, beneficiary_id: UUID, data: PersonalData) -> str:
        return self.seal_new(beneficiary_id, msgspec.json.encode(data))

    def seal_new(self, subject_id: UUID, plain: bytes) -> str:
        """Creates the person's key and seals ``plain`` with it (a beneficiary's data, a user's e-mail)."""
        key = AESGCM.generate_key(bit_length=256)
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO beneficiary_keys (beneficiary_id, key_material) VALUES (?, ?)",
                (str(subject_id), key),
            )
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, plain, subject_id.bytes)
        return base64.b64encode(nonce + sealed).decode()

    def _key(self, beneficiary_id: UUID) -> bytes:
        with self.db.read() as cur:
            row = cur.execute(
                "SELECT key_material FROM beneficiary_keys WHERE beneficiary_id = ?", (str(beneficiary_id),)
            ).fetchone()
        if row is None:
            raise KeyErased(str(beneficiary_id))
        return bytes(row[0])

    def open(self, beneficiary_id: UUID, sealed: str) -> PersonalData:
        return msgspec.json.decode(self.open_text(beneficiary_id, sealed), type=PersonalData)

    def seal_text(self, beneficiary_id: UUID, text: str) -> str:
        """Seals more personal text (a loan follow-up note…) under the beneficiary's existing key,
        so erasing the beneficiary erases it too."""
        nonce = os.urandom(12)
        sealed = AESGCM(self._key(beneficiary_id)).encrypt(nonce, text.encode(), beneficiary_id.bytes)
        return base64.b64encode(nonce + sealed).decode()

    def open_text(self, beneficiary_id: UUID, sealed: str) -> bytes:
        raw = base64.b64decode(sealed)
        return AESGCM(self._key(beneficiary_id)).decrypt(raw[:12], raw[12:], beneficiary_id.bytes)

    def erase(self, beneficiary_id: UUID) -> None:
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM beneficiary_keys WHERE beneficiary_id = ?", (str(beneficiary_id),))
        self.db.compact("beneficiary_keys")

    def forget_orphan(self, beneficiary_id: UUID) -> None:
        """A key whose beneficiary was never saved (the save failed) is removed."""
        self.erase(beneficiary_id)
