"""A prescriber's list: search by name or commune (accents and case aside) and pages of 25."""

from __future__ import annotations

import re

from api.web.paging import search_and_page
from tests import scenario as s
from tests.e2e.web import sign_in

ROW = re.compile(r'<a href="/prescripteur/beneficiaires/[0-9a-f-]{36}">')


def test_search_and_pages(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    for i in range(29):
        s.beneficiary(ledger, w.prescriber_actor, first_name=f"Personne{i:02d}", last_name="Durand")
    s.beneficiary(ledger, w.prescriber_actor, first_name="Héloïse", last_name="Chabert", commune=s.DIE)
    sign_in(client, accounts.prescriber)
    first = client.get("/prescripteur").text
    assert len(ROW.findall(first)) == 25 and "Page 1 sur 2" in first and "page=2" in first
    second = client.get("/prescripteur?page=2").text
    assert len(ROW.findall(second)) == 6 and "Page précédente" in second  # 31 with the world's person
    found = client.get("/prescripteur?q=heloise+CHABERT").text
    assert len(ROW.findall(found)) == 1 and "Héloïse" in found and "1 bénéficiaire(s)" in found
    assert len(ROW.findall(client.get("/prescripteur?q=die").text)) == 1, "by commune name too"
    assert len(ROW.findall(client.get("/prescripteur?q=personne&page=99").text)) == 4, "the last page"


def test_paging_keeps_every_entry_once():
    entries = list(range(53))
    seen = [e for p in range(1, 4) for e in search_and_page(entries, "", str, str(p)).items]
    assert seen == entries and search_and_page(entries, "", str, "x").page == 1
