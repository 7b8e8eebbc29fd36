"""The "Data och metod" page: sources, the method in plain language, the levers, the kommun's inputs, downloads.

Everything shown is generated: the source table from :mod:`model.sources`, the
lever and parameter tables from the registry (``model/registry.toml``), the
kommun tables from the validated SMHI/SCB data, and the numbers in the method
text from the model's own constants. Strings live in ``ui/text/locales/data.*.toml``.
"""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from model.baseline import POP_GROWTH_YEARS, build_context
from model.budget_rate import DEFAULT_BUDGET_RATE, KOMMUN_BUDGET_RATES
from model.data import Kommun, load_dataset
from model.klimatkollen import CARBON_LAW_RATE
from model.kommuner import UnknownKommunError, find_kommun
from model.registry import load_registry
from model.sources import SOURCES, source_line
from model.targets import TargetSpec
from ui.exports import inputs as ex
from ui.text.fmt import NBSP, fmt_number, fmt_pct
from ui.text.i18n import actor_label, normalize_lang, sector_label, t

DEFAULT_KOMMUN = "0381"
METHOD_SECTIONS = ("data", "baseline", "subsectors", "levers", "combine", "removals", "targets", "attribution",
                   "uncertainty", "blind")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The year of SMHI's sub-sector shares (the 2021 sub-sector release, data/subsectors_2019_smhi2021.csv).
SUBSECTOR_YEAR = "2019"
_COMMIT = re.compile(r"@([0-9a-f]{7})[0-9a-f]{33}")


def render_data_page(lang: str, kommun_code: str) -> None:
    """Render the whole "Data och metod" page.

    Parameters
    ----------
    lang : str
        Language of the session ("sv"/"SV" or "en"/"EN"); unknown values give Swedish.
    kommun_code : str
        SCB code of the selected kommun, e.g. "0381"; an unknown code falls back to
        Enköping with a warning.
    """
    lang = normalize_lang(lang)
    kommun = _resolve_kommun(kommun_code, lang)
    st.title(t("page.data_method", lang))
    st.write(t("data_page.intro", lang))
    st.caption(t("data_page.kommun_caption", lang, kommun=kommun.name, code=kommun.code, lan=kommun.lan))
    names = ("sources", "method", "levers", "kommun", "download")
    tabs = st.tabs([t(f"data_page.tab.{n}", lang) for n in names])
    with tabs[0]:
        _sources(lang)
    with tabs[1]:
        _method(lang, kommun)
    with tabs[2]:
        _levers(lang, kommun)
    with tabs[3]:
        _kommun_data(lang, kommun)
    with tabs[4]:
        _downloads(lang, kommun)


def _resolve_kommun(code: str, lang: str) -> Kommun:
    try:
        return find_kommun(str(code))
    except UnknownKommunError:
        fallback = find_kommun(DEFAULT_KOMMUN)
        st.warning(t("data_page.unknown_kommun", lang, code=str(code), fallback=fallback.name))
        return fallback


def sources_table(lang: str) -> pd.DataFrame:
    """One row per shipped data file: title, producer, release, years, coverage, retrieval, caveats, licence."""
    c = {k: t(f"data_page.col.{k}", lang) for k in ("file", "title", "producer", "vintage", "years",
                                                  "coverage", "retrieval", "caveats", "licence")}
    rows = []
    for s in SOURCES:
        retrieval = "; ".join(_COMMIT.sub(r"@\1", r) for r in s.retrieval)
        if s.per_row_source:
            retrieval = (retrieval + " · " if retrieval else "") + t("data_page.sources.per_row", lang)
        rows.append({c["file"]: s.file, c["title"]: s.title.get(lang),
                     c["producer"]: f"{s.producer}: {s.product.get(lang)}", c["vintage"]: s.vintage.get(lang),
                     c["years"]: s.years_label(lang), c["coverage"]: s.coverage.get(lang),
                     c["retrieval"]: retrieval, c["caveats"]: s.caveat_text(lang), c["licence"]: s.licence.get(lang)})
    return pd.DataFrame(rows)


