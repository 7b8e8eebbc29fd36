"""Cached model runs for the UI, keyed on the canonical scenario (the share-link parameters)."""
from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import TypeVar

from model.codec import decode, encode
from model.measures import OwnMeasure
from model.run import ScenarioResult, run_scenario
from model.scenario import Scenario
from model.targets import TargetSpec

_T = TypeVar("_T")
#: Derived views (chart specs, frames) per cached result; they die with the result.
_VIEWS: weakref.WeakKeyDictionary[ScenarioResult, dict[Hashable, object]] = weakref.WeakKeyDictionary()
_VIEWS_LOCK = threading.Lock()


def memo(result: ScenarioResult, key: Hashable, build: Callable[[], _T]) -> _T:
    """``build()`` once per result and ``key`` (e.g. ("main_spec", "sv")), then reused.

    The same scenario gives the same result object (see :func:`run_link`), so a slider
    moved back to an earlier value, a language switch back, or another session on the same
    scenario redraws without rebuilding. The value is shared: callers must not modify it.
    """
    with _VIEWS_LOCK:
        views = _VIEWS.setdefault(result, {})
        if key in views:
            return views[key]  # type: ignore[return-value]
    value = build()
    with _VIEWS_LOCK:
        return views.setdefault(key, value)  # type: ignore[return-value]


@lru_cache(maxsize=512)
def _run(key: tuple[tuple[str, str], ...]) -> ScenarioResult:
    link = decode(dict(key))
    sc = Scenario(levers=link.levers, kommun=link.kommun, national_policy=link.policy,
                  horizon=link.horizon, target=link.target, id="dashboard", release=link.release,
                  measures=link.measures)
    return run_scenario(sc)


def run_link(params: dict[str, str]) -> ScenarioResult:
    """Run (or fetch from cache) the scenario described by canonical link parameters.

    The data release ``d`` and the own measures ``om`` are part of the key (they change the
    figures); language, model and link version are not. Results are shared between sessions
    and must be treated as read-only.
    """
    key = tuple(sorted((k, v) for k, v in params.items() if k not in ("lang", "m", "v")))
    return _run(key)


def run_for(kommun: str, levers: dict[str, float], policy: str, horizon: int,
            target: TargetSpec, release: str | None = None,
            measures: tuple[OwnMeasure, ...] = ()) -> ScenarioResult:
    """Convenience wrapper building the canonical parameters first.

    ``release`` is the SMHI release id (None: the latest); ``measures`` the own measures.
    """
    from model.codec import LinkState

    return run_link(encode(LinkState(kommun, "sv", policy, horizon, target, levers, release=release,
                                     measures=tuple(measures))))
