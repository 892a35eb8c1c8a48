"""The papers of a loan of refurbished equipment, in French, to sign by hand: the loan agreement
(convention de prêt) when the device leaves, the return receipt (reçu de restitution) when it comes back.

The ledger never gives a structure the borrower's name (only the prescriber reads it), so the papers
carry the loan's and the person's identifiers and leave a line for the borrower to write and sign their
name: the paper holds what the person writes, the ledger nothing more than it already had."""

from __future__ import annotations

from fpdf import FPDF

from domain.codes import reference_of
from domain.lending import DEVICE_KIND_LABELS, months_started
from ledger import types as t
from paper.text import euros, french_date

TITLE = "Chèque numérique Drômois - prêt de matériel reconditionné"


def _pdf(title: str) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_lang("fr-FR")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 11, title, new_x="LMARGIN", new_y="NEXT")
    return pdf


def _facts(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(55, 6.5, label)
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 6.5, value, new_x="LMARGIN", new_y="NEXT")


def _text(pdf: FPDF, lines: list[str]) -> None:
    pdf.set_font("Helvetica", "", 10)
    for line in lines:
        pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def _signatures(pdf: FPDF, place_day: str) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, f"Fait à ____________________, le {place_day}, en deux exemplaires.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    y = pdf.get_y()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(90, 6, "L'emprunteur ou l'emprunteuse")
    pdf.cell(0, 6, "Pour la structure", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(90, 6, "Nom, prénom : ______________________")
    pdf.cell(0, 6, "Nom, fonction : ____________________", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(90, 6, "Signature :")
    pdf.cell(0, 6, "Signature et cachet :", new_x="LMARGIN", new_y="NEXT")
    pdf.rect(pdf.l_margin, y + 20, 80, 28)
    pdf.rect(pdf.l_margin + 90, y + 20, 80, 28)
    pdf.set_y(y + 52)


def _device(device: t.DeviceOut) -> str:
    kind = DEVICE_KIND_LABELS.get(device.kind, device.kind)  # type: ignore[call-overload]
    grade = f", reconditionné grade {device.grade}" if device.grade else ""
    return f"{kind}, numéro de série {device.serial_number}{grade}"


def render_loan_agreement(loan: t.LoanOut, device: t.DeviceOut, structure: t.StructureOut, source_name: str) -> bytes:
    pdf = _pdf("Convention de prêt de matériel")
    _facts(
        pdf,
        [
            ("Structure prêteuse", f"{structure.name} (SIRET {structure.siret})"),
            ("Référence du prêt", str(loan.id)),
            ("Référence du bénéficiaire", reference_of(loan.beneficiary_id)),
            ("Appareil prêté", _device(device)),
            ("Provenance", source_name),
            ("Début du prêt", french_date(loan.start_on)),
            ("Retour prévu le", french_date(loan.due_on)),
            ("Mensualité", f"{euros(loan.monthly_fee_cents)} par mois commencé"),
            ("Caution versée", euros(loan.deposit_cents)),
        ],
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Engagements", new_x="LMARGIN", new_y="NEXT")
    _text(
        pdf,
        [
            "1. La structure prête l'appareil décrit ci-dessus, reconditionné et en état de marche, pour "
            "l'usage personnel de l'emprunteur, qui ne peut ni le vendre, ni le prêter, ni le céder.",
            "2. L'emprunteur verse la caution ci-dessus à la signature. Elle lui est rendue au retour de "
            "l'appareil ; elle est conservée par la structure si l'appareil est perdu ou n'est pas rendu.",
            "3. Chaque mois de prêt commencé est dû au tarif de la mensualité ci-dessus ; il est réglé au "
            "retour de l'appareil.",
            "4. La structure accompagne l'emprunteur pendant tout le prêt (visites, appels, ateliers). "
            "Le prêt peut être prolongé d'un commun accord avant la date de retour prévue.",
            "5. L'appareil est rendu au plus tard à la date prévue, avec ses accessoires. Son état est "
            "constaté au retour et noté sur le reçu de restitution.",
            "6. Les données de l'emprunteur sont chiffrées dans le registre du chèque numérique et "
            "effaçables sur demande auprès de son prescripteur.",
        ],
    )
    _signatures(pdf, french_date(loan.start_on))
    return bytes(pdf.output())


def render_return_receipt(
    loan: t.LoanOut, device: t.DeviceOut, structure: t.StructureOut, postings: list[t.LoanPosting]
) -> bytes:
    """For an ended loan: what came back (or was declared lost), the deposit given back or kept, the
    fees due for the months begun, figure for figure from the loan's journal."""
    ended = loan.ended_on or loan.due_on
    returned = sum(p.amount_cents for p in postings if p.debit == "deposits_held" and p.credit == "beneficiary")
    kept = sum(p.amount_cents for p in postings if p.credit == "deposits_kept")
    fees = sum(p.amount_cents for p in postings if p.credit == "fees_collected")
    lost = loan.status == "lost"
    pdf = _pdf("Déclaration de perte" if lost else "Reçu de restitution")
    _facts(
        pdf,
        [
            ("Structure", f"{structure.name} (SIRET {structure.siret})"),
            ("Référence du prêt", str(loan.id)),
            ("Référence du bénéficiaire", reference_of(loan.beneficiary_id)),
            ("Appareil", _device(device)),
            ("Prêt du", f"{french_date(loan.start_on)} au {french_date(ended)}"),
            ("Déclaré perdu le" if lost else "Rendu le", french_date(ended)),
            ("Mois commencés", str(months_started(loan.start_on, ended))),
            ("Mensualités dues", euros(fees)),
            ("Caution rendue", euros(returned)),
            ("Caution conservée", euros(kept)),
            ("Suivis pendant le prêt", str(loan.follow_ups)),
        ],
    )
    pdf.ln(3)
    if lost:
        _text(pdf, ["L'appareil est déclaré perdu : la caution est conservée par la structure."])
    else:
        _text(
            pdf,
            [
                "État constaté au retour (cocher) :   [ ] en bon état    [ ] abîmé    [ ] incomplet",
                "Accessoires rendus : ____________________________________________",
                "La structure reconnaît avoir reçu l'appareil ci-dessus ; le prêt est terminé.",
            ],
        )
    _signatures(pdf, french_date(ended))
    return bytes(pdf.output())
