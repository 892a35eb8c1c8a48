"""QR codes as PNG images for the PDFs."""

from __future__ import annotations

import io

import segno


def qr_png(text: str, error: str = "m", border: int = 1, micro: bool | None = None) -> io.BytesIO:
    """``text`` as a QR code (error correction ``error``: l, m, q or h; ``micro``: segno's choice), a PNG ready
    for ``FPDF.image``."""
    out = io.BytesIO()
    segno.make(text, error=error, micro=micro).save(out, kind="png", scale=4, border=border)
    out.seek(0)
    return out
