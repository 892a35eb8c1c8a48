"""A badge on paper (French): what was achieved, when, by whom, and a QR code of the signed credential.

The QR code holds the whole signed credential (compact JSON) when it fits in a QR code (about 2 900 bytes), so
the paper copy can be checked by any verifier without us; a credential too long for one (long texts) gets a
QR code of its id and the SHA-256 of its JSON file instead, which ties the paper to the file."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import segno
from fpdf import FPDF

from paper.qr import qr_png
from paper.text import french_date, latin1

BLUE = (0, 0, 145)


def qr_payload(credential: dict[str, Any]) -> tuple[str, bool]:
    """(text of the QR code, whether it is the whole credential)."""
    text = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    try:
        segno.make(text, error="l", micro=False)
        return text, True
    except segno.DataOverflowError:
        digest = hashlib.sha256(text.encode()).hexdigest()
        return f"{credential['id']} sha256:{digest}", False


def render_badge(credential: dict[str, Any], awarded_on: date) -> bytes:
    achievement = credential["credentialSubject"]["achievement"]
    issuer = credential["issuer"]
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(latin1(f"Badge : {achievement['name']}"))
    pdf.set_author(latin1(issuer["name"]))
    pdf.set_lang("fr-FR")
    pdf.add_page()
    pdf.set_fill_color(*BLUE)
    pdf.rect(0, 0, 210, 28, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(15, 8)
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 8, "Badge numérique")
    pdf.set_xy(15, 17)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, latin1(issuer["name"]))
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(15, 38)
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 7, "Ce badge atteste que la personne qui le détient a obtenu :", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(15)
    pdf.set_font("Helvetica", "B", 22)
    pdf.set_text_color(*BLUE)
    pdf.multi_cell(180, 10, latin1(achievement["name"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.set_x(15)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(180, 6, latin1(achievement["description"]), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_x(15)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, "Ce qu'il a fallu faire", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(15)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(180, 6, latin1(achievement["criteria"]["narrative"]), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_x(15)
    pdf.cell(0, 6, f"Délivré le {french_date(awarded_on)}.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(15)
    pdf.cell(0, 6, latin1(f"Émetteur : {issuer['name']}."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    payload, whole = qr_payload(credential)
    size = 80 if whole else 45
    if pdf.get_y() + size + 40 > 285:
        pdf.add_page()
    top = pdf.get_y()
    pdf.image(qr_png(payload, error="l", border=2, micro=False), x=15, y=top, w=size, h=size)
    pdf.set_xy(20 + size, top)
    pdf.set_font("Helvetica", "", 10)
    explained = (
        "Ce QR code contient le badge signé : n'importe quel vérificateur de badges peut le contrôler, sans nous."
        if whole
        else "Ce QR code contient le numéro du badge et l'empreinte de son fichier."
    )
    pdf.multi_cell(
        175 - size,
        5,
        explained + "\n\nGardez aussi le fichier du badge (.json) dans un portefeuille numérique "
        "(par exemple Learner Credential Wallet) : il prouve ce badge partout.\n\n"
        "Le badge ne porte pas votre nom : il vous est rattaché par un identifiant chiffré.",
        align="L",
    )
    pdf.set_xy(15, top + size + 4)
    pdf.set_font("Courier", "", 7)
    pdf.multi_cell(180, 3.5, f"Badge {credential['id']}\nÉmetteur {issuer['id']}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
