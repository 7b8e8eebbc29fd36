"""The verdict at a glance: met or not met, by how much, as a status box with words (not colour alone).

Politicians read this first in a council meeting, so it states the outcome in one bold phrase
("Målet nås inte") and then, for a two-part target such as Klimatneutral 2030, each condition
on its own line: gross emissions against their limit, net emissions against zero.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.data import SECTORS
from model.run import ScenarioResult
from model.target_defs import PATH_TARGETS, SECTOR_TARGETS
from model.targets import TargetVerdict
from model.verdicts import focus_year
from ui.text.fmt import fmt_tonnes
from ui.text.i18n import t, target_label


@dataclass(frozen=True)
class Verdict:
    """What the status box says.

    Attributes
    ----------
    status : str
        "met", "missed" or "unknown" (not evaluable within the horizon).
    title : str
        One bold phrase ("Målet nås inte 2030").
    lines : tuple of str
        One line per condition, each starting with its own outcome in words.
    """

    status: str
    title: str
    lines: tuple[str, ...]

    def markdown(self) -> str:
        """Markdown body for ``st.success``/``st.error``/``st.info`` (text is ours, not user input)."""
        return f"**{self.title}**\n\n" + "\n".join(f"- {line}" for line in self.lines)


def _tn(value: float, lang: str) -> str:
    return fmt_tonnes(float(value), lang, co2e=True)


def _condition(ok: bool, key: str, lang: str, **params: str) -> str:
    word = t("results.verdict.ok" if ok else "results.verdict.not_ok", lang)
    return f"{word}: {t(f'results.verdict.{key}', lang, **params)}"


def verdict(result: ScenarioResult, v: TargetVerdict, lang: str) -> Verdict:
    """The status of target ``v`` in ``result``, worded in ``lang``.

    Parameters
    ----------
    result : ScenarioResult
        A deterministic run.
    v : TargetVerdict
        One of ``result.targets`` (the selected one on the Scenario page).
    lang : str
        "sv" or "en".
    """
    target = target_label(v.id, lang)
    if not v.evaluable:
        return Verdict("unknown", t("results.verdict.unknown", lang, target=target, year=v.year),
                       (t("results.verdict.unknown_hint", lang, year=v.year, horizon=int(result.years[-1])),))
    status = "met" if v.met else "missed"
    # "Klimatneutralt 2030" already names its year; "Koldioxidlagen" does not.
    year = "" if str(v.year) in target else f" {v.year}"
    title = t(f"results.verdict.{status}", lang, target=target, year=year)
    i = int(np.searchsorted(result.years, focus_year(result, v)))
    if v.id in PATH_TARGETS:
        span = {"from_year": str(v.details["from_year"]), "to_year": str(v.details["to_year"])}
        over = float(v.cumulative_t) - float(v.details["cumulative_path_t"])
        key = "path_over" if over > 0 else "path_within"
        lines = (_condition(over <= 0, key, lang, amount=_tn(abs(over), lang), **span),)
        title = t(f"results.verdict.{status}_span", lang, target=target, **span)
    elif v.id in SECTOR_TARGETS:
        value, allowed = float(result.by_sector[SECTORS.index(v.details["sector"]), i]), float(v.allowed_t)
        key = "transport" if value <= allowed else "transport_over"
        lines = (_condition(value <= allowed, key, lang, value=_tn(value, lang),
                            allowed=_tn(allowed, lang), gap=_tn(max(value - allowed, 0.0), lang)),)
    else:
        gross, net, allowed = float(result.gross[i]), float(result.net[i]), float(v.allowed_t)
        gross_key = "gross_over" if gross > allowed else "gross_within"
        net_key = "net_over" if net > 0 else "net_within"
        lines = (_condition(gross <= allowed, gross_key, lang, value=_tn(gross, lang), allowed=_tn(allowed, lang),
                            gap=_tn(abs(gross - allowed), lang)),)
        if v.details.get("net_zero", True):  # a gross limit has no condition on net emissions
            lines += (_condition(net <= 0, net_key, lang, value=_tn(net, lang)),)
    return Verdict(status, title, lines)
