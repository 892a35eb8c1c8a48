"""The printable cheque book: a cover page for the person, then one cut-out voucher per cheque, eight to an
A4 page.

The cover gives the person's reference (what a structure types for a loan or a PIX test), how long the
cheques are valid and how to use them. Each voucher shows its value, serial, verification code, validity,
funder and a QR code of the serial, with instructions in plain, easy-to-read French. Every line is measured
with the font's own widths (``FPDF.get_string_width``) and wrapped or shortened to stay inside its voucher:
nothing runs across a cut line. The codes exist only here and in the JSON answer.

``build_cheque_book`` returns the open document, so that more pages (the directory of places) can be added
after the vouchers before it is output.
"""

from __future__ import annotations

from fpdf import FPDF

from domain.cheques import SHORT_VALIDITY_DAYS
from domain.codes import reference_of
from domain.values import french_day
from ledger.types import ChequeBookOut, DirectoryOut, IssuedCheque
from paper.directory import add_places_of_book
from paper.qr import qr_png
from paper.text import euros, fit, wrap

PAGE_W, PAGE_H = 210, 297
COLS, ROWS = 2, 4
MARGIN = 8
W = (PAGE_W - 2 * MARGIN) / COLS
H = (PAGE_H - 2 * MARGIN) / ROWS
PAD = 4  # inside a voucher's dashed cut line
TEXT_W = W - 2 * PAD
QR = 26

INSTRUCTIONS = [  # one line each on a voucher (the places are listed on the cover)
    "Ce chèque paie une séance d'aide au numérique dans un lieu partenaire.",
    "Donnez le numéro et le code à la personne qui vous accompagne.",
    "Ne donnez jamais le code par téléphone.",
]

HOW_TO = [
    "Allez dans un lieu partenaire : France services, Éclaireurs du numérique, conseiller numérique.",
    "Pour chaque séance d'aide, donnez un chèque. La personne qui vous accompagne recopie son numéro "
    "et son code secret.",
    "Un chèque sert une seule fois. Gardez les autres pour les séances suivantes.",
    "Pour emprunter un ordinateur ou passer un test PIX, donnez votre référence (ci-dessus).",
    "Ne donnez jamais un code par téléphone, par SMS ou par e-mail.",
    "Carnet perdu ? Votre prescripteur peut le réimprimer : les codes de l'ancien carnet ne marcheront plus.",
]


def _lines(pdf: FPDF, x: float, y: float, lines: list[str], height: float) -> float:
    for line in lines:
        pdf.set_xy(x, y)
        pdf.cell(TEXT_W, height, line)
        y += height
    return y


