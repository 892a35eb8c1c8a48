"""Funders see what their money did: sessions, people, places by name and their EPCI (small groups not
shown, as at the observatory), structures by name in the journal and its CSV, and a chart per balance."""

from __future__ import annotations

import csv
import io
import re

from ledger import types as t
from tests import scenario as s
from tests.e2e.web import sign_in


def sessions(ledger, w, clock, people: int, commune: str = s.VALENCE) -> None:
    """``people`` persons of ``commune``, one redeemed cheque each at the world's structure."""
    for i in range(people):
        b = s.beneficiary(ledger, w.prescriber_actor, commune=commune, first_name=f"P{i}")
        book = ledger.issue_book(
            w.prescriber_actor, t.NewChequeBook(beneficiary_id=b.id, count=1, face_value_cents=1000)
        )
        c = book.cheques[0]
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, clock.today, kind="collective", minutes=90))


def test_the_funder_sees_sessions_people_places_and_epci(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    sessions(ledger, w, clock, 6)  # Valence: 6 people, shown
    sessions(ledger, w, clock, 2, commune=s.DIE)  # Die: 2 people, under the threshold
    sign_in(client, accounts.funder)
    page = client.get("/financeur/resultats")
    assert page.status_code == 200
    text = page.text
    assert 'id="seances">8<' in text and 'id="personnes">8<' in text and 'id="lieux">1<' in text
    assert "Fab&#39;At Valence" in text or "Fab'At Valence" in text, "the place by its name"
    assert "CA Valence Romans Agglo" in text
    row = re.search(r"CC du Diois.*?</tr>", text, re.S)
    assert row and "non affiché" in row.group(0), "a group of 2 people shows no figure"
    out = ledger.funder_outcomes(s.ADMIN, "DEPT26")
    assert out.sessions_by_kind == {"collective": 8} and out.minutes == 8 * 90
    assert [r.suppressed for r in out.by_epci] == [False, True]


def test_a_handful_of_people_is_not_counted_in_clear(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    sessions(ledger, w, clock, 2)
    sign_in(client, accounts.funder)
    text = client.get("/financeur/resultats").text
    assert 'id="personnes">moins de 5<' in text and 'id="seances">2<' in text


def test_the_journal_and_its_csv_name_the_structures(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    sessions(ledger, w, clock, 1)
    sign_in(client, accounts.funder)
    assert "Fab'At Valence</td>" in client.get("/financeur/journal").text.replace("&#39;", "'")
    rows = list(
        csv.reader(io.StringIO(client.get("/financeur/journal.csv").content.decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0][-2:] == ["Structure", "Nom de la structure"] and rows[0][0] == "Position", "columns kept, one added"
    redeemed = [r for r in rows[1:] if r[3] == "Chèque encaissé"]
    assert redeemed and redeemed[0][-2] == str(w.structure.id) and redeemed[0][-1] == "Fab'At Valence"


def test_each_balance_has_its_own_scale(client, accounts, ledger_world, clock):
    """20 000 € available beside 10 € redeemed: each series on its own chart, its top near the chart's top."""
    ledger, w, _ = ledger_world
    sessions(ledger, w, clock, 1)
    sign_in(client, accounts.funder)
    text = client.get("/financeur").text
    wide = re.findall(r'<svg class="chart" .*?</svg>', text, re.S)
    assert len(wide) == 4, "one chart per balance"
    drawn = 0
    for svg in wide:
        ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
        zero = max(float(y) for y in re.findall(r'<line [^>]*y1="([\d.]+)"', svg))
        top = min(float(y) for y in re.findall(r'<line [^>]*y1="([\d.]+)"', svg))
        if min(ys) < zero:  # a series that is not zero all along
            assert min(ys) - top < (zero - top) / 2, "its highest point is in the upper half of its own chart"
            drawn += 1
    assert drawn >= 2, "available and reserved/redeemed both drawn above zero"