def _sources(lang: str) -> None:
    st.header(t("data_page.sources.heading", lang))
    st.write(t("data_page.sources.intro", lang))
    df = sources_table(lang)
    wide = st.column_config.TextColumn(width="large")
    st.dataframe(df, hide_index=True, width="stretch", row_height=70,
                 column_config={t("data_page.col.caveats", lang): wide, t("data_page.col.licence", lang): wide})
    st.caption(t("data_page.sources.licence_note", lang))
    st.caption(t("data_page.sources.provenance_note", lang))


def _join(items: list[str], lang: str) -> str:
    """Sector names inside a sentence: "transporter, jordbruk samt avfall och avlopp" / "transport, agriculture,
    and waste and wastewater" (lower case; "samt" and the serial comma because names contain "och"/"and")."""
    names = [x[:1].lower() + x[1:] for x in items]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + (" samt " if lang == "sv" else ", and ") + names[-1]


def subsector_text(kommun: Kommun, lang: str) -> str:
    """Where the chosen kommun's sub-sector split comes from, sector by sector, in words.

    "kommun": the kommun's own SMHI 2019 shares; "national": the kommun had no emissions in the
    sector's sub-sectors in 2019, so Sweden's 2019 split is used (``KommunContext.subsector_basis``).
    """
    basis = build_context(kommun.code).subsector_basis
    own = [sector_label(sec, lang, short=True) for sec, b in basis.items() if b == "kommun"]
    national = [sector_label(sec, lang, short=True) for sec, b in basis.items() if b == "national"]
    lines = []
    if own:
        lines.append(t("data_page.method.subsectors_own", lang, kommun=kommun.name, sectors=_join(own, lang),
                       subsector_year=SUBSECTOR_YEAR))
    if national:
        lines.append(t("data_page.method.subsectors_national", lang, kommun=kommun.name,
                       sectors=_join(national, lang), subsector_year=SUBSECTOR_YEAR))
    return " ".join(lines)


def budget_rate_text(kommun: Kommun, lang: str) -> str:
    """The carbon-budget rate the "Koldioxidbudgetens takt" target uses for the kommun, and its source."""
    if kommun.code in KOMMUN_BUDGET_RATES:
        rate = KOMMUN_BUDGET_RATES[kommun.code][0]
        return t("data_page.method.budget_own", lang, kommun=kommun.name,
                 rate=fmt_pct(rate / 100, 0 if float(rate).is_integer() else 1, lang))
    return t("data_page.method.budget_default", lang, kommun=kommun.name,
             rate=fmt_pct(DEFAULT_BUDGET_RATE[0] / 100, 0, lang))


def method_values(lang: str, kommun: Kommun | None = None) -> dict[str, str]:
    """Formatted numbers for the method text, all read from the model (nothing typed in twice).

    With ``kommun`` (the page's), the kommun-specific parts: its sub-sector basis and budget rate.
    """
    reg = load_registry()
    spec = TargetSpec()
    turnovers = [float(lv.turnover) for lv in reg.levers
                 if lv.kind == "stock" and isinstance(lv.turnover, (int, float))]
    truck = (f"{fmt_number(min(turnovers) * 100, 0, lang)}–{fmt_pct(max(turnovers), 0, lang)}"
             if turnovers else "–")
    return {
        "last_year": str(load_dataset().last_year),
        "pop_years": f"{POP_GROWTH_YEARS[0]}–{POP_GROWTH_YEARS[1]}",
        "trend_low": fmt_pct(reg.param("trend_clip_low"), 0, lang),
        "trend_high": fmt_pct(reg.param("trend_clip_high"), 0, lang, signed=True),
        "car_turnover": fmt_pct(reg.param("car_turnover"), 0, lang),
        "truck_turnover": truck,
        "n_levers": str(len(reg.levers)),
        "max_gross_pct": fmt_pct(spec.max_gross_pct / 100, 0, lang),
        "base_year": str(spec.base_year),
        "default_rate": fmt_pct(DEFAULT_BUDGET_RATE[0] / 100, 0, lang),
        "subsector_year": SUBSECTOR_YEAR,
        "carbon_law_rate": fmt_pct(CARBON_LAW_RATE, 2, lang),
        "pop_unc": t("data_page.method.pp_value", lang,
                     value=fmt_number(reg.param("population_growth_uncertainty_pp"), 1, lang)),
        "trend_unc": fmt_pct(reg.param("trend_uncertainty"), 0, lang),
        **({"kommun_subsectors": subsector_text(kommun, lang), "budget_rate": budget_rate_text(kommun, lang),
            "kommun": kommun.name} if kommun is not None else
           {"kommun_subsectors": "", "budget_rate": "", "kommun": ""}),
    }


