"""The demo data set: loads through the ledger's own commands, balances, verifies, and spreads over the year."""

from __future__ import annotations

from datetime import date

import pytest

from api.demo import DemoAlreadyLoaded, load_demo
from projections.verify import verify
from tests.scenario import ADMIN


def test_the_demo_balances_verifies_and_signs_in(make_ledger, clock):
    clock.today = date(2026, 11, 28)
    ledger = make_ledger()
    result = load_demo(ledger)
    assert result.reconciliations and all(r.balanced for r in result.reconciliations)
    differences, _, checked = verify(ledger)
    assert differences == [] and checked > 1000
    for label, (email, password) in result.accounts.items():
        assert ledger.sign_in(email, password).actor.role == label
    months = {p.day.month for code in ("DEPT26", "CAF26") for p in ledger.money_over_time(ADMIN, code)}
    assert len(months) >= 6, "the demo's events are dated over the year"
    codes = [r.funder_code for r in result.reconciliations]
    june = [ledger.reconciliation(ADMIN, code, date(2026, 6, 30)) for code in codes]
    spent_june = sum(r.redeemed_cents + r.paid_cents for r in june)
    spent_now = sum(r.redeemed_cents + r.paid_cents for r in result.reconciliations)
    assert all(r.balanced for r in june) and 0 < spent_june < spent_now, "a past day shows that day's figures"
    with pytest.raises(DemoAlreadyLoaded):
        load_demo(ledger)


def test_the_demo_places_are_national_records_in_a_directory_and_an_open_data_package(make_ledger, clock, tmp_path):
    """The demo's places feed the national export (read by ANCT's library), the paper directory and the data
    package (accepted by frictionless), so each shows something real."""
    import msgspec

    from tests.e2e.test_places import read_with_anct_library
    from tests.integration.test_datapackage import frictionless_validate, unpack

    clock.today = date(2026, 11, 28)
    ledger = make_ledger()
    load_demo(ledger)
    records = ledger.national_places(ADMIN)
    assert len(records) == 5 and all(r.horaires and r.services for r in records)
    assert len(read_with_anct_library(msgspec.to_builtins(records))) == 5
    valence_romans = ledger.place_directory(ADMIN, epci="200068781")
    assert [c.name for c in valence_romans.communes] == ["Romans-sur-Isère", "Valence"]
    tables = unpack(ledger.observatory_datapackage(ADMIN), tmp_path)
    assert len(tables["trimestre_departement"]) >= 3
    done = frictionless_validate(tmp_path)
    assert done.returncode == 0, done.stdout
