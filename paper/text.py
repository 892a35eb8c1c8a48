"""French formatting shared by the printed documents."""

from __future__ import annotations

from datetime import date

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
