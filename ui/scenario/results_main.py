"""The main chart's inputs and its table alternative (history, scenario by sector, baseline, net, target)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from model.data import SECTORS
from model.results_table import chart_columns, long_table
from model.run import ScenarioResult
from model.target_defs import PATH_TARGETS, SECTOR_TARGETS
from model.targets import TargetVerdict
from ui.text.fmt import fmt_number
from ui.text.i18n import sector_label, t, target_label


def main_target_frame(result: ScenarioResult, v: TargetVerdict, lang: str) -> dict[str, list]:
    """Columns [year, tonnes, label]: the budget path to the horizon, or the allowed level as one point."""
    if v.id in PATH_TARGETS:
        ys = [y for y in sorted(v.path) if y <= int(result.years[-1])]
        return {"year": ys, "tonnes": [v.path[y] for y in ys], "label": [target_label(v.id, lang)] * len(ys)}
    key = "target_transport" if v.id in SECTOR_TARGETS else "target_neutral"
    return {"year": [v.year], "tonnes": [v.allowed_t], "label": [t(f"results.series.{key}", lang, year=v.year)]}


def main_frames(result: ScenarioResult, lang: str) -> dict[str, Any]:
    """Columns for :func:`ui.charts.main_chart` (removals as sector "Upptag") and the table.

    A pivot of the canonical long table (:func:`model.results_table.long_table`), as the exports,
    the CLI and the IAMC CSV are. Plain column dicts, not DataFrames, and numpy masks, not pandas
    filters: this runs whenever a slider reaches a new value.

    Returns
    -------
    dict
        ``history`` (SMHI's inventory by sector, every inventory year), ``scenario`` (modelled
        sectors and removals from the first model year), ``baseline`` and ``net`` ([year, tonnes],
        t CO2e per year) and ``table`` (a callable that builds the table alternative).
    """
    return {**chart_columns(long_table([(result.scenario.id, result)])),
            # Built only when someone opens the table (hundreds of formatted numbers).
            "table": lambda: main_table(result, lang)}


def main_table(result: ScenarioResult, lang: str) -> pd.DataFrame:
    """The main chart's figures as a table: years × sectors, gross, removals, net, baseline."""
    hist_years = np.array(sorted(result.history))
    hist = np.stack([result.history[y] for y in hist_years])  # (H, 9)
    rows = result.by_sector.T  # (T, 9)
    old = hist_years < result.years[0]
    years = np.concatenate([hist_years[old], result.years])
    sectors = np.vstack([hist[old], rows])
    num = lambda a: [fmt_number(x, 0, lang) for x in a]  # noqa: E731
    pad = lambda a: num(np.concatenate([np.full(int(old.sum()), np.nan), a]))  # noqa: E731
    # The first model year is the last inventory year (the baseline equals SMHI there).
    measured = years <= max(result.history)
    cols = {t("results.table.year", lang): years.astype(str), t("results.table.data", lang): [
        t("results.table.data_smhi" if m else "results.table.data_model", lang) for m in measured]}
    for s, name in enumerate(SECTORS):
        cols[t("results.table.sector_col", lang, sector=sector_label(name, lang))] = num(sectors[:, s])
    cols[t("results.table.gross", lang)] = num(sectors.sum(axis=1))
    for key, arr in (("removals", result.removals), ("net", result.net), ("baseline", result.baseline_gross)):
        cols[t(f"results.table.{key}", lang)] = pad(arr)
    return pd.DataFrame(cols)  # one constructor: column-by-column inserts are slow