def _method(lang: str, kommun: Kommun) -> None:
    st.header(t("data_page.method.heading", lang))
    values = method_values(lang, kommun)
    for section in METHOD_SECTIONS:
        st.subheader(t(f"data_page.method.{section}_h", lang))
        st.markdown(t(f"data_page.method.{section}", lang, **values))


def _with_unit(value: float, decimals: int, unit: str, lang: str) -> str:
    text = fmt_number(value, decimals, lang)
    return f"{text}%" if unit == "%" and lang == "en" else f"{text}{NBSP}{unit}"


def _ramp_years(start: int, full: int) -> str:
    return f"{start}–{full}" if full > start else str(full)


def _triple(values: tuple[float, float, float] | None, decimals: int, lang: str) -> str:
    return " / ".join(fmt_number(v, decimals, lang) for v in values) if values else "–"


def lever_table(lang: str, kommun: Kommun) -> pd.DataFrame:
    """The lever registry for display: one row per lever, numbers formatted, units on every number."""
    reg = load_registry()
    nnm = build_context(kommun.code).nnm
    c = {k: t(f"data_page.col.{k}", lang) for k in ("lever", "unit", "range", "step", "ramp", "streams",
                                                  "actor", "effectiveness", "cost", "source")}
    rows = []
    for lv, v0 in zip(reg.levers, nnm, strict=True):
        unit = ex.unit_label(lv.unit, lang)
        d = lv.decimals
        rows.append({
            c["lever"]: lv.label[lang], c["unit"]: unit,
            c["range"]: f"{fmt_number(lv.min, d, lang)}–{_with_unit(lv.max, d, unit, lang)}",
            c["step"]: _with_unit(lv.step, d, unit, lang),
            t("data_page.col.nnm", lang, kommun=kommun.name): _with_unit(float(v0), d, unit, lang),
            c["ramp"]: f"{_ramp_years(lv.ramp.start, lv.ramp.full)}, {t(f'data_page.ramp.{lv.ramp.shape}', lang)}",
            c["streams"]: ex.streams_text(lv, lang), c["actor"]: actor_label(lv.actor, lang),
            c["effectiveness"]: _triple(lv.effectiveness, 2, lang),
            c["cost"]: _triple(lv.cost_sek_per_t, 0, lang),
            c["source"]: ex.source_text(lv.source, lang),
        })
    return pd.DataFrame(rows)


def parameter_table(lang: str) -> pd.DataFrame:
    """The registry's model parameters for display (value, range, unit, source)."""
    df = ex.parameter_frame(lang)
    c = {k: t(f"data_page.col.{k}", lang) for k in ("parameter", "value", "low", "high", "interval", "unit",
                                                  "source")}

    def num(x: float) -> str:
        return fmt_number(x, _decimals(x), lang)

    interval = [f"{num(lo)}–{num(hi)}" if pd.notna(lo) and pd.notna(hi) else "–"
                for lo, hi in zip(df[c["low"]], df[c["high"]], strict=True)]
    return pd.DataFrame({c["parameter"]: df[c["parameter"]], c["value"]: [num(v) for v in df[c["value"]]],
                         c["interval"]: interval, c["unit"]: df[c["unit"]], c["source"]: df[c["source"]]})


def _decimals(x: float) -> int:
    """Decimals needed to show ``x`` as written in the registry (at most 4)."""
    text = repr(float(x))
    return 0 if "e" in text or text.endswith(".0") else min(len(text.split(".")[1]), 4)


