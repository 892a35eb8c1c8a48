"""Issue 18: « the structure's statement has no period, CSV or PDF ». A structure opens its statement, picks
last month, reads its balances and cheques, types a period backwards and reads why it is refused next to the
field, then downloads the month as CSV and as PDF; the PDF is read back (text and word boxes) and its pages
saved as images. At 1280 and 390 px, axe-core on every page reached, no page wider than the window."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import eventsourcing.domain
import pytest

from ledger.clock import PARIS, paris_today
from tests import scenario as s
from tests.browser.conftest import overflow, sign_in
from tests.browser.journey import WIDTHS, Journey, pdf_pages, pdf_words

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]  # fmt: skip


def recorded_last_month(site, monkeypatch, clock) -> tuple[date, date, list, str]:
    """Two cheques redeemed and settled on the 15th of last month (the events stamped that day), one
    redeemed today: what the statement of last month must show, and must not."""
    today = paris_today()  # the server's day
    day = (today.replace(day=1) - timedelta(days=1)).replace(day=15)
    stamp = {"at": datetime.combine(day, time(12), PARIS).astimezone(UTC)}
    now = eventsourcing.domain.datetime_now_with_tzinfo
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: stamp["at"] or now())
    ledger, w = site.ledger, site.world
    clock.today = day
    cheques = s.book(ledger, w, count=3).cheques
    for c in cheques[:2]:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, day, "collective"))
    settlement = ledger.settle(s.ADMIN, s.t.NewSettlement(through=day))
    stamp["at"], clock.today = None, today
    ledger.redeem(w.structure_actor, s.redemption(cheques[2].serial, cheques[2].code, today))
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end, cheques, settlement.lines[0].end_to_end_id


def french(d: date) -> str:
    return f"{'1er' if d.day == 1 else d.day} {MONTHS[d.month - 1]} {d.year}"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_structure_reads_last_month_and_takes_it_away_as_csv_and_pdf(
    site, browser, width, monkeypatch, clock, tmp_path
):
    start, end, cheques, transfer = recorded_last_month(site, monkeypatch, clock)
    j = Journey(browser, site, "releve", width)
    wide: list[str] = []

    def see(what: str) -> None:
        j.see(what)
        if found := overflow(j.page):
            wide.append(found)

    sign_in(j.page, site.accounts.structure)
    j.page.goto("/structure")
    j.page.get_by_role("link", name="Relevé").first.click()
    j.page.wait_for_load_state()
    this_month = j.page.locator("#encaissements").inner_text()
    assert cheques[2].serial in this_month and cheques[0].serial not in this_month
    see("ce-mois")

    j.page.get_by_role("link", name="Le mois dernier").click()
    j.page.wait_for_load_state()
    assert j.page.get_by_label("Du").input_value() == start.isoformat()
    assert j.page.get_by_label("Au").input_value() == end.isoformat()
    lines = j.page.locator("#encaissements").inner_text()
    assert cheques[0].serial in lines and cheques[1].serial in lines and cheques[2].serial not in lines
    assert transfer in j.page.locator("#remboursements").inner_text()
    assert re.sub(r"\s", "", j.page.locator("#paye-fin").inner_text()) == "20,00€"
    assert re.sub(r"\s", "", j.page.locator("#du-fin").inner_text()) == "0,00€"
    see("mois-dernier")

    j.page.get_by_label("Du").fill(end.isoformat())
    j.page.get_by_label("Au").fill(start.isoformat())
    j.page.get_by_role("button", name="Afficher le relevé").click()
    j.page.wait_for_load_state()
    assert "même jour que son début ou après" in j.page.locator("#f-au-error").inner_text()
    assert j.page.get_by_label("Au").get_attribute("aria-invalid") == "true"
    see("periode-refusee")
    j.page.get_by_role("link", name="Le mois dernier").click()
    j.page.wait_for_load_state()

    with j.page.expect_download() as download:
        j.page.locator("#csv").click()
    table = Path(download.value.path()).read_bytes()
    assert table.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(table.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Date", "Mouvement", "Chèque"]
    assert sorted(r[2] for r in rows if r[1] == "Encaissement") == sorted(c.serial for c in cheques[:2])
    assert [r[8] for r in rows if r[1] == "Remboursement"] == [transfer]

    pdf = j.download_pdf("#pdf")
    text = "\n".join(pdf_pages(pdf))
    assert "Relevé de la structure : Fab'At Valence" in text and f"SIRET : {s.SIRET_FABAT}" in text
    assert f"Période du {french(start)} au {french(end)}" in text and f"Édité le {french(paris_today())}" in text
    assert cheques[0].serial in text and cheques[1].serial in text and cheques[2].serial not in text
    assert transfer in text and "Atelier collectif" in text and "page 1 / 1" in text
    for page in pdf_words(pdf, tmp_path):  # every word inside the page's margins (A4: 595 x 842 pt)
        for x0, y0, x1, y1, word in page:
            assert x0 >= 28 and x1 <= 567 and y0 > 0 and y1 <= 842, f"« {word} » runs off the page"
    assert len(j.pdf_images(pdf, "releve")) == 1  # screenshots/parcours-releve-<width>-releve-1.png
    j.close()
    assert wide == []
