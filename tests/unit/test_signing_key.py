"""The checkpoints' signing key: LEDGER_SIGNING_KEY, or on SQLite one generated once beside the database."""

from __future__ import annotations

import base64

import pytest

from ledger.audit import public_key_of
from ledger.config import ConfigurationError, DatabaseConfig, load_signing_key


def test_sqlite_generates_one_key_beside_the_file_and_keeps_it(tmp_path):
    db = DatabaseConfig.from_url(f"sqlite:///{tmp_path / 'l.db'}")
    first = load_signing_key(db, None)
    assert len(first) == 32 and load_signing_key(db, None) == first
    assert (tmp_path / "l.db.signing-key").stat().st_mode & 0o777 == 0o600
    assert len(public_key_of(first)) == 32


def test_postgres_requires_the_setting_and_a_well_formed_key():
    db = DatabaseConfig.from_url("postgresql://u@h/db")
    with pytest.raises(ConfigurationError, match="LEDGER_SIGNING_KEY must be set"):
        load_signing_key(db, None)
    with pytest.raises(ConfigurationError, match="32-byte Ed25519 seed"):
        load_signing_key(db, base64.b64encode(b"short").decode())
    with pytest.raises(ConfigurationError, match="32-byte Ed25519 seed"):
        load_signing_key(db, "not base64 !")
    key = base64.b64encode(bytes(range(32))).decode()
    assert load_signing_key(db, key) == bytes(range(32))
