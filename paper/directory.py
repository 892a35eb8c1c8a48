"""The paper directory of mediation places (Action 3: « imprimer à la demande pour les EPCI/Communes l'offre
disponible sur leurs territoires »): the accredited places of an EPCI or a commune, grouped by commune, with
their address, contacts, opening hours in words and what one can do there. Also the last pages of every
cheque book (``add_directory_pages``), for people who are not online."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF

from ledger.types import DirectoryOut, DirectoryPlace
from paper.text import french_date, latin1

PAGE_H = 297
BOTTOM = 15
WIDTH = 180  # A4 minus 15 mm margins
BLUE = (0, 0, 145)
INTRO = (
    "Dans ces lieux, on vous aide à utiliser un ordinateur, une tablette, un téléphone ou internet, et à faire "
    "vos démarches en ligne. Les chèques numériques y sont acceptés."
)
EMPTY = (
    "Aucun lieu partenaire n'est encore recensé sur ce territoire. Demandez conseil à la personne qui vous a "
    "remis ce document, ou appelez le Département."
)


def _line(pdf: FPDF, height: float, text: str, style: str = "", size: float = 10) -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.multi_cell(WIDTH, height, latin1(text), new_x="LMARGIN", new_y="NEXT")


def _place_lines(place: DirectoryPlace) -> list[tuple[str, float, str]]:
    """The place's lines: (style, size, text)."""
    lines: list[tuple[str, float, str]] = [("B", 11.5, place.name)]
    if place.labels:
        lines.append(("I", 9, " · ".join(place.labels).replace("·", "-")))
    lines.append(("", 10, f"{place.address}, {place.postal_code} {place.commune}"))
    contacts = []
    if place.phone:
        contacts.append(f"Téléphone : {french_phone(place.phone)}")
    if place.email:
        contacts.append(f"Courriel : {place.email}")
    if contacts:
        lines.append(("", 10, "   ".join(contacts)))
    if place.website:
        lines.append(("", 10, f"Site : {place.website}"))
    if place.hours:
        lines.append(("B", 10, "Horaires"))
        lines.extend(("", 10, f"  {h}") for h in place.hours)
    else:
        lines.append(("", 10, "Horaires : appelez avant de venir."))
    if place.services:
        lines.append(("B", 10, "Ce que vous pouvez y faire"))
        lines.extend(("", 10, f"  - {s}") for s in place.services)
    return lines


def _height(lines: list[tuple[str, float, str]]) -> float:
    """About how tall a place is on paper (a long line may wrap: counted twice)."""
    return sum((6.5 if size >= 11 else 5.2) * (2 if len(text) > 95 else 1) for _, size, text in lines) + 4


def french_phone(phone: str) -> str:
    """+33475123456 -> 04 75 12 34 56 (how people dial it)."""
    if phone.startswith("+33") and len(phone) == 12 and phone[1:].isdigit():
        national = "0" + phone[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return phone


def _heading(pdf: FPDF, title: str, subtitle: str) -> None:
    pdf.add_page()
    pdf.set_text_color(*BLUE)
    _line(pdf, 8, title, "B", 16)
    pdf.set_text_color(0, 0, 0)
    _line(pdf, 6, subtitle, "B", 12)
    pdf.ln(1)
    _line(pdf, 5, INTRO, "", 10)
    pdf.ln(3)


def add_directory_pages(pdf: FPDF, directory: DirectoryOut, title: str, printed_on: date | None = None) -> None:
    """Appends the directory to ``pdf`` on new pages (the cheque book's last pages, or the whole directory)."""
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.set_margins(15, 15, 15)
    edition = f" - édité le {french_date(printed_on)}" if printed_on else ""
    _heading(pdf, title, directory.title + edition)
    if not directory.communes:
        _line(pdf, 6, EMPTY, "", 11)
        return
    for commune in directory.communes:
        # a commune's name never ends a page: it stays with its first place
        if pdf.get_y() + 12 + _height(_place_lines(commune.places[0])) > PAGE_H - BOTTOM:
            pdf.add_page()
        pdf.set_draw_color(*BLUE)
        pdf.set_text_color(*BLUE)
        _line(pdf, 8, commune.name, "B", 13.5)
        pdf.line(15, pdf.get_y(), 15 + WIDTH, pdf.get_y())
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)
        for place in commune.places:
            lines = _place_lines(place)
            if pdf.get_y() + _height(lines) > PAGE_H - BOTTOM:
                pdf.add_page()
            for style, size, text in lines:
                _line(pdf, 5.2 if size < 11 else 6.5, text, style, size)
            pdf.ln(4)


def add_places_of_book(pdf: FPDF, places: DirectoryOut | None) -> None:
    """The cheque book's last pages: the places of the beneficiary's EPCI (nothing when it is unknown)."""
    if places is not None:
        add_directory_pages(pdf, places, "Où utiliser vos chèques près de chez vous")


def render_directory(directory: DirectoryOut, printed_on: date) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(latin1(f"Lieux de médiation numérique - {directory.title}"))
    pdf.set_author("Département de la Drôme")
    pdf.set_lang("fr-FR")
    add_directory_pages(pdf, directory, "Où se faire aider pour le numérique", printed_on)
    return bytes(pdf.output())
