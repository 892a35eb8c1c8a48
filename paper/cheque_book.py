"""The printable cheque book: one cut-out voucher per cheque, eight to an A4 page.

Each voucher shows its value, serial, verification code, validity, funder and a QR code of the serial,
with instructions in plain, easy-to-read French. The codes exist only here and in the JSON answer.
"""

from __future__ import annotations

import io

import segno
from fpdf import FPDF

from ledger.types import ChequeBookOut, DirectoryOut, IssuedCheque
from paper.directory import add_places_of_book
from paper.text import euros, french_date

PAGE_W, PAGE_H = 210, 297
COLS, ROWS = 2, 4
MARGIN = 8
W = (PAGE_W - 2 * MARGIN) / COLS
H = (PAGE_H - 2 * MARGIN) / ROWS

INSTRUCTIONS = [
    "Ce chèque paie une séance d'aide au numérique.",
    "Montrez-le dans un lieu partenaire (France services, Éclaireurs du numérique, conseiller numérique).",
    "Donnez le numéro et le code à la personne qui vous accompagne.",
    "Ne donnez jamais le code par téléphone.",
]


def _qr_png(text: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=4, border=1)
    out.seek(0)
    return out


def _voucher(pdf: FPDF, x: float, y: float, cheque: IssuedCheque, funder_names: dict[str, str]) -> None:
    pdf.set_draw_color(120, 120, 120)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    pdf.rect(x + 1, y + 1, W - 2, H - 2)
    pdf.set_dash_pattern()
    pdf.set_text_color(0, 0, 145)
    pdf.set_xy(x + 4, y + 4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(W - 8, 6, "Chèque numérique Drômois")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(x + 4, y + 10)
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(W - 40, 9, euros(cheque.face_value_cents))
    pdf.image(_qr_png(cheque.serial), x=x + W - 32, y=y + 5, w=26, h=26)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_xy(x + 4, y + 19)
    pdf.cell(W - 40, 5, "Numéro du chèque")
    pdf.set_font("Courier", "B", 13)
    pdf.set_xy(x + 4, y + 23)
    pdf.cell(W - 40, 6, cheque.serial)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_xy(x + 4, y + 29.5)
    pdf.cell(W - 8, 5, "Code secret")
    pdf.set_font("Courier", "B", 13)
    pdf.set_xy(x + 4, y + 33.5)
    pdf.cell(W - 8, 6, cheque.code)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_xy(x + 4, y + 40.5)
    pdf.cell(W - 8, 5, f"Valable jusqu'au {french_date(cheque.valid_until)}")
    pdf.set_xy(x + 4, y + 45)
    funder = funder_names.get(cheque.funder_code, cheque.funder_code)
    pdf.cell(W - 8, 5, f"Financé par : {funder}"[:70])
    pdf.set_font("Helvetica", "", 7.5)
    pdf.set_xy(x + 4, y + 51)
    pdf.multi_cell(W - 8, 3.3, "\n".join(INSTRUCTIONS))


def render_cheque_book(
    book: ChequeBookOut, funder_names: dict[str, str] | None = None, places: DirectoryOut | None = None
) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title("Carnet de chèques numériques")
    pdf.set_author("Département de la Drôme – fonds inter-opérateurs")
    pdf.set_lang("fr-FR")
    per_page = COLS * ROWS
    for index, cheque in enumerate(book.cheques):
        if index % per_page == 0:
            pdf.add_page()
        slot = index % per_page
        _voucher(pdf, MARGIN + (slot % COLS) * W, MARGIN + (slot // COLS) * H, cheque, funder_names or {})
    if not book.cheques:
        pdf.add_page()
        pdf.set_font("Helvetica", "", 12)
        pdf.cell(0, 10, "Aucun chèque à imprimer dans ce carnet.")
    add_places_of_book(pdf, places)  # the places of the beneficiary's EPCI (paper/directory.py)
    return bytes(pdf.output())
