"""Helpers shared by the export tables and the brief: scenario name, focus year, units, lever
values, lever sources and target descriptions (pure: no Streamlit)."""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from model.registry import load_registry, unit_label
from model.run import ScenarioResult
from model.target_defs import PATH_TARGETS
from model.targets import TargetVerdict
from ui.text.fmt import NBSP, fmt_number, fmt_pct
from ui.text.i18n import t

TOP_MEASURES = 5
MAX_NAME_CHARS = 80


def _name(result: ScenarioResult, lang: str, override: str | None = None) -> str:
    """Display name of the scenario (never empty, at most MAX_NAME_CHARS)."""
    sc = result.scenario
    name = override or sc.name.get(lang) or sc.name.get("sv") or sc.name.get("en")
    if not name:
        name = sc.id if sc.id not in ("custom", "dashboard", "") else t("exports.custom_scenario", lang)
    name = " ".join(str(name).split())
    return name if len(name) <= MAX_NAME_CHARS else name[:MAX_NAME_CHARS - 1] + "…"


def _index(result: ScenarioResult, year: int) -> int:
    return int(np.flatnonzero(result.years == year)[0])


def _focus_year(result: ScenarioResult, verdict: TargetVerdict) -> int:
    """Target year if modelled, else the last model year (as :mod:`ui.text.narrative`)."""
    years = [int(y) for y in result.years]
    return int(verdict.year) if int(verdict.year) in years else years[-1]


def _unit(unit: str, lang: str) -> str:
    return unit_label(unit, lang)


def _lever_value(value: float, lever: Any, lang: str) -> str:
    """'80 %' / '1 000 t/år' with the language's separators (no-break space before the unit)."""
    text = fmt_number(value, lever.decimals, lang)
    unit = _unit(lever.unit, lang)
    if unit == "%" and lang == "en":
        return f"{text}%"
    return f"{text}{NBSP}{unit}"


def _nnm_values(result: ScenarioResult) -> dict[str, float]:
    """Per-lever "no new measures" position for this kommun (from the run's context)."""
    reg = load_registry()
    ctx = result.context
    if ctx is not None:
        return {lid: float(ctx.nnm[i]) for i, lid in enumerate(reg.lever_ids)}
    out = {}
    for lv in reg.levers:
        nnm = lv.nnm if isinstance(lv.nnm, (int, float)) else lv.nnm_fallback
        out[lv.id] = float(nnm or 0.0)
    return out


def _used_levers(result: ScenarioResult) -> list[str]:
    """Lever ids moved away from "no new measures", in registry order."""
    nnm = _nnm_values(result)
    return [lid for lid in load_registry().lever_ids
            if abs(result.lever_values[lid] - nnm[lid]) > 1e-9]


def _first_clause(text: str, min_chars: int = 20) -> str:
    """Text up to the first ". " or "; " outside parentheses (the citation proper)."""
    depth = 0
    for k, ch in enumerate(text):
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and ch in ".;" and k + 1 < len(text) and text[k + 1] == " " and k >= min_chars:
            return text[:k] + ("." if ch == "." else "")
    return text


def _short_source(source: str, lang: str, limit: int | None = None) -> str:
    """A lever's source for the brief: the first clause of the citation, or "Antagande".

    The full text is in the Excel file (:func:`levers_table`).
    """
    text = " ".join(str(source).split())
    if text.lower().startswith("assumption"):
        return t("exports.brief.assumption_is_assumption", lang)
    text = source_text(text, lang)  # "derived:" and model-methods references in the user's words
    if limit:
        text = _first_clause(text)
        if len(text) > limit:
            text = text[:limit - 1].rstrip(" ,;(") + "…"
    return t("exports.brief.assumption_source", lang, source=text)


def _target_description(verdict: TargetVerdict, result: ScenarioResult, lang: str) -> str:
    # The verdict's own numbers: the user's for a settable limit, the definition's for the others.
    spec, d = result.scenario.target, verdict.details
    rate = verdict.required_rate_pct if verdict.id in PATH_TARGETS else None
    base = d.get("base_year", d.get("reference_year", spec.base_year))
    return t(f"target_desc.{verdict.id}", lang, year=verdict.year, base_year=base,
             max_share=fmt_pct(float(d.get("max_gross_pct", spec.max_gross_pct)) / 100, 0, lang),
             rate=fmt_pct((rate or 0) / 100, 0 if rate is None or float(rate).is_integer() else 1, lang),
             share=fmt_pct(float(d.get("cut_pct", 0)) / 100, 0, lang))


# The registry cites the developer document "model-methods §2.1", which users do not have.
_METHODS_REF = re.compile(r"\(?(?:see\s+)?model-methods\s*§\s*[\d.]*\d\)?")
_DERIVED = re.compile(r"^derived\s*:?\s*", re.IGNORECASE)
_ASSUMPTION = re.compile(r"^assumption\b:?", re.IGNORECASE)


def source_text(source: str | None, lang: str) -> str:
    """A registry source in the user's language where the registry uses fixed words; "–" if empty.

    "assumption (…)" becomes "Antagande (…)", "derived: …" "Härledd: …", and references to
    the developer document model-methods become a pointer to the Method tab users can open.
    The citations themselves are as the registry writes them (see the report on
    model/registry.toml: language-specific source fields are being added there).
    """
    text = " ".join((source or "").split())
    if not text:
        return "–"
    ref = t("data_page.source.method_ref", lang)
    text = _METHODS_REF.sub(lambda m: f"({ref})" if m.group(0).startswith("(") else ref, text)
    if _ASSUMPTION.match(text):
        text = t("common.assumption", lang) + _ASSUMPTION.sub("", text, count=1)
    elif _DERIVED.match(text):
        text = t("data_page.source.derived", lang) + " " + _DERIVED.sub("", text, count=1)
    return text[:1].upper() + text[1:] if text.startswith(ref) else text
