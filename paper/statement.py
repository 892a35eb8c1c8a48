"""A funder's statement: its reconciliation on paper, figure for figure."""

from __future__ import annotations

from fpdf import FPDF

from ledger.types import Reconciliation
from paper.text import euros, french_date

COLUMNS = [
    ("Convention", 48),
    ("Engagé", 24),
    ("Disponible", 24),
    ("Réservé", 24),
    ("Encaissé", 24),
    ("Payé", 24),
    ("Libéré", 22),
]


def render_statement(rec: Reconciliation, funder_name: str) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(f"Relevé {rec.funder_code} au {french_date(rec.as_of)}")
    pdf.set_lang("fr-FR")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, "Fonds inter-opérateurs du chèque numérique Drômois", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(
        0,
        7,
        f"Relevé du financeur {funder_name} ({rec.funder_code}) au {french_date(rec.as_of)}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 8)
    for title, width in COLUMNS:
        pdf.cell(width, 7, title, border=1, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    rows: list[tuple[str | int, ...]] = [
        (
            c.reference,
            c.committed_cents,
            c.available_cents,
            c.reserved_cents,
            c.redeemed_cents,
            c.paid_cents,
            c.released_cents,
        )
        for c in rec.commitments
    ]
    rows.append(
        (
            "Total",
            rec.committed_cents,
            rec.available_cents,
            rec.reserved_cents,
            rec.redeemed_cents,
            rec.paid_cents,
            rec.released_cents,
        )
    )
    for row in rows:
        for (_title, width), value in zip(COLUMNS, row, strict=True):
            text = value if isinstance(value, str) else euros(value).replace(" euros", "")
            pdf.cell(width, 7, text[:28], border=1, align="L" if isinstance(value, str) else "R")
        pdf.ln()
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    lines = [
        f"Versements reçus du financeur : {euros(rec.received_cents)}.",
        f"Position de trésorerie (reçu - payé) : {euros(rec.received_cents - rec.paid_cents)}.",
        "Pour chaque convention : engagé = disponible + réservé + encaissé + payé.",
        "Rapprochement équilibré : oui." if rec.balanced else "ATTENTION : le rapprochement n'est pas équilibré.",
        "Chaque montant se retrouve, écriture par écriture, dans la page « Journal » de votre espace financeur.",
    ]
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
