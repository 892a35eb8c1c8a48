"""Observatory pages over HTTP: indicators and charts with the API's figures, suppressed groups, exports."""

from __future__ import annotations

import csv
import io

import pytest

from tests import scenario as s
from tests.e2e.web import sign_in
from tests.integration.test_observatory import accompany


def test_the_observatory_sees_charts_and_suppressed_groups(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    accompany(ledger, w, clock, s.VALENCE, 5)
    accompany(ledger, w, clock, s.DIE, 1)
    sign_in(client, accounts.observatory)
    page = client.get("/observatoire")
    assert page.status_code == 200
    assert page.text.count('class="chart" role="img"') == 2
    assert "secret statistique (moins de 5 personnes)" in page.text
    valence_epci = ledger.territory.get(s.VALENCE).epci_name
    assert valence_epci in page.text and ledger.territory.get(s.DIE).epci_name in page.text
    figures = ledger.indicators(s.ADMIN)
    assert f'<span class="value">{figures.beneficiaries_accompanied}</span>' in page.text


def test_exports_match_the_api(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    accompany(ledger, w, clock, s.VALENCE, 5)
    sign_in(client, accounts.observatory)
    rows = list(
        csv.reader(io.StringIO(client.get("/observatoire/export.csv").content.decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0][0] == "trimestre" and len(rows) == 1 + len(ledger.observatory_export(s.ADMIN).items)
    as_json = client.get("/observatoire/export.json?du=2026-01-01&au=2026-12-31").json()
    assert as_json["items"] and all("suppressed" in r for r in as_json["items"])
    assert client.get("/observatoire?du=2026-12-31&au=2026-01-01").status_code == 400


@pytest.mark.parametrize("who", ["prescriber", "structure", "funder"])
def test_other_roles_cannot_open_observatory_pages(client, accounts, who):
    sign_in(client, getattr(accounts, who))
    assert client.get("/observatoire").status_code == 403
    assert client.get("/observatoire/export.csv").status_code == 403
