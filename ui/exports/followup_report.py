"""The one-page follow-up report (plan against actual) as PDF and HTML, Swedish or English.

Pure: no Streamlit. The same figures and sentences as the Uppföljning page (ui/followup/text.py);
the PDF reuses the brief's fpdf2 layout helper (:class:`ui.exports.pdf_brief._Pdf`, exactly one
A4 page), the HTML the brief's print CSS.
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import re
from dataclasses import dataclass

from model.followup import Followup
from ui.charts.theme import to_png
from ui.exports.html_brief import _CSS
from ui.exports.pdf_brief import _Pdf, find_font
from ui.followup import text as ft
from ui.followup.charts import sector_chart
from ui.text.i18n import normalize_lang, t


@dataclass(frozen=True)
class Figure:
    """One headline box: label, value (with unit), a line under it."""

    label: str
    value: str
    sub: str


@dataclass(frozen=True)
class Report:
    """Everything the report shows, as text in one language (plus the chart as PNG)."""

    lang: str
    kind: str
    date: str
    title: str
    subtitle: str
    figures: tuple[Figure, ...]
    chart_png: bytes
    chart_description: str
    sentences_title: str
    sentences: tuple[str, ...]
    revision_title: str
    revision: str
    rates_title: str
    rates: tuple[str, ...]
    indicator_title: str
    indicator: tuple[str, ...]
    link_title: str
    share_url: str
    sources: tuple[str, ...]


def report(f: Followup, lang: str = "sv", share_url: str = "", today: _dt.date | None = None) -> Report:
    """The report's content for a compared follow-up (``f.status == "compared"``).

    Raises
    ------
    ValueError
        If nothing was measured since the scenario's release (there is nothing to report).
    """
    if f.status != "compared" or f.total is None or f.rates is None:
        raise ValueError("followup report: nothing measured since the scenario's release")
    lang = normalize_lang(lang)
    today = today or _dt.date.today()
    y, tot, r = f.years[-1], f.total, f.rates
    figures = (
        Figure(t("followup.report.figure_expected", lang, year=y), ft.tonnes(tot.expected_t[y], lang),
               t("followup.report.figure_gross", lang)),
        Figure(t("followup.report.figure_measured", lang, year=y), ft.tonnes(tot.measured_t[y], lang),
               t("followup.report.figure_gross", lang)),
        Figure(t("followup.report.figure_gap", lang), ft.tonnes(tot.gap_t, lang, signed=True),
               ft.pct(tot.gap_pct, lang, signed=True, decimals=1)),
        Figure(t("followup.report.figure_rate", lang), ft.pct(r.rate_now_pct, lang, decimals=1),
               t("followup.report.figure_rate_sub", lang, year=r.from_year_now,
                 then=ft.pct(r.rate_then_pct, lang, decimals=1))))
    spec = sector_chart(f, lang)
    indicator: list[str] = []
    for ind in f.indicators:
        indicator.append(ft.indicator_text(ind, lang))
        if not ind.recorded:
            indicator.append(t("followup.indicator_none", lang, kommun=f.kommun.name))
    return Report(
        lang=lang, kind=t("followup.report.kind", lang), date=today.isoformat(),
        title=t("followup.report.title", lang, year=y, kommun=f.kommun.name),
        subtitle=t("followup.report.subtitle", lang, base_year=f.base_year, year=y, date=today.isoformat()),
        figures=figures, chart_png=to_png(spec, scale=2), chart_description=str(spec.get("description", "")),
        sentences_title=t("followup.sentences_title", lang), sentences=tuple(ft.sentences(f, lang)),
        revision_title=t("followup.revision_title", lang, year=f.base_year), revision=ft.revision_text(f, lang),
        rates_title=t("followup.rates_title", lang), rates=tuple(ft.rate_lines(f, lang)),
        indicator_title=t("followup.indicator_title", lang), indicator=tuple(indicator),
        link_title=t("followup.report.link_title", lang), share_url=share_url,
        sources=(ft.emissions_source(f, lang), *(ft.indicator_source(i, lang) for i in f.indicators)))


def file_name(f: Followup, lang: str, ext: str) -> str:
    """``uppfoljning_<kommun>_<year>.<ext>`` (English: ``follow-up_…``), ASCII only."""
    stem = "uppfoljning" if normalize_lang(lang) == "sv" else "follow-up"
    kommun = re.sub(r"[^a-z0-9]+", "-", f.kommun.name.lower().translate(str.maketrans("åäöé", "aaoe"))).strip("-")
    return f"{stem}_{kommun}_{f.years[-1] if f.years else f.base_year}.{ext}"


def followup_pdf(f: Followup, lang: str = "sv", share_url: str = "", *, today: _dt.date | None = None) -> bytes:
    """The report as a one-page A4 PDF.

    Raises
    ------
    ui.exports.pdf_brief.BriefFontError
        When DejaVu Sans is not installed.
    """
    find_font()
    b = report(f, lang, share_url, today)
    doc = _Pdf(b.lang, b.title)
    pdf, M, cw = doc.pdf, doc.M, doc.cw
    doc.font(7.5, color=doc.GREY)
    doc.text(M, M, cw / 2, 3.5, b.kind)
    doc.text(M + cw / 2, M, cw / 2, 3.5, b.date, align="R")
    doc.font(16, bold=True)
    y = doc.text(M, M + 4.5, cw, 7, b.title)
    doc.font(8.5, color=(68, 68, 68))
    y = doc.text(M, y + 0.5, cw, 4, b.subtitle) + 2
    gap, bh = 2.5, 19.0
    bw = (cw - 3 * gap) / 4
    for k, fig in enumerate(b.figures):
        x = M + k * (bw + gap)
        pdf.set_draw_color(204, 204, 204)
        pdf.set_line_width(0.3)
        pdf.rect(x, y, bw, bh)
        pdf.set_fill_color(*(doc.ORANGE if k == 2 and fig.value.startswith("+") else doc.BLUE))
        pdf.rect(x, y, bw, 1.2, style="F")
        doc.font(7.5, color=(68, 68, 68))
        doc.text(x + 1.5, y + 2.2, bw - 3, 3.3, fig.label)
        size = 13.0
        doc.font(size, bold=True)
        while pdf.get_string_width(fig.value) > bw - 3 - 2 * pdf.c_margin - 0.3 and size > 7:
            size -= 0.5
            doc.font(size, bold=True)
        doc.text(x + 1.5, y + 7.6, bw - 3, 6, fig.value)
        doc.font(6.8, color=doc.GREY)
        doc.text(x + 1.5, y + 13.8, bw - 3, 2.9, fig.sub)
    y += bh + 3
    from PIL import Image

    with Image.open(io.BytesIO(b.chart_png)) as im:
        px_w, px_h = im.size
    ch = min(cw * px_h / px_w, 84.0)
    w = ch * px_w / px_h
    pdf.image(io.BytesIO(b.chart_png), x=M, y=y, w=w, h=ch, alt_text=b.chart_description)
    y += ch + 2
    for title, lines, bullet in ((b.sentences_title, b.sentences, True), (b.revision_title, (b.revision,), False),
                                 (b.rates_title, b.rates, True), (b.indicator_title, b.indicator, False)):
        doc.font(10, bold=True)
        y = doc.text(M, y, cw, 5, title) + 0.3
        doc.font(8.2)
        for line in lines:
            if bullet:
                doc.text(M - 0.8, y, 4.3, 3.7, "•")
            y = doc.text(M + (3.5 if bullet else 0), y, cw - (3.5 if bullet else 0), 3.7, line) + 0.3
        y += 1.2
    doc.line(y)
    y += 1.5
    if b.share_url:
        doc.font(8, bold=True)
        y = doc.text(M, y, cw, 4, b.link_title)
        pdf.set_font("DejaVu", "", 6.8)
        pdf.set_text_color(*doc.BLUE)
        href = b.share_url if re.match(r"^https?://", b.share_url, re.I) else ""
        y = doc.text(M, y, cw, 3.0, b.share_url, wrap="CHAR", link=href) + 1
    doc.font(6.6, color=(68, 68, 68))
    for src in b.sources:
        y = doc.text(M, y, cw, 2.9, src) + 0.4
    if pdf.page_no() != 1 or y > doc.H - M + 0.01:
        raise RuntimeError("followup_pdf: layout overflowed one page")
    return bytes(pdf.output())


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def followup_html(f: Followup, lang: str = "sv", share_url: str = "", *, today: _dt.date | None = None) -> str:
    """The report as a self-contained HTML document (A4 print CSS, every text escaped)."""
    b = report(f, lang, share_url, today)
    png = "data:image/png;base64," + base64.b64encode(b.chart_png).decode("ascii")
    out = [f'<!DOCTYPE html>\n<html lang="{_e(b.lang)}">\n<head>\n<meta charset="utf-8">\n',
           '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
           f"<title>{_e(b.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
           f"<header><span>{_e(b.kind)}</span><span>{_e(b.date)}</span></header>\n",
           f'<h1>{_e(b.title)}</h1>\n<p class="subtitle">{_e(b.subtitle)}</p>\n<section class="figures">\n']
    out += [f'<div class="figure"><div class="label">{_e(x.label)}</div><div class="value">{_e(x.value)}</div>'
            f'<div class="sub">{_e(x.sub)}</div></div>\n' for x in b.figures]
    out.append(f'</section>\n<figure class="chart"><img src="{png}" alt="{_e(b.chart_description)}"></figure>\n')
    for title, lines, as_list in ((b.sentences_title, b.sentences, True), (b.revision_title, (b.revision,), False),
                                  (b.rates_title, b.rates, True), (b.indicator_title, b.indicator, False)):
        out.append(f"<section><h2>{_e(title)}</h2>\n")
        out.append("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in lines) + "</ul>\n" if as_list
                   else "".join(f"<p>{_e(x)}</p>" for x in lines))
        out.append("</section>\n")
    out.append("<footer>\n<div>")
    if b.share_url:
        href = b.share_url if re.match(r"^https?://", b.share_url, re.I) else None
        link = f'<a class="url" href="{_e(href)}">{_e(b.share_url)}</a>' if href else \
            f'<span class="url">{_e(b.share_url)}</span>'
        out.append(f"<strong>{_e(b.link_title)}</strong><br>{link}")
    out += [f'<p class="source">{_e(s)}</p>' for s in b.sources]
    out.append("</div>\n</footer>\n</body>\n</html>\n")
    return "".join(out)
