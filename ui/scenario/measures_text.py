"""Own measures in the results and exports: their reductions from a run, and their texts.

Pure (no Streamlit): used by the result frames, the exports and the editor alike, so a measure reads
the same everywhere ("Transporter: personbilar", "5 000 t CO₂e/år", "Källa: …" or "Antagande: …").
"""
from __future__ import annotations

import numpy as np

from model.measures import OwnMeasure
from model.registry import load_registry
from model.run import ScenarioResult
from ui.text.fmt import fmt_number
from ui.text.i18n import sector_label, t


def own_measures(result: ScenarioResult) -> tuple[OwnMeasure, ...]:
    """The own measures the run counted (none for a scenario or model without them)."""
    return tuple(getattr(result.scenario, "measures", None) or ())


def measure_series(result: ScenarioResult) -> dict[str, np.ndarray]:
    """Measure id -> (T,) reduction vs the baseline, t CO2e/yr (the run's measure attribution)."""
    return dict(getattr(result, "measure_attribution", None) or {})


def measure_sector(m: OwnMeasure) -> str:
    """The SMHI sector a measure acts in (its stream's, or its own)."""
    if m.sector is not None:
        return m.sector
    return next((s.sector for s in load_registry().streams if s.id == m.stream), "")


def measure_contributions(result: ScenarioResult, year: int,
                          transport_only: bool = False) -> list[tuple[OwnMeasure, float]]:
    """Own measures with a non-zero reduction in ``year`` (t CO2e/yr), largest first."""
    i = int(np.flatnonzero(result.years == year)[0])
    series = measure_series(result)
    out = [(m, float(series[m.id][i])) for m in own_measures(result) if m.id in series
           and (not transport_only or measure_sector(m) == "Transporter")]
    return sorted([(m, c) for m, c in out if abs(c) >= 0.5], key=lambda mc: -mc[1])


def measure_target_text(m: OwnMeasure, lang: str) -> str:
    """"Transporter: personbilar", or "Industri (energi + processer) (hela sektorn)"."""
    sector = sector_label(measure_sector(m), lang)
    if m.stream is not None:
        return t("measures.target_label.stream", lang, sector=sector, stream=t(f"measures.stream.{m.stream}", lang))
    return t("measures.target_label.sector", lang, sector=sector)


def measure_effect_text(m: OwnMeasure, lang: str) -> str:
    """The effect at full strength with its unit ("5 000 t CO₂e/år", "12,5 %")."""
    dec = 0 if float(m.effect).is_integer() else 1
    return f"{fmt_number(m.effect, dec, lang)}\u00a0{t(f'measures.unit_short.{m.unit}', lang)}"


def measure_source_text(m: OwnMeasure, lang: str, labelled: bool = True) -> str:
    """"Källa: …" (with its address), or "Antagande: <reasoning>".

    ``labelled=False`` drops the "Källa:" label for a column already called "Källa"; an
    assumption always says so.
    """
    text = m.source.en if lang == "en" else m.source.sv
    if m.source.url:
        text = f"{text} ({m.source.url})"
    if m.source.assumption:
        return t("measures.editor.assumption", lang, source=text)
    return t("measures.editor.source", lang, source=text) if labelled else text