def _voucher(pdf: FPDF, x: float, y: float, cheque: IssuedCheque, funder_names: dict[str, str]) -> None:
    pdf.set_draw_color(120, 120, 120)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    pdf.rect(x + 1, y + 1, W - 2, H - 2)
    pdf.set_dash_pattern()
    left = x + PAD
    beside_qr = TEXT_W - QR - 2
    pdf.set_text_color(0, 0, 145)
    pdf.set_font("Helvetica", "B", 12)
    pdf.set_xy(left, y + 4)
    pdf.cell(beside_qr, 6, fit(pdf, "Chèque numérique Drômois", beside_qr))
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 18)
    pdf.set_xy(left, y + 10)
    pdf.cell(beside_qr, 9, fit(pdf, euros(cheque.face_value_cents), beside_qr))
    pdf.image(qr_png(cheque.serial), x=x + W - PAD - QR, y=y + 5, w=QR, h=QR)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_xy(left, y + 19)
    pdf.cell(beside_qr, 5, "Numéro du chèque")
    pdf.set_font("Courier", "B", 13)
    pdf.set_xy(left, y + 23)
    pdf.cell(beside_qr, 6, cheque.serial)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_xy(left, y + 29.5)
    pdf.cell(beside_qr, 5, "Code secret")
    pdf.set_font("Courier", "B", 13)
    pdf.set_xy(left, y + 33.5)
    pdf.cell(beside_qr, 6, cheque.code)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_xy(left, y + 40.5)
    pdf.cell(TEXT_W, 4.5, fit(pdf, f"Valable jusqu'au {french_day(cheque.valid_until)}", TEXT_W))
    funder = funder_names.get(cheque.funder_code, cheque.funder_code)
    bottom = _lines(pdf, left, y + 45, wrap(pdf, f"Financé par : {funder}", TEXT_W, 2), 4)
    pdf.set_font("Helvetica", "", 7.5)
    room = int((y + H - PAD - (bottom + 1)) // 3.3)  # lines of instructions left above the cut line
    lines = [line for sentence in INSTRUCTIONS for line in wrap(pdf, sentence, TEXT_W, 3)]
    _lines(pdf, left, bottom + 1, lines[: max(room, 0)], 3.3)


def _cover(pdf: FPDF, book: ChequeBookOut) -> None:
    pdf.add_page()
    width = PAGE_W - 2 * 20
    pdf.set_left_margin(20)
    pdf.set_right_margin(20)
    pdf.set_text_color(0, 0, 145)
    pdf.set_font("Helvetica", "B", 22)
    pdf.set_xy(20, 22)
    pdf.cell(width, 12, "Carnet de chèques numériques")
    pdf.set_xy(20, 34)
    pdf.set_font("Helvetica", "", 13)
    pdf.cell(width, 7, "Département de la Drôme - aide au numérique")
    pdf.set_text_color(0, 0, 0)

    pdf.set_draw_color(0, 0, 145)
    pdf.set_line_width(0.6)
    pdf.rect(20, 48, width, 34)
    pdf.set_line_width(0.2)
    pdf.set_font("Helvetica", "", 12)
    pdf.set_xy(26, 52)
    pdf.cell(width - 12, 6, "Votre référence")
    pdf.set_font("Courier", "B", 26)
    pdf.set_xy(26, 60)
    pdf.cell(width - 12, 12, book.beneficiary_reference or reference_of(book.beneficiary_id))
    pdf.set_font("Helvetica", "", 10)
    pdf.set_xy(26, 73)
    pdf.cell(
        width - 12,
        5,
        fit(pdf, "À donner au lieu qui vous accompagne pour un prêt de matériel ou un test PIX.", width - 12),
    )

    total = sum(c.face_value_cents for c in book.cheques)
    until = sorted({c.valid_until for c in book.cheques})
    pdf.set_font("Helvetica", "", 12)
    y = 92.0
    facts = [f"{len(book.cheques)} chèque(s), {euros(total)} en tout."]
    if book.issued_on:
        facts.append(f"Carnet imprimé le {french_day(book.issued_on)}.")
    if until:
        validity = (
            f"Valables jusqu'au {french_day(until[0])}."
            if len(until) == 1
            else f"Valables jusqu'au {french_day(until[0])} pour les premiers, au {french_day(until[-1])} au plus tard."
        )
        facts.append(validity)
    for fact in facts:
        for line in wrap(pdf, fact, width, 2):
            pdf.set_xy(20, y)
            pdf.cell(width, 7, line)
            y += 7
    if until and book.issued_on and (until[0] - book.issued_on).days < SHORT_VALIDITY_DAYS:
        pdf.set_font("Helvetica", "B", 12)
        for line in wrap(pdf, f"Attention : utilisez vos chèques avant le {french_day(until[0])}.", width, 2):
            pdf.set_xy(20, y)
            pdf.cell(width, 7, line)
            y += 7
    y += 6
    pdf.set_font("Helvetica", "B", 15)
    pdf.set_xy(20, y)
    pdf.cell(width, 8, "Comment utiliser vos chèques")
    y += 11
    pdf.set_font("Helvetica", "", 12)
    for number, step in enumerate(HOW_TO, start=1):
        for i, line in enumerate(wrap(pdf, step, width - 10, 3)):
            pdf.set_xy(20, y)
            pdf.cell(10, 6.5, f"{number}." if i == 0 else "")
            pdf.cell(width - 10, 6.5, line)
            y += 6.5
        y += 2.5
    pdf.set_font("Helvetica", "", 10)
    pdf.set_xy(20, PAGE_H - 25)
    pdf.cell(
        width, 5, fit(pdf, "Les chèques sont sur les pages suivantes : découpez-les en suivant les pointillés.", width)
    )


def build_cheque_book(book: ChequeBookOut, funder_names: dict[str, str] | None = None) -> FPDF:
    """The book as an open document: the cover, then the vouchers (more pages may be added after)."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title("Carnet de chèques numériques")
    pdf.set_author("Département de la Drôme - fonds inter-opérateurs")
    pdf.set_lang("fr-FR")
    _cover(pdf, book)
    per_page = COLS * ROWS
    for index, cheque in enumerate(book.cheques):
        if index % per_page == 0:
            pdf.add_page()
        slot = index % per_page
        _voucher(pdf, MARGIN + (slot % COLS) * W, MARGIN + (slot // COLS) * H, cheque, funder_names or {})
    if not book.cheques:
        pdf.add_page()
        pdf.set_font("Helvetica", "", 12)
        pdf.set_xy(20, 20)
        pdf.cell(0, 10, "Aucun chèque à imprimer dans ce carnet.")
    return pdf


def render_cheque_book(
    book: ChequeBookOut, funder_names: dict[str, str] | None = None, places: DirectoryOut | None = None
) -> bytes:
    """The book's PDF: cover, vouchers, then the places of the beneficiary's EPCI (paper/directory.py)."""
    pdf = build_cheque_book(book, funder_names)
    add_places_of_book(pdf, places)
    return bytes(pdf.output())
