"""Input tables for download, as CSV or XLSX in the user's language (pure: no Streamlit).

Every function returns a plain :class:`pandas.DataFrame` with numeric columns
kept numeric, or the file bytes built from one by the app's one CSV writer,
:func:`ui.exports.spreadsheet.to_excel_csv` (Swedish: ``;`` and decimal comma;
English: ``,`` and decimal point; codes quoted as text; formula guard), or by
:func:`ui.exports.to_xlsx` (codes are text cells in every spreadsheet). The byte
functions take only hashable arguments and are cached, so a deferred
``st.download_button(data=lambda: ...)`` can call them from its worker thread.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from model.data import SECTORS, inventory, load_dataset
from model.kommuner import find_kommun
from model.registry import Lever, load_registry
from model.sources import data_path
from ui.exports.common import source_text
from ui.exports.spreadsheet import to_excel_csv
from ui.text.i18n import actor_label, catalog, normalize_lang, sector_label, t

_UNIT_KEYS = {"%": "pct", "kt/år": "kt_per_year", "t/år": "t_per_year"}


def unit_label(unit: str, lang: str) -> str:
    """Display form of a registry unit ("kt/år" -> "kt/yr" in English); unknown units unchanged."""
    key = _UNIT_KEYS.get(unit)
    return t(f"data_page.unit.{key}", lang) if key else unit


def streams_text(lever: Lever, lang: str) -> str:
    """Which sector and emission streams a lever acts on, e.g. "Transporter: personbilar"."""
    if not lever.streams:
        return t("data_page.levers.removal_streams", lang)
    reg = load_registry()
    sector_of = {s.id: s.sector for s in reg.streams}
    parts = []
    for sid, weight in lever.streams.items():
        label = f"{sector_label(sector_of[sid], lang, short=True)}: {t(f'data_page.stream.{sid}', lang)}"
        if weight != 1.0:
            label += f" (×{weight:g})".replace(".", "," if normalize_lang(lang) == "sv" else ".")
        parts.append(label)
    return "; ".join(parts)


def lever_frame(lang: str, nnm: Sequence[float], kommun: str = "") -> pd.DataFrame:
    """The lever registry as a table, one row per lever, numbers as numbers.

    Parameters
    ----------
    lang : str
        "sv" or "en" (headers, labels, actor names).
    nnm : sequence of float
        "No new measures" position of each lever for the kommun, in registry order
        (``model.baseline.build_context(code).nnm``).
    kommun : str, default ""
        Kommun name for the "no new measures" header.

    Returns
    -------
    pandas.DataFrame
        Columns id, label, unit, min, max, step, nnm, ramp start/full/shape, streams,
        actor, effectiveness low/mode/high, cost low/mode/high (NaN when none; SEK per t CO₂e),
        cost source and source.
    """
    reg = load_registry()
    if len(nnm) != len(reg.levers):
        raise ValueError(f"nnm has {len(nnm)} values, the registry {len(reg.levers)} levers")
    c = _cols(lang)
    rows = []
    for lv, v0 in zip(reg.levers, nnm, strict=True):
        cost = lv.cost_sek_per_t or (np.nan, np.nan, np.nan)
        rows.append({
            c["lever_id"]: lv.id, c["lever"]: lv.label[normalize_lang(lang)], c["unit"]: unit_label(lv.unit, lang),
            c["min"]: float(lv.min), c["max"]: float(lv.max), c["step"]: float(lv.step),
            t("data_page.col.nnm", lang, kommun=kommun): float(v0),
            c["ramp_start"]: lv.ramp.start, c["ramp_full"]: lv.ramp.full,
            c["ramp_shape"]: t(f"data_page.ramp.{lv.ramp.shape}", lang), c["streams"]: streams_text(lv, lang),
            c["actor"]: actor_label(lv.actor, lang),
            c["eff_low"]: lv.effectiveness[0], c["eff_mode"]: lv.effectiveness[1],
            c["eff_high"]: lv.effectiveness[2],
            c["cost_low"]: float(cost[0]), c["cost_mode"]: float(cost[1]), c["cost_high"]: float(cost[2]),
            c["cost_source"]: source_text(lv.cost_source, lang) if lv.cost_sek_per_t else "–",
            c["source"]: source_text(lv.source, lang),
        })
    return pd.DataFrame(rows)


def parameter_frame(lang: str) -> pd.DataFrame:
    """The registry's model parameters: id, label, value, low, high (NaN if none), unit, source."""
    cat = catalog(lang)
    c = _cols(lang)
    rows = []
    for pid, p in load_registry().parameters.items():
        rows.append({
            c["param_id"]: pid, c["parameter"]: cat.get(f"data_page.param.{pid}", pid),
            c["value"]: float(p["value"]), c["low"]: float(p.get("low", np.nan)),
            c["high"]: float(p.get("high", np.nan)),
            c["unit"]: cat.get(f"data_page.param_unit.{pid}", str(p.get("unit", "–"))),
            c["source"]: source_text(str(p.get("source", "")), lang),
        })
    return pd.DataFrame(rows)


