"""The one-page scenario brief as a PDF (fpdf2, exactly one A4 page; needs DejaVu Sans)."""
from __future__ import annotations

import datetime as _dt
import io
import os
import re
from pathlib import Path

from model.run import MODEL_VERSION, ScenarioResult
from ui.exports.brief_text import _brief

#: Where :func:`find_font` looks for DejaVu Sans (Debian/Ubuntu ``fonts-dejavu-core``, Fedora,
#: Arch, Alpine, macOS Homebrew). ``KLIMATVAGAR_PDF_FONT`` (path to the regular TTF) wins.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu-sans-fonts",
             "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu", "/usr/local/share/fonts",
             "/opt/homebrew/share/fonts", str(Path.home() / ".fonts"))
FONT_ENV = "KLIMATVAGAR_PDF_FONT"


class BriefFontError(RuntimeError):
    """The Unicode TTF the PDF needs (DejaVu Sans) was not found."""


def find_font() -> tuple[Path, Path | None]:
    """Paths of DejaVu Sans regular and bold (bold may be None).

    Raises
    ------
    BriefFontError
        When no DejaVuSans.ttf is found; the message says how to install it.
    """
    env = os.environ.get(FONT_ENV)
    candidates = [Path(env)] if env else []
    candidates += [Path(d) / "DejaVuSans.ttf" for d in FONT_DIRS]
    for regular in candidates:
        if regular.is_file():
            bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
            return regular, bold if bold.is_file() else None
    raise BriefFontError(
        "PDF-sammanfattningen behöver typsnittet DejaVu Sans (för å, ä, ö och CO₂) men "
        "DejaVuSans.ttf hittades inte. Installera det med `apt-get install fonts-dejavu-core` "
        f"eller ange sökvägen i miljövariabeln {FONT_ENV}. / The PDF brief needs the DejaVu Sans "
        "font; install fonts-dejavu-core or set " + FONT_ENV + ".")


class _Pdf:
    """Thin layout helper around fpdf2 (millimetres, A4, no automatic page breaks)."""

    W, H, M = 210.0, 297.0, 12.0
    GREY, DARK, BLUE, GREEN, ORANGE = (85, 85, 85), (26, 26, 26), (0, 114, 178), (27, 110, 58), (213, 94, 0)

    def __init__(self, lang: str, title: str) -> None:
        from fpdf import FPDF

        regular, bold = find_font()
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_margins(self.M, self.M, self.M)
        pdf.set_auto_page_break(False)
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold or regular))
        pdf.set_title(title)
        pdf.set_lang("sv-SE" if lang == "sv" else "en-GB")
        pdf.set_creator(f"Klimatvägar {MODEL_VERSION}")
        pdf.add_page()
        pdf.c_margin = 0.8
        self.pdf = pdf
        self.cw = self.W - 2 * self.M

    def font(self, size: float, bold: bool = False, color: tuple[int, int, int] | None = None) -> None:
        self.pdf.set_font("DejaVu", "B" if bold else "", size)
        self.pdf.set_text_color(*(color or self.DARK))

    def height(self, w: float, lh: float, text: str) -> float:
        from fpdf.enums import MethodReturnValue

        return float(self.pdf.multi_cell(w, lh, text, dry_run=True, output=MethodReturnValue.HEIGHT))

    def text(self, x: float, y: float, w: float, lh: float, text: str, align: str = "L",
             wrap: str = "WORD", link: str = "") -> float:
        """Write wrapped text at (x, y); returns the y below it."""
        from fpdf.enums import WrapMode, XPos, YPos

        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(w, lh, text, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT,
                            wrapmode=WrapMode.CHAR if wrap == "CHAR" else WrapMode.WORD, link=link)
        return float(self.pdf.get_y())

    def line(self, y: float, color: tuple[int, int, int] = (204, 204, 204), width: float = 0.3) -> None:
        self.pdf.set_draw_color(*color)
        self.pdf.set_line_width(width)
        self.pdf.line(self.M, y, self.W - self.M, y)


