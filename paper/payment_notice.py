"""A structure's payment notice (avis de paiement): what one settlement paid it, cheque by cheque."""

from __future__ import annotations

from fpdf import FPDF

from ledger.payment_commands import PaymentNotice
from paper.text import euros, french_date, latin1

COLUMNS = [("N°", 12), ("Numéro du chèque", 60), ("Date de l'accompagnement", 60), ("Montant", 48)]


def payment_status_text(status: str, executed_on: object) -> str:
    if status == "executed" and executed_on is not None:
        return f"payé le {french_date(executed_on)}"  # type: ignore[arg-type]  # a date when executed
    return "ordonnancé (virement transmis à la banque, exécution à venir)"


def render_payment_notice(notice: PaymentNotice) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(f"Avis de paiement {notice.end_to_end_id}")
    pdf.set_lang("fr-FR")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, "Fonds inter-opérateurs du chèque numérique Drômois", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 9, "Avis de paiement", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    made = f", ordonnancé le {french_date(notice.made_on)}" if notice.made_on else ""
    lines = [
        f"Structure : {latin1(notice.structure_name)}",
        f"Remboursement {notice.settlement_id} : chèques encaissés jusqu'au {french_date(notice.through)}{made}.",
        f"Virement SEPA au compte de {latin1(notice.holder)}, IBAN {notice.iban_masked}.",
        f"Référence du virement (EndToEndId) : {notice.end_to_end_id}.",
        f"État : {payment_status_text(notice.payment_status, notice.executed_on)}"
        + (f", référence de la banque {latin1(notice.bank_reference)}." if notice.bank_reference else "."),
    ]
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 9)
    for title, width in COLUMNS:
        pdf.cell(width, 7, title, border=1, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for n, cheque in enumerate(notice.cheques, start=1):
        day = french_date(cheque.session_date) if cheque.session_date else ""
        row = [str(n), cheque.serial, day, euros(cheque.amount_cents)]
        for (_title, width), text in zip(COLUMNS, row, strict=True):
            pdf.cell(width, 6, text, border=1, align="R" if text is row[-1] else "L")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(sum(w for _, w in COLUMNS[:-1]), 7, f"Total ({len(notice.cheques)} chèque(s))", border=1)
    pdf.cell(COLUMNS[-1][1], 7, euros(notice.total_cents), border=1, align="R")
    pdf.ln(10)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        "Chaque chèque remboursé figure dans le relevé de la structure (Mes paiements) et dans le journal des "
        "écritures des financeurs. En cas d'écart, contactez le gestionnaire du fonds au Département.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
