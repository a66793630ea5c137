"""A recap as an official PDF (WeasyPrint): kop surat, title, legal basis, the tables, notes and the signature block.

A4 portrait when every table fits, else landscape; a table still too wide is printed in parts, each repeating the stub
columns (code, name) and keeping a group such as a category's L/P/Jml together. Table headers repeat on every page
(``thead`` as ``table-header-group``); totals are the last body rows, so they are printed once. Pages are numbered
"Halaman X dari Y" in the page margin. The fonts are the DejaVu files bundled in ``static/fonts`` and nothing else,
so a document renders the same on every machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from reporting.recaps.columns import DisplayRow, RecapDocument, Section, header_rows
from reporting.recaps.letterhead import Issuer, long_date

CONTENT_TYPE = "application/pdf"
FONT_FILES = {
    "regular": "fonts/DejaVuSans.ttf",
    "bold": "fonts/DejaVuSans-Bold.ttf",
    "condensed": "fonts/DejaVuSansCondensed.ttf",
    "condensed_bold": "fonts/DejaVuSansCondensed-Bold.ttf",
}
# Usable width of the page in millimetres (A4 less the margins of pdf.css), and a little room for borders.
PORTRAIT_MM = 210 - 2 * 15
LANDSCAPE_MM = 297 - 2 * 12
SAFETY = 0.96


class FontMissing(RuntimeError):
    pass


def font_urls() -> dict[str, str]:
    """``file://`` URLs of the bundled fonts (found like any static file, so ``collectstatic`` layouts work too)."""
    urls = {}
    for name, path in FONT_FILES.items():
        found = finders.find(path)
        if not found:
            raise FontMissing(f"Font {path} tidak ditemukan di static/; PDF tidak dapat dibuat.")
        urls[name] = Path(found).resolve().as_uri()
    return urls


@dataclass
class PrintedPart:
    caption: str
    header: list
    rows: list[DisplayRow]
    widths: list[float]
    width_mm: float


def _parts(section: Section, budget_mm: float) -> list[PrintedPart]:
    columns = section.measured()
    width = sum(c.pdf_mm for c in columns)
    groups = section.parts(budget_mm) if width > budget_mm else [list(range(len(columns)))]
    printed = []
    for n, indexes in enumerate(groups, start=1):
        chosen = [columns[i] for i in indexes]
        values = [c for c in chosen if c.numeric]
        caption = ""
        if len(groups) > 1 and values:
            first, last = values[0], values[-1]
            caption = (
                f"Bagian {n} dari {len(groups)}: kolom {first.group or first.header} – {last.group or last.header}"
            )
        rows = section.display_rows(indexes)
        widths = [c.pdf_mm for c in chosen]
        scale = max(1.0, sum(widths) / budget_mm)  # a part wider than the page (a huge stub) is squeezed to fit
        printed.append(
            PrintedPart(caption, header_rows(chosen), rows, [w / scale for w in widths], sum(widths) / scale)
        )
    return printed


def css_string(text: str) -> str:
    """``text`` safe inside a double-quoted CSS string in a ``<style>`` element (quotes, backslashes, ``<`` ``>``
    ``&`` and control characters as CSS escapes), so a name can neither end the string nor the element."""
    return mark_safe("".join(f"\\{ord(c):x} " if c in '"\\<>&' or ord(c) < 32 else c for c in text))  # noqa: S308


def orientation(sections: list[Section]) -> str:
    widest = max((s.width_mm() for s in sections), default=0)
    return "portrait" if widest <= PORTRAIT_MM * SAFETY else "landscape"


def render_html(document: RecapDocument, *, issuer: Issuer, made_at: datetime, made_by: str = "") -> str:
    document.materialise()
    sections = list(document.sections)
    page = orientation(sections)
    budget = (PORTRAIT_MM if page == "portrait" else LANDSCAPE_MM) * SAFETY
    printed = [
        {"number": n, "section": s, "parts": _parts(s, budget), "new_page": n > 1 and len(s.rows) > 12}
        for n, s in enumerate(sections, start=1)
    ]
    return render_to_string(
        "reporting/recaps/pdf.html",
        {
            "document": document,
            "issuer": issuer,
            "sections": printed,
            "page": page,
            "fonts": font_urls(),
            "running_title": css_string(f"{document.name} · {document.wilayah_label} · {document.period.label}"),
            "logo_url": issuer.logo_path.resolve().as_uri() if issuer.logo_path else "",
            "signed_on": long_date(made_at.date()),
            "made_at": made_at,
            "made_by": made_by,
        },
    )


def write_pdf(
    document: RecapDocument,
    target: str | BinaryIO,
    *,
    issuer: Issuer,
    made_at: datetime,
    made_by: str = "",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Render ``document`` to ``target`` (a path or a binary file); returns the number of data rows printed."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_html(document, issuer=issuer, made_at=made_at, made_by=made_by)
    if progress:
        progress(40)
    fonts = FontConfiguration()
    rendered = HTML(string=html, base_url=str(settings.BASE_DIR)).render(font_config=fonts)
    if progress:
        progress(85)
    rendered.write_pdf(target)
    return sum(s.data_rows for s in document.sections)
