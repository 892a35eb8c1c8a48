"""The structure's statement on paper: every word inside its cell and the page, a long name on two lines,
the table's header again on each page, « page X / Y » on every page (words measured by poppler)."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from ledger import types as t
from paper.structure_statement import (
    LINE_AMOUNT,
    LINE_COLUMNS,
    SETTLEMENT_COLUMNS,
    SETTLEMENT_TAIL,
    render_structure_statement,
)
from tests.unit.test_paper_fits import LONG_NAME, words

MM = 72 / 25.4


def statement(lines: int) -> t.PeriodStatementOut:
    kinds = ["individual", "collective", "administrative_procedure"]
    return t.PeriodStatementOut(
        structure_id="s",
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        opening=t.StatementBalance(due_cents=123_456_789_00, paid_cents=0),
        closing=t.StatementBalance(due_cents=0, paid_cents=9_999_999_999),
        redeemed_count=lines,
        redeemed_cents=lines * 100_000,
        reversed_count=0,
        reversed_cents=0,
        settled_count=0,
        settled_cents=0,
        redemptions=[
            t.StatementLine(
                day=date(2026, 11, 2),
                position=n,
                kind="reversed" if n % 5 == 0 else "redeemed",
                serial="WWWW-WWWW-W",
                amount_cents=100_000_000_00,
                session_date=date(2026, 11, 1),
                session_kind=kinds[n % 3],
            )
            for n in range(lines)
        ],
        next_cursor=None,
        settlements=[
            t.StatementSettlement(
                day=date(2026, 11, 3),
                settlement_id="x",
                count=1000,
                amount_cents=9_999_999_999,
                end_to_end_id="S0123456789ABCDEF0123L0001",
                iban_masked="FR76 **** **** **** **** *** 0136",
                payment_status="executed",
                executed_on=date(2026, 11, 30),
                bank_reference="REF",
            )
        ],
    )


def test_every_word_stays_in_its_cell_and_each_page_is_numbered(tmp_path) -> None:
    pdf = render_structure_statement(statement(120), LONG_NAME, "73282932000074", date(2026, 12, 6))
    pages = words(pdf, tmp_path)
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 3
    grids = {
        "WWWW-WWWW-W": [*LINE_COLUMNS, LINE_AMOUNT],
        "S0123456789ABCDEF0123L0001": [*SETTLEMENT_COLUMNS, *SETTLEMENT_TAIL],
    }
    edges = {
        key: [10.0 + sum(w for _, w in columns[:n]) for n in range(len(columns) + 1)] for key, columns in grids.items()
    }
    checked = 0
    for number, (page, text) in enumerate(zip(pages, texts, strict=True), start=1):
        assert f"page {number} / {len(pages)}" in text
        assert "Enregistré le" in text, "the lines' header again on every page"
        assert "Relevé de la structure" in text and "SIRET : 73282932000074" in text
        for x0, _y0, x1, y1, word in page:
            assert x0 >= 10 * MM - 1 and x1 <= 200 * MM + 1 and y1 <= 297 * MM - 5 * MM, f"« {word} » off the page"
        rows = {round(y0): edges[word] for _, y0, _, _, word in page if word in edges}  # a table's row: its key
        for x0, y0, x1, _, word in page:
            if (row := rows.get(round(y0))) is not None:
                checked += 1
                inside = [a for a, b in zip(row, row[1:], strict=False) if a * MM <= x0 and x1 <= b * MM]
                assert inside, f"« {word} » crosses a column's edge"
    assert checked > 120 * 6
    first = texts[0].splitlines()
    assert first[0].startswith("Relevé de la structure : Conférence des financeurs")
    assert first[1].endswith("..."), "a long name on two lines, then shortened"
