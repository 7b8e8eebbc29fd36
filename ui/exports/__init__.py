"""Downloads: tables (CSV for Swedish Excel, XLSX), chart images and a one-page scenario brief.

Pure (no Streamlit import): every function takes a :class:`model.run.ScenarioResult`
or plain data and returns ``bytes`` or ``str``, so pages can hand them to
``st.download_button(data=lambda: ..., on_click="ignore")`` and tests can call them
directly. Texts come from ``ui/text/locales/exports.<lang>.toml`` (``exports.*``) plus the
shared catalogs; numbers are formatted with :mod:`ui.text.fmt`, so the brief shows exactly
the figures the dashboard shows.

Public API (all importable from ``ui.exports``)
-----------------------------------------------
Tables (:mod:`ui.exports.tables`)
    :func:`scenario_table`, :func:`levers_table`, :func:`targets_table`,
    :func:`readme_info`, :func:`to_excel_csv`, :func:`to_xlsx`, and the one-call
    :func:`scenario_csv` / :func:`scenario_xlsx`.
Charts (:mod:`ui.exports.images`)
    :func:`main_chart_spec`, :func:`chart_export_spec` (with title and source), :func:`chart_png`,
    :func:`chart_svg`, :func:`qr_png`.
Brief
    Content in :mod:`ui.exports.brief_text` (:class:`Brief`, :class:`Figure`), rendered by
    :func:`brief_html` (:mod:`ui.exports.html_brief`; self-contained, A4 print CSS) and
    :func:`brief_pdf` (:mod:`ui.exports.pdf_brief`; fpdf2, exactly one A4 page; needs the
    DejaVu Sans TTF, see :func:`find_font`). :mod:`ui.exports.common` holds helpers both use.

``FONT_DIRS`` is re-exported for reading; to change where :func:`find_font` looks, set
``ui.exports.pdf_brief.FONT_DIRS`` (or the ``KLIMATVAGAR_PDF_FONT`` environment variable).
"""
from __future__ import annotations

from ui.exports.brief_text import Brief, Figure
from ui.exports.common import MAX_NAME_CHARS, TOP_MEASURES
from ui.exports.html_brief import brief_html
from ui.exports.images import chart_export_spec, chart_png, chart_svg, main_chart_spec, qr_png
from ui.exports.pdf_brief import FONT_DIRS, FONT_ENV, BriefFontError, brief_pdf, find_font
from ui.exports.tables import (
    levers_table,
    readme_info,
    scenario_csv,
    scenario_metadata_csv,
    scenario_table,
    scenario_xlsx,
    targets_table,
    to_excel_csv,
    to_xlsx,
)

# The documented re-exports (Brief, Figure, the limits and the font settings) are listed so they stay public.
__all__ = [
    "FONT_DIRS", "FONT_ENV", "MAX_NAME_CHARS", "TOP_MEASURES", "Brief", "BriefFontError", "Figure", "brief_html",
    "brief_pdf", "chart_export_spec", "chart_png", "chart_svg", "find_font", "levers_table", "main_chart_spec",
    "qr_png", "readme_info", "scenario_csv", "scenario_metadata_csv", "scenario_table", "scenario_xlsx",
    "targets_table", "to_excel_csv", "to_xlsx",
]
