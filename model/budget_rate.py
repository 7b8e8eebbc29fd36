"""The yearly rate of a carbon-budget path target: the user's, the kommun's own, or an assumption.

The kommun's own rate lives in its profile (``kommuner/<code>.toml``, a ``budget_rate`` target with
its source); without one the generic rate :data:`DEFAULT_BUDGET_RATE` applies, labelled as an
assumption wherever it is shown.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from model.target_defs import BUDGET_TARGETS

if TYPE_CHECKING:  # model.targets imports this module; the spec is only a type here
    from model.targets import TargetSpec

DEFAULT_BUDGET_RATE = (15.0, "assumption: typisk takt i Uppsala universitets kommunala koldioxidbudgetar "
                             "(geo.uu.se), inte beräknad för denna kommun")
DEFAULT_BUDGET_RATE_EN = ("assumption: a typical rate in Uppsala University's carbon budgets for kommuner "
                          "(geo.uu.se), not calculated for this kommun")


def kommun_budget_rate(code: str, lang: str = "sv") -> tuple[float, str] | None:
    """The yearly rate of the kommun's own carbon budget and its source, from its profile.

    Parameters
    ----------
    code : str
        Kommun code.
    lang : {"sv", "en"}
        Language of the source text.

    Returns
    -------
    tuple of (float, str) or None
        ``(rate in % per year, source)`` when ``kommuner/<code>.toml`` has a ``budget_rate`` target
        (Enköping: 13 % a year), else None.
    """
    # Imported here: model.profiles imports model.targets, which imports this module.
    from model.profiles import ProfileError, load_profile

    try:
        target = load_profile(code).target
    except ProfileError:  # a broken profile is reported where it is loaded; the generic rate applies
        return None
    if target is None or target.kind not in BUDGET_TARGETS or target.rate_pct is None:
        return None
    src = target.source.en if lang == "en" else target.source.sv
    return float(target.rate_pct), src + (f" ({target.source.url})" if target.source.url else "")


class _ProfileBudgetRates(Mapping[str, tuple[float, str]]):
    """Kommun code -> (rate, Swedish source) for every shipped profile with a ``budget_rate`` target.

    Kept for readers of the former constant; the profiles are the one home of these rates.
    """

    def __getitem__(self, code: str) -> tuple[float, str]:
        found = kommun_budget_rate(code)
        if found is None:
            raise KeyError(code)
        return found

    def __iter__(self) -> Iterator[str]:
        from model.profiles import shipped_profiles

        return (c for c in shipped_profiles() if kommun_budget_rate(c) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


#: The kommun budget rates of the shipped profiles (Enköping's "drygt 13 procent per år").
KOMMUN_BUDGET_RATES: Mapping[str, tuple[float, str]] = _ProfileBudgetRates()


def budget_rate_for(code: str, spec: TargetSpec, lang: str = "sv") -> tuple[float, str]:
    """Budget reduction rate (% per year) and its source for a kommun.

    The user's rate when set, else the kommun's own (its profile's ``budget_rate`` target), else
    :data:`DEFAULT_BUDGET_RATE` (an assumption). ``lang`` is the language of the source text.
    """
    if spec.budget_rate_pct is not None:
        return spec.budget_rate_pct, "chosen by the user" if lang == "en" else "vald av användaren"
    if (own := kommun_budget_rate(code, lang)) is not None:
        return own
    return DEFAULT_BUDGET_RATE if lang != "en" else (DEFAULT_BUDGET_RATE[0], DEFAULT_BUDGET_RATE_EN)