def inventory_frame(code: str, lang: str) -> pd.DataFrame:
    """One kommun's SMHI inventory: a year column, one column per sector and their sum (t CO₂e)."""
    inv = inventory(code)
    out = pd.DataFrame({t("data_page.col.year", lang): inv.index.astype(int)})
    for sector in SECTORS:
        head = t("data_page.col.sector_tonnes", lang, sector=sector_label(sector, lang, short=True))
        out[head] = inv[sector].to_numpy(dtype=float)
    # The source rounds every sector to 0.01 t; round the sum alike (no float noise in the CSV).
    out[t("data_page.col.total_tonnes", lang)] = inv.to_numpy(dtype=float).sum(axis=1).round(2)
    return out


def population_frame(code: str, lang: str, years: Sequence[int] | None = None) -> pd.DataFrame:
    """One kommun's SCB population on 31 December (all shipped years, or ``years``)."""
    k = find_kommun(code)
    pop = load_dataset().population.loc[k.code].dropna()
    if years is not None:
        pop = pop[[y for y in years if y in pop.index]]
    c = _cols(lang)
    return pd.DataFrame({c["kommun_code"]: k.code, c["kommun"]: k.name,
                         c["year"]: [int(y) for y in pop.index], c["population"]: pop.to_numpy(dtype=np.int64)})


def _cols(lang: str) -> dict[str, str]:
    prefix = "data_page.col."
    return {k[len(prefix):]: v for k, v in catalog(normalize_lang(lang)).items() if k.startswith(prefix)}


def all_inventory_frame() -> pd.DataFrame:
    """The shipped all-kommuner inventory (``kommuner_emissions_by_sector.csv``), codes as text."""
    return pd.read_csv(data_path("kommuner_emissions_by_sector.csv"),
                       dtype={"kommun_code": str, "kommun": str, "lan": str, "sector": str})


@lru_cache(maxsize=2)
def all_inventory_csv(lang: str = "sv") -> bytes:
    """The shipped all-kommuner inventory as CSV in the language's dialect (codes quoted)."""
    return to_excel_csv(all_inventory_frame(), lang)


@lru_cache(maxsize=2)
def all_inventory_xlsx(lang: str = "sv") -> bytes:
    """The same as XLSX: kommun and län codes are text cells ("0114"), whatever the spreadsheet."""
    from ui.exports import to_xlsx

    return to_xlsx({"SMHI": all_inventory_frame()}, _readme("kommuner_emissions_by_sector.csv", lang),
                   t("data_page.download.readme_sheet", lang))


def _readme(file: str, lang: str) -> dict[str, str]:
    from model.sources import source_line

    return {t("data_page.download.readme_source", lang): source_line(file, lang),
            t("data_page.download.readme_units", lang): t("data_page.download.readme_units_value", lang)}


@lru_cache(maxsize=64)
def inventory_csv(code: str, lang: str) -> bytes:
    """One kommun's inventory (see :func:`inventory_frame`) as CSV in the language's dialect."""
    return to_excel_csv(inventory_frame(code, lang), lang)


@lru_cache(maxsize=64)
def population_csv(code: str, lang: str) -> bytes:
    """One kommun's population 1950–2025 (see :func:`population_frame`) as CSV (code quoted)."""
    return to_excel_csv(population_frame(code, lang), lang)


@lru_cache(maxsize=64)
def population_xlsx(code: str, lang: str) -> bytes:
    """One kommun's population as XLSX: the kommun code is a text cell ("0114")."""
    from ui.exports import to_xlsx

    return to_xlsx({t("data_page.download.population_sheet", lang): population_frame(code, lang)},
                   _readme("kommuner_population.csv", lang), t("data_page.download.readme_sheet", lang))


@lru_cache(maxsize=64)
def levers_csv(lang: str, nnm: tuple[float, ...], kommun: str) -> bytes:
    """The lever registry (see :func:`lever_frame`) as CSV in the language's dialect."""
    return to_excel_csv(lever_frame(lang, nnm, kommun), lang)


@lru_cache(maxsize=4)
def parameters_csv(lang: str) -> bytes:
    """The model parameters (see :func:`parameter_frame`) as CSV in the language's dialect."""
    return to_excel_csv(parameter_frame(lang), lang)