def _levers(lang: str, kommun: Kommun) -> None:
    st.header(t("data_page.levers.heading", lang))
    st.write(t("data_page.levers.intro", lang, kommun=kommun.name))
    st.dataframe(lever_table(lang, kommun), hide_index=True, width="stretch",
                 column_config={t("data_page.col.source", lang): st.column_config.TextColumn(width="large")})
    ctx = build_context(kommun.code)
    for lv, v0 in zip(load_registry().levers, ctx.nnm, strict=True):
        if isinstance(lv.nnm, str) and lv.nnm[5:] in ctx.facts:
            value, src = ctx.facts[lv.nnm[5:]]
            unit = ex.unit_label(lv.unit, lang)
            # model.baseline marks national fall-backs with the prefix "Riket:".
            key = "nnm_national" if src.startswith("Riket") else "nnm_data"
            st.caption(t(f"data_page.levers.{key}", lang, lever=lv.label[lang], value=_with_unit(value, 1, unit, lang),
                         position=_with_unit(float(v0), lv.decimals, unit, lang), source=ex.source_text(src, lang)))
    st.subheader(t("data_page.levers.params_heading", lang))
    st.write(t("data_page.levers.params_intro", lang))
    st.dataframe(parameter_table(lang), hide_index=True, width="stretch")


def _format_numeric(df: pd.DataFrame, lang: str, skip: tuple[str, ...]) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if col not in skip and pd.api.types.is_numeric_dtype(out[col]):
            out[col] = [fmt_number(v, 0, lang) for v in out[col]]
        else:
            out[col] = out[col].astype(str)
    return out


def _kommun_data(lang: str, kommun: Kommun) -> None:
    st.header(t("data_page.kommun.heading", lang))
    year = t("data_page.col.year", lang)
    st.subheader(t("data_page.kommun.inventory_heading", lang, kommun=kommun.name))
    st.dataframe(_format_numeric(ex.inventory_frame(kommun.code, lang), lang, (year,)), hide_index=True,
                 width="stretch")
    st.caption(t("data_page.kommun.inventory_caption", lang) + " "
               + source_line("kommuner_emissions_by_sector.csv", lang) + ".")
    st.caption(t("data_page.kommun.subsectors_caption", lang, subsector_year=SUBSECTOR_YEAR,
                 last_year=load_dataset().last_year) + " " + subsector_text(kommun, lang))
    st.subheader(t("data_page.kommun.population_heading", lang, kommun=kommun.name))
    years = [*load_dataset().inventory_years, max(load_dataset().population.columns)]
    pop = ex.population_frame(kommun.code, lang, years)
    st.dataframe(_format_numeric(pop, lang, (year,)), hide_index=True, width="content")
    st.caption(t("data_page.kommun.population_caption", lang) + " "
               + source_line("kommuner_population.csv", lang) + ".")


def _downloads(lang: str, kommun: Kommun) -> None:
    st.header(t("data_page.download.heading", lang))
    st.write(t("data_page.download.intro", lang))
    code, name = kommun.code, kommun.name
    nnm = tuple(float(v) for v in build_context(code).nnm)
    # Deferred: each callable runs in a worker thread on click and must not touch st.*.
    buttons = (
        ("kommun_inventory", lambda: ex.inventory_csv(code, lang), f"klimatvagar_utslapp_{code}.csv"),
        ("all_inventory", lambda: ex.all_inventory_csv(lang), "klimatvagar_utslapp_alla_kommuner.csv"),
        ("all_inventory_xlsx", lambda: ex.all_inventory_xlsx(lang), "klimatvagar_utslapp_alla_kommuner.xlsx"),
        ("population", lambda: ex.population_csv(code, lang), f"klimatvagar_folkmangd_{code}.csv"),
        ("population_xlsx", lambda: ex.population_xlsx(code, lang), f"klimatvagar_folkmangd_{code}.xlsx"),
        ("levers", lambda: ex.levers_csv(lang, nnm, name), f"klimatvagar_spakar_{code}.csv"),
        ("parameters", lambda: ex.parameters_csv(lang), "klimatvagar_parametrar.csv"),
    )
    for key, build, file_name in buttons:
        mime = "text/csv" if file_name.endswith(".csv") else XLSX_MIME
        st.download_button(t(f"data_page.download.{key}", lang, kommun=name), data=build, file_name=file_name,
                           mime=mime, on_click="ignore", key=f"dl_{key}",
                           help=t("data_page.download.help", lang), icon=":material/download:")
