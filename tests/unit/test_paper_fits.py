"""Issue 18, finding 3: the printed book is worth handing over. Every word of a voucher lies inside its own
voucher (no line runs across the cut line or off the page), whatever the funder's name; the cover gives the
person's reference, the validity and how to use the cheques; nothing mentions a scratch-off area.

Word boxes come from poppler's ``pdftotext -bbox`` (the same tool a person's PDF reader would draw with)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from html import unescape
from uuid import uuid4

import pytest

from domain.codes import new_code, new_serial, reference_of
from ledger import types as t
from paper.cheque_book import COLS, MARGIN, ROWS, H, W, render_cheque_book

MM = 72 / 25.4
LONG_NAME = (
    "Conférence des financeurs de la prévention de la perte d’autonomie de la Drôme – programme coordonné 2026,"
    " volet inclusion numérique des personnes âgées vivant à domicile"
)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)


def book(count: int, funder: str = "F1", valid_until: date = date(2027, 3, 1)) -> t.ChequeBookOut:
    beneficiary_id = uuid4()
    cheques = [
        t.IssuedCheque(
            serial=new_serial(),
            code=new_code(),
            face_value_cents=100_000,
            valid_until=valid_until,
            funder_code=funder,
            commitment_id=uuid4(),
        )
        for _ in range(count)
    ]
    return t.ChequeBookOut(
        id=uuid4(),
        beneficiary_id=beneficiary_id,
        cheques=cheques,
        beneficiary_reference=reference_of(beneficiary_id),
        issued_on=date(2026, 12, 6),
    )


def words(pdf: bytes, tmp_path) -> list[list[tuple[float, float, float, float, str]]]:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed to measure the printed book", pytrace=False)
    path = tmp_path / "book.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [
        [(float(a), float(b), float(c), float(d), unescape(w)) for a, b, c, d, w in WORD.findall(page)]
        for page in PAGE.findall(html)
    ]


def voucher_of(x: float, y: float) -> tuple[int, int]:
    return int((x / MM - MARGIN) // W), int((y / MM - MARGIN) // H)


@pytest.mark.parametrize("funder", ["CAF de la Drôme", LONG_NAME, "X" * 200])
def test_every_word_of_a_voucher_stays_inside_it(tmp_path, funder: str) -> None:
    pdf = render_cheque_book(book(9, "F1"), {"F1": funder})
    pages = words(pdf, tmp_path)
    assert len(pages) == 3
    for page in pages[1:]:
        assert page, "vouchers have text"
        for x0, y0, x1, y1, word in page:
            col, row = voucher_of(x0, y0)
            assert 0 <= col < COLS and 0 <= row < ROWS, word
            left, top = (MARGIN + col * W + 1) * MM, (MARGIN + row * H + 1) * MM
            right, bottom = left + (W - 2) * MM, top + (H - 2) * MM
            assert left <= x0 and x1 <= right, f"« {word} » crosses the cut line of its voucher"
            assert top <= y0 and y1 <= bottom, f"« {word} » runs below its voucher"
    text = " ".join(w for page in pages[1:] for *_, w in page)
    assert text.count("Financé") == 9
    assert text.count("téléphone.") == 9, "the last instruction (never give the code by phone) is on every voucher"


def test_the_cover_tells_the_person_what_to_do(tmp_path) -> None:
    b = book(2, valid_until=date(2026, 12, 31))
    cover = " ".join(w for *_, w in words(render_cheque_book(b, {"F1": "CAF"}), tmp_path)[0])
    assert b.beneficiary_reference in cover
    assert "Valables jusqu'au 31 décembre 2026" in cover
    assert "utilisez vos chèques avant le 31 décembre 2026" in cover  # less than 90 days: said in bold
    assert "Comment utiliser vos chèques" in cover and "2 chèque(s), 2 000,00 euros en tout" in cover


def test_no_scratch_off_area_is_mentioned(tmp_path) -> None:
    pdf = render_cheque_book(book(1), {"F1": "CAF"})
    text = " ".join(w for page in words(pdf, tmp_path) for *_, w in page)
    assert "gratter" not in text
    assert "Code secret" in text
