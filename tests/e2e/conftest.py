"""HTTP fixtures: the real app over a real ledger (backend from LEDGER_TEST_BACKEND), keys per role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from litestar.testing import TestClient

from api.app import create_app
from ledger import types as t
from tests import scenario as s


@dataclass
class Keys:
    admin: str
    prescriber: str
    other_prescriber: str
    structure: str
    other_structure: str
    funder: str
    other_funder: str
    observatory: str


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def ledger_world(ledger):
    w = s.world(ledger)
    other_p = s.prescriber(ledger, "CCAS de Die")
    other_s = ledger.register_structure(s.ADMIN, t.NewStructure(siret=s.SIRET_FABAT, name="Autre", commune_insee=s.DIE))
    s.bank_account(ledger, str(other_s.id), 2)  # paid by settlements, like the world's structure
    s.funder(ledger, "CAF26", "caf")

    def key(role, org=None):
        return ledger.create_api_key(s.ADMIN, t.NewApiKey(role=role, org=org)).key

    keys = Keys(
        admin=key("admin"),
        prescriber=key("prescriber", str(w.prescriber.id)),
        other_prescriber=key("prescriber", str(other_p.id)),
        structure=key("structure", str(w.structure.id)),
        other_structure=key("structure", str(other_s.id)),
        funder=key("funder", "DEPT26"),
        other_funder=key("funder", "CAF26"),
        observatory=key("observatory"),
    )
    return ledger, w, keys


@pytest.fixture
def accounts(ledger_world):
    """A web account per role (and another prescriber and structure), on the e2e world."""
    from tests.e2e.web import make_accounts

    ledger, w, _ = ledger_world
    other_p = s.prescriber(ledger, "CCAS de Crest")
    other_s = ledger.register_structure(
        s.ADMIN, t.NewStructure(siret="35600000000048", name="Autre lieu", commune_insee=s.DIE)
    )
    return make_accounts(ledger, w, str(other_p.id), str(other_s.id))


@pytest.fixture
def client(ledger):
    with TestClient(app=create_app(ledger, background_projections=False)) as c:
        yield c


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    from tests.e2e import test_fuzz_posts, test_schemathesis

    if test_schemathesis.STATS["requests"]:
        terminalreporter.write_line(
            f"schemathesis: {test_schemathesis.STATS['requests']} requests generated and validated against the schema"
        )
    if test_fuzz_posts.STATS["requests"]:
        terminalreporter.write_line(
            f"random JSON to every POST: {test_fuzz_posts.STATS['requests']} requests,"
            f" {test_fuzz_posts.STATS['server_errors']} server errors"
        )
