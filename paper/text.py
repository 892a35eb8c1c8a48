"""French formatting shared by the printed documents."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF
from text_unidecode import unidecode


def euros(cents: int) -> str:
    """1234567 -> '12 345,67 euros' (the core PDF fonts have no euro sign)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", " ")
    return f"{sign}{grouped},{rest:02d} euros"


def french_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


TYPOGRAPHY = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "\u202f": " ",
        "œ": "oe",
        "Œ": "OE",
        "Ÿ": "Y",
        "€": "EUR",
    }
)


def latin1(text: str) -> str:
    """Text the PDF core fonts can draw (Latin-1): French typography folded to its plain forms (« ’ » → « ' »,
    « – » → « - », « œ » → « oe »), anything else outside Latin-1 transliterated, never a server error."""
    return "".join(c if ord(c) < 256 else unidecode(c) for c in text.translate(TYPOGRAPHY))


def fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` shortened with an ellipsis until it is at most ``width`` mm wide in the current font."""
    text = latin1(text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."


def wrap(pdf: FPDF, text: str, width: float, max_lines: int) -> list[str]:
    """``text`` in lines at most ``width`` mm wide in the current font, words kept whole; at most
    ``max_lines`` lines, the last shortened with an ellipsis when the text is longer."""
    lines: list[str] = []
    current = ""
    for word in latin1(text).split():
        candidate = f"{current} {word}".strip()
        if pdf.get_string_width(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    lines = [fit(pdf, line, width) for line in lines]  # a single word wider than the line
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], fit(pdf, " ".join(lines[max_lines - 1 :]) + " ...", width)]
    return lines
