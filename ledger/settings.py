"""Every setting the ledger takes from its environment, read in one place (``Settings.from_env``)."""

from __future__ import annotations

import os
from collections.abc import Mapping

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None  # LEDGER_DATABASE_URL; None: ./var/ledger.db
    secret: str | None = None  # LEDGER_SECRET; None on SQLite: generated beside the database file
    signing_key: str | None = None  # LEDGER_SIGNING_KEY: Ed25519 seed, base64; None on SQLite: generated beside it
    admin_key: str | None = None  # LEDGER_ADMIN_KEY: a bootstrap admin API key
    group_commit: bool = True  # LEDGER_GROUP_COMMIT
    group_commit_gather_seconds: float = 0.002  # LEDGER_GROUP_COMMIT_GATHER_MS
    suppression_threshold: int = 5  # LEDGER_SUPPRESSION_THRESHOLD: can only raise the minimum of 5
    cookie_secure: bool = False  # LEDGER_COOKIE_SECURE
    sign_in_per_minute: int = 20  # LEDGER_SIGN_IN_PER_MINUTE
    territory_csv: str | None = None  # LEDGER_TERRITORY_CSV: a newer communes/EPCI file
    badge_key: str | None = None  # LEDGER_BADGE_KEY: Ed25519 seed (base64) signing badges; None on SQLite: generated
    read_database_url: str | None = None  # LEDGER_READ_DATABASE_URL: a streaming replica for heavy reads
    erasure_list: str | None = None  # LEDGER_ERASURE_LIST: erased ids, kept outside the database (for restores)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()

        def text(name: str) -> str | None:
            return env.get(name) or None

        def number(name: str, default: float) -> float:
            raw = env.get(name, "")
            try:
                return float(raw) if raw else default
            except ValueError:
                raise ValueError(f"{name} must be a number") from None

        threshold = env.get("LEDGER_SUPPRESSION_THRESHOLD", "")
        return cls(
            database_url=text("LEDGER_DATABASE_URL"),
            secret=text("LEDGER_SECRET"),
            signing_key=text("LEDGER_SIGNING_KEY"),
            admin_key=text("LEDGER_ADMIN_KEY"),
            group_commit=env.get("LEDGER_GROUP_COMMIT", "1") not in ("0", "false", "no"),
            group_commit_gather_seconds=number("LEDGER_GROUP_COMMIT_GATHER_MS", 2) / 1000,
            suppression_threshold=int(threshold) if threshold.isdigit() else defaults.suppression_threshold,
            cookie_secure=env.get("LEDGER_COOKIE_SECURE") == "1",
            sign_in_per_minute=int(number("LEDGER_SIGN_IN_PER_MINUTE", defaults.sign_in_per_minute)),
            territory_csv=text("LEDGER_TERRITORY_CSV"),
            badge_key=text("LEDGER_BADGE_KEY"),
            read_database_url=text("LEDGER_READ_DATABASE_URL"),
            erasure_list=text("LEDGER_ERASURE_LIST"),
        )