def brief_pdf(result: ScenarioResult, lang: str = "sv", share_url: str = "", *,
              today: _dt.date | None = None, scenario_name: str | None = None) -> bytes:
    """The one-page scenario brief as a PDF (A4, always exactly one page).

    Same content and figures as :func:`brief_html`. If the assumptions do not fit, the
    list is cut and ends with "… och N åtgärder till" (the full list is in the Excel file).

    Raises
    ------
    BriefFontError
        When DejaVu Sans is not installed (see :func:`find_font`).
    """
    find_font()  # fail before the (slower) chart rendering
    b = _brief(result, lang, share_url, today, scenario_name)
    doc = _Pdf(b.lang, b.title)
    pdf, M, cw = doc.pdf, doc.M, doc.cw

    # Header, title, subtitle.
    doc.font(7.5, color=doc.GREY)
    doc.text(M, M, cw / 2, 3.5, b.kind)
    doc.text(M + cw / 2, M, cw / 2, 3.5, b.date, align="R")
    doc.font(16, bold=True)
    y = doc.text(M, M + 4.5, cw, 7, b.title)
    doc.font(8.5, color=(68, 68, 68))
    y = doc.text(M, y + 0.5, cw, 4, b.subtitle) + 2

    # Headline figures: four boxes.
    gap = 2.5
    bw = (cw - 3 * gap) / 4
    bh = 21.0
    for k, f in enumerate(b.figures):
        x = M + k * (bw + gap)
        accent = doc.BLUE if f.good is None else (doc.GREEN if f.good else doc.ORANGE)
        pdf.set_draw_color(204, 204, 204)
        pdf.set_line_width(0.3)
        pdf.rect(x, y, bw, bh)
        pdf.set_fill_color(*accent)
        pdf.rect(x, y, bw, 1.2, style="F")
        doc.font(7.5, color=(68, 68, 68))
        doc.text(x + 1.5, y + 2.2, bw - 3, 3.3, f.label)
        size = 13.0
        doc.font(size, bold=True)
        while pdf.get_string_width(f.value) > bw - 3 - 2 * pdf.c_margin - 0.3 and size > 7:
            size -= 0.5
            doc.font(size, bold=True)
        doc.text(x + 1.5, y + 8.6, bw - 3, 6, f.value)
        doc.font(6.8, color=doc.GREY)
        doc.text(x + 1.5, y + 15.0, bw - 3, 2.9, f.sub)
    y += bh + 3

    # Summary.
    doc.font(9)
    y = doc.text(M, y, cw, 4.2, " ".join(b.summary))
    if b.notes:
        doc.font(7.5, color=doc.GREY)
        y = doc.text(M, y + 0.5, cw, 3.4, " ".join(b.notes))
    y += 2

    # Chart.
    doc.font(10, bold=True)
    y = doc.text(M, y, cw, 5, b.chart_title) + 0.5
    from PIL import Image  # fpdf2 depends on Pillow

    with Image.open(io.BytesIO(b.chart_png)) as im:
        px_w, px_h = im.size
    ch = cw * px_h / px_w
    pdf.image(io.BytesIO(b.chart_png), x=M, y=y, w=cw, h=ch, alt_text=b.chart_description)
    y += ch + 2.5

    # Measures (left) and actors (right).
    lw, rw, sep = cw * 0.55, cw * 0.41, cw * 0.04
    top = y
    doc.font(10, bold=True)
    y_left = doc.text(M, y, lw, 5, b.measures_title) + 0.5
    if b.measures:
        doc.font(8.5)
        c2 = max(16.0, max(pdf.get_string_width(v) for _, v, _ in b.measures) + 2 * pdf.c_margin + 1)
        doc.font(8.5, bold=True)
        c3 = max(22.0, max(pdf.get_string_width(r) for _, _, r in b.measures) + 2 * pdf.c_margin + 1)
        c1 = lw - c2 - c3
        doc.font(7.5, bold=True, color=doc.GREY)
        doc.text(M, y_left, c1, 3.6, b.measure_headers[0])
        doc.text(M + c1, y_left, c2, 3.6, b.measure_headers[1], align="R")
        doc.text(M + c1 + c2, y_left, c3, 3.6, b.measure_headers[2], align="R")
        y_left += 4
        for label, value, red in b.measures:
            doc.font(8.5)
            row_end = doc.text(M, y_left, c1, 3.9, label)
            doc.text(M + c1, y_left, c2, 3.9, value, align="R")
            doc.font(8.5, bold=True)
            doc.text(M + c1 + c2, y_left, c3, 3.9, red, align="R")
            pdf.set_draw_color(221, 221, 221)
            pdf.set_line_width(0.2)
            pdf.line(M, row_end + 0.3, M + lw, row_end + 0.3)
            y_left = row_end + 0.7
    else:
        doc.font(8.5)
        y_left = doc.text(M, y_left, lw, 4, b.measures_none)
    xr = M + lw + sep
    doc.font(10, bold=True)
    y_right = doc.text(xr, top, rw, 5, b.actors_title) + 0.5
    doc.font(8.5, bold=True)
    name_w = max(pdf.get_string_width(label) for label, _, _ in [*b.actors, (b.actors_total[0], "", 0)])
    name_w += 2 * pdf.c_margin + 1.5
    num_w = max(pdf.get_string_width(v) for v in [b.actors_total[1], *(v for _, v, _ in b.actors)])
    num_w += 2 * pdf.c_margin + 1
    bar_w = rw - name_w - num_w - 1
    for label, value, share in b.actors:
        doc.font(8.5)
        doc.text(xr, y_right, name_w, 4.2, label)
        if share > 0:
            pdf.set_fill_color(*doc.BLUE)
            pdf.rect(xr + name_w, y_right + 1.0, max(0.4, min(share, 1.0) * bar_w), 2.4, style="F")
        doc.text(xr + rw - num_w, y_right, num_w, 4.2, value, align="R")
        y_right += 4.6
    doc.font(8.5, bold=True)
    doc.text(xr, y_right, name_w, 4.2, b.actors_total[0])
    doc.text(xr + rw - num_w, y_right, num_w, 4.2, b.actors_total[1], align="R")
    y_right += 4.6
    doc.font(6.8, color=doc.GREY)
    y_right = doc.text(xr, y_right, rw, 3, b.actors_note)
    y = max(y_left, y_right) + 2.5

    # Footer (fixed at the bottom): QR code, link, source line.
    qr = 27.0
    text_w = cw - qr - 4
    doc.font(7)
    source_h = doc.height(text_w, 3.1, b.source_line)
    pdf.set_font("DejaVu", "", 6.8)
    url_h = doc.height(text_w, 3.0, b.share_url) if b.share_url else 0.0
    link_block = (4.5 + url_h + 3.2 + 1.5) if b.share_url else 0.0
    footer_h = max(qr if b.qr_png else 0.0, link_block + source_h) + 2.5
    footer_top = doc.H - M - footer_h

    # Assumptions: as many as fit between the tables and the footer.
    doc.font(10, bold=True)
    y = doc.text(M, y, cw, 5, b.assumptions_title) + 0.3
    room = footer_top - 1.5 - y
    doc.font(7)
    lh = 3.1
    bullet = 3.5
    heights = [doc.height(cw - bullet, lh, a) + 0.4 for a in b.assumptions]
    shown = len(b.assumptions)
    more_h = lh + 0.4
    if sum(heights) > room:
        shown = 0
        used = 0.0
        while shown < len(heights) and used + heights[shown] + more_h <= room:
            used += heights[shown]
            shown += 1
    for a in b.assumptions[:shown]:
        doc.font(7, color=(51, 51, 51))
        doc.text(M - 0.8, y, bullet + 0.8, lh, "•")
        y = doc.text(M + bullet, y, cw - bullet, lh, a) + 0.4
    if shown < len(b.assumptions):
        doc.font(7, color=doc.GREY)
        text = b.assumptions_more.get(shown) or "…"
        y = doc.text(M + bullet, y, cw - bullet, lh, text) + 0.4

    doc.line(footer_top)
    fy = footer_top + 2
    if b.qr_png:
        pdf.image(io.BytesIO(b.qr_png), x=doc.W - M - qr, y=fy, w=qr, h=qr,
                  link=b.share_url if re.match(r"^https?://", b.share_url, re.I) else "",
                  alt_text=b.link_title + " (QR)")
    if b.share_url:
        doc.font(8.5, bold=True)
        fy = doc.text(M, fy, text_w, 4.5, b.link_title)
        pdf.set_font("DejaVu", "", 6.8)
        pdf.set_text_color(*doc.BLUE)
        href = b.share_url if re.match(r"^https?://", b.share_url, re.I) else ""
        fy = doc.text(M, fy, text_w, 3.0, b.share_url, wrap="CHAR", link=href)
        doc.font(7, color=doc.GREY)
        fy = doc.text(M, fy, text_w, 3.2, b.link_help) + 1.5
    doc.font(7, color=(68, 68, 68))
    doc.text(M, fy, text_w, 3.1, b.source_line)

    if pdf.page_no() != 1:  # pragma: no cover - auto page break is off; guard the promise anyway
        raise RuntimeError("brief_pdf: layout overflowed one page")
    return bytes(pdf.output())

