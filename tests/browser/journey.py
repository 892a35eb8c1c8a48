"""A person's journey in the browser, step by step: each page reached is screenshot (``screenshots/``, named by
journey, width and step) and checked by axe-core; the journey fails at its end if any page had a serious or
critical violation. The printed book is read back as text (pypdf) and as word boxes (poppler's
``pdftotext -bbox``), and its pages are saved as images (``pdftoppm``) beside the screenshots."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

from pypdf import PdfReader

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_accessibility import violations

WIDTHS = [1280, 390]
ALPHABET = "0-9A-HJKMNP-TV-Z"
NEW_SERIAL = re.compile(rf"\b[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]\b")
ANY_SERIAL = re.compile(rf"\b[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[0-9A-Z*~$=]")
REFERENCE = re.compile(rf"\bB-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]\b")
VOUCHER = re.compile(
    rf"Numéro du chèque\s+([{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[0-9A-Z*~$=])\s+Code secret\s+([0-9A-Z]{{6}})"
)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)


@dataclass
class Journey:
    browser: object
    site: object
    name: str
    width: int
    step: int = 0
    found: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        context = self.browser.new_context(  # type: ignore[attr-defined]
            base_url=self.site.url,  # type: ignore[attr-defined]
            locale="fr-FR",
            accept_downloads=True,
            bypass_csp=True,  # axe-core is injected into the page
            viewport={"width": self.width, "height": 900 if self.width > 500 else 844},
        )
        self.page = context.new_page()

    def see(self, what: str) -> None:
        """A step of the journey: screenshot the page as it stands, then run axe-core on it."""
        self.step += 1
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"parcours-{self.name}-{self.width}-{self.step:02d}-{what}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        self.found += violations(self.page)

    def download_pdf(self, locator: str = "#pdf") -> bytes:
        with self.page.expect_download() as download:
            self.page.locator(locator).click()
        return Path(download.value.path()).read_bytes()

    def pdf_images(self, pdf: bytes, what: str) -> list[Path]:
        """The PDF's pages as images (pdftoppm), saved beside the screenshots."""
        if shutil.which("pdftoppm") is None:
            raise AssertionError("pdftoppm (poppler-utils) is needed to look at the printed book")
        SCREENSHOTS.mkdir(exist_ok=True)
        stem = SCREENSHOTS / f"parcours-{self.name}-{self.width}-{what}"
        source = stem.with_suffix(".pdf")
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(stem)], check=True)
        source.unlink()
        return sorted(SCREENSHOTS.glob(f"{stem.name}-*.png"))

    def close(self) -> None:
        self.page.context.close()
        assert self.found == [], "axe-core:\n" + "\n".join(self.found)


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_words(pdf: bytes, tmp_path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Every word of every page with its box in points (poppler's own layout of the PDF)."""
    if shutil.which("pdftotext") is None:
        raise AssertionError("pdftotext (poppler-utils) is needed to measure the printed book")
    path = tmp_path / "carnet.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [
        [(float(a), float(b), float(c), float(d), unescape(w)) for a, b, c, d, w in WORD.findall(page)]
        for page in PAGE.findall(html)
    ]
