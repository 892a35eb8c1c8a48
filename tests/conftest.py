"""Test fixtures: a real ledger on the backend chosen by LEDGER_TEST_BACKEND.

- ``LEDGER_TEST_BACKEND=sqlite`` (default): a fresh SQLite file per test.
- ``LEDGER_TEST_BACKEND=postgres``: the database at ``LEDGER_TEST_DATABASE_URL``, emptied before each
  test. If it cannot be reached the tests *fail* (never skip): a run that claims PostgreSQL must test it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import msgspec
import pytest

from api.bootstrap import Ledger, open_ledger
from ledger.config import DatabaseConfig
from ledger.settings import Settings
from ledger.types import Actor

BACKEND = os.environ.get("LEDGER_TEST_BACKEND", "sqlite")
PG_URL = os.environ.get("LEDGER_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/cheque_ledger_test")
SECRET = b"test-secret-not-for-production"
ADMIN = Actor(role="admin", key_id="test")
if BACKEND == "postgres":  # required there, as in production (on SQLite one is generated beside the file)
    os.environ.setdefault("LEDGER_SIGNING_KEY", "dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE=")


POSTGRES_ONLY: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres_only`` run in the PostgreSQL pass; the SQLite pass leaves them out and says
    so at the end (never a silent skip)."""
    if BACKEND == "postgres":
        return
    kept = [item for item in items if item.get_closest_marker("postgres_only") is None]
    POSTGRES_ONLY.extend(item.nodeid for item in items if item.get_closest_marker("postgres_only") is not None)
    if POSTGRES_ONLY:
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if POSTGRES_ONLY:
        terminalreporter.write_line(f"{len(POSTGRES_ONLY)} PostgreSQL-only tests left to the PostgreSQL pass")


def pytest_report_header(config: pytest.Config) -> str:
    where = PG_URL if BACKEND == "postgres" else "a fresh SQLite file per test"
    return f"cheque-ledger backend: {BACKEND} ({where})"


class Clock:
    """A settable 'today' for the ledger (Europe/Paris date)."""

    def __init__(self, today: date) -> None:
        self.today = today

    def __call__(self) -> date:
        return self.today


def empty_postgres(url: str) -> None:
    import psycopg

    config = DatabaseConfig.from_url(url)
    with psycopg.connect(config.conninfo(), autocommit=True) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
        if tables:
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


def database_config(tmp_path: Path) -> DatabaseConfig:
    if BACKEND == "postgres":
        empty_postgres(PG_URL)
        return DatabaseConfig.from_url(PG_URL)
    if BACKEND != "sqlite":
        raise RuntimeError(f"LEDGER_TEST_BACKEND must be sqlite or postgres, not {BACKEND!r}")
    return DatabaseConfig.from_url(f"sqlite:///{tmp_path / 'ledger.db'}")


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its cheapest for the tests' many accounts (the same code path; the production
    parameters are checked by ``test_production_password_hashing_is_strong``)."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("ledger.account_commands.HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def clock() -> Clock:
    return Clock(date(2026, 3, 16))


@pytest.fixture
def stamped(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Events stamped at noon (Europe/Paris) of the clock's day: the day a move is recorded is the test's day."""
    import eventsourcing.domain

    from ledger.clock import PARIS

    monkeypatch.setattr(
        eventsourcing.domain,
        "datetime_now_with_tzinfo",
        lambda: datetime.combine(clock.today, time(12), PARIS).astimezone(UTC),
    )
    return clock


@pytest.fixture
def make_ledger(tmp_path: Path, clock: Clock) -> Iterator[Callable[..., Ledger]]:
    """Opens ledgers on one fresh database (several may be open, like several processes)."""
    config = database_config(tmp_path)
    opened: list[Ledger] = []

    def make(**kwargs) -> Ledger:
        # The erasure list (kept outside the database) of this test's database, in its own folder.
        kwargs.setdefault(
            "settings", msgspec.structs.replace(Settings.from_env(), erasure_list=str(tmp_path / "erased"))
        )
        ledger = open_ledger(config, SECRET, clock=kwargs.pop("clock", clock), **kwargs)
        opened.append(ledger)
        return ledger

    yield make
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(make_ledger: Callable[..., Ledger]) -> Ledger:
    return make_ledger()
