"""Helpers for the paper-scan tests: PDFs generated on the fly, so no binary fixture is committed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


def write_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF with a text layer: each page's strings drawn one per line, top to bottom."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        y = 800
        for line in lines:
            if line:
                pdf.drawString(72, y, line)
            y -= 14
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[[list[list[str]], str], Path]:
    def make(pages: list[list[str]], name: str = "paper.pdf") -> Path:
        return write_pdf(tmp_path / name, pages)

    return make
