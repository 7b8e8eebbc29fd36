"""Download buttons for the current scenario: data (CSV, Excel), the main chart (PNG, SVG), the brief.

Files are built only when clicked (deferred ``data=callable``), in Streamlit's download thread,
so the callables must not call ``st.*``.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from model.run import ScenarioResult
from ui import exports
from ui.text.i18n import t


def _slug(result: ScenarioResult) -> str:
    name = result.kommun.name.lower()
    for a, b in (("å", "a"), ("ä", "a"), ("ö", "o"), ("é", "e"), (" ", "-")):
        name = name.replace(a, b)
    return f"klimatvagar-{name}-{int(result.years[-1])}"


def render_export_panel(result: ScenarioResult, lang: str, share_url: str) -> None:
    """One row of deferred download buttons."""
    slug = _slug(result)
    items: list[tuple[str, Callable[[], bytes | str], str, str]] = [
        (t("export.csv", lang), lambda: exports.scenario_csv(result, lang), f"{slug}.csv", "text/csv"),
        (t("exports.meta.download", lang), lambda: exports.scenario_metadata_csv(result, lang, share_url),
         f"{slug}-om-datat.csv" if lang == "sv" else f"{slug}-about.csv", "text/csv"),
        (t("export.xlsx", lang), lambda: exports.scenario_xlsx(result, lang, share_url), f"{slug}.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (t("export.png", lang), lambda: exports.chart_png(exports.chart_export_spec(result, lang)),
         f"{slug}.png", "image/png"),
        (t("export.svg", lang), lambda: exports.chart_svg(exports.chart_export_spec(result, lang)),
         f"{slug}.svg", "image/svg+xml"),
        (t("export.brief_pdf", lang), lambda: exports.brief_pdf(result, lang, share_url), f"{slug}.pdf",
         "application/pdf"),
        (t("export.brief_html", lang), lambda: exports.brief_html(result, lang, share_url), f"{slug}.html",
         "text/html"),
    ]
    st.markdown(f"**{t('export.title', lang)}**")
    cols = st.columns(2)
    for i, (label, build, name, mime) in enumerate(items):
        cols[i % 2].download_button(label, data=build, file_name=name, mime=mime, on_click="ignore",
                                    icon=":material/download:", width="stretch", key=f"dl_{i}")
