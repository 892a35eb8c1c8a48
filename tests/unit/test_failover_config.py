"""Multi-host PostgreSQL URLs (failover) and the erasure list kept outside the database."""

from __future__ import annotations

import uuid

import pytest

from ledger.config import ConfigurationError, DatabaseConfig
from ledger.erasure_list import ErasureList, erasure_list_path


def test_a_multi_host_url_becomes_libpq_host_and_port_lists():
    config = DatabaseConfig.from_url("postgresql://u:p%40ss@db1:5432,db2:5433/ledger?target_session_attrs=read-write")
    assert (config.host, config.port, config.user, config.password, config.dbname) == (
        "db1,db2",
        "5432,5433",
        "u",
        "p@ss",
        "ledger",
    )
    assert config.conninfo().endswith("target_session_attrs=read-write")
    assert DatabaseConfig.from_url("postgresql://db1,db2:6000/x").port == "5432,6000"


def test_a_single_host_url_is_as_before():
    config = DatabaseConfig.from_url("postgresql://postgres@127.0.0.1:5432/cl")
    assert (config.host, config.port, config.target_session_attrs) == ("127.0.0.1", 5432, "")
    assert "target_session_attrs" not in config.conninfo()
    with pytest.raises(ConfigurationError):
        DatabaseConfig.from_url("postgresql://db1:http/x")


def test_the_erasure_list_keeps_ids_once_and_in_order(tmp_path):
    erasures = ErasureList(tmp_path / "sub" / "erased")
    a, b = uuid.uuid4(), uuid.uuid4()
    assert erasures.entries() == []
    erasures.record("beneficiary", a)
    erasures.record("user", b)
    erasures.record("beneficiary", a)
    assert erasures.entries() == [("beneficiary", a), ("user", b)]
    assert (tmp_path / "sub" / "erased").read_text() == f"beneficiary {a}\nuser {b}\n"
    assert (tmp_path / "sub" / "erased").stat().st_mode & 0o777 == 0o600


def test_an_unreadable_erasure_list_is_an_error_not_an_empty_list(tmp_path):
    (tmp_path / "erased").write_text("beneficiary not-a-uuid\n")
    with pytest.raises(ValueError, match="line 1"):
        ErasureList(tmp_path / "erased").entries()


def test_the_erasure_list_lives_beside_the_sqlite_file_by_default(tmp_path):
    sqlite = DatabaseConfig.from_url(f"sqlite:///{tmp_path / 'ledger.db'}")
    assert erasure_list_path(sqlite, None) == tmp_path / "ledger.db.erased"
    assert erasure_list_path(sqlite, "/srv/secret/erased").as_posix() == "/srv/secret/erased"
