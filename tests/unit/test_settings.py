"""Settings are read from the environment in one place, with the documented defaults."""

from __future__ import annotations

import pytest

from ledger.settings import Settings


def test_defaults_when_nothing_is_set():
    assert Settings.from_env({}) == Settings()
    assert (Settings().group_commit, Settings().group_commit_gather_seconds, Settings().sign_in_per_minute) == (
        True,
        0.002,
        20,
    )


def test_every_variable_is_read():
    settings = Settings.from_env(
        {
            "LEDGER_DATABASE_URL": "sqlite:///x.db",
            "LEDGER_SECRET": "s",
            "LEDGER_SIGNING_KEY": "sk",
            "LEDGER_ADMIN_KEY": "k",
            "LEDGER_GROUP_COMMIT": "0",
            "LEDGER_GROUP_COMMIT_GATHER_MS": "5",
            "LEDGER_SUPPRESSION_THRESHOLD": "11",
            "LEDGER_COOKIE_SECURE": "1",
            "LEDGER_SIGN_IN_PER_MINUTE": "3",
            "LEDGER_TERRITORY_CSV": "/t.csv",
            "LEDGER_BADGE_KEY": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
        }
    )
    assert settings == Settings(
        database_url="sqlite:///x.db",
        secret="s",
        signing_key="sk",
        admin_key="k",
        group_commit=False,
        group_commit_gather_seconds=0.005,
        suppression_threshold=11,
        cookie_secure=True,
        sign_in_per_minute=3,
        territory_csv="/t.csv",
        badge_key="AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
    )


def test_empty_values_are_unset_and_a_malformed_number_is_refused():
    assert Settings.from_env({"LEDGER_SECRET": "", "LEDGER_SUPPRESSION_THRESHOLD": "x"}) == Settings()
    with pytest.raises(ValueError, match="LEDGER_GROUP_COMMIT_GATHER_MS"):
        Settings.from_env({"LEDGER_GROUP_COMMIT_GATHER_MS": "fast"})
