"""The UI's one cache of model runs, keyed on the canonical scenario (the share-link parameters).

One scenario key (:func:`scenario_key`: the canonical link parameters without language, model
version and link version, which do not change the figures; the data release ``d`` and the own
measures ``om`` are in it) and one policy: bounded :func:`functools.lru_cache` tables shared by all
sessions, holding read-only results. :func:`run_link` holds model runs; :func:`cached` holds what
is computed from one scenario and a few plain arguments (the Monte Carlo, the tornado);
:func:`memo` keeps the views built from one result (chart specs, frames) for as long as the result
itself is cached.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable, Mapping
from functools import lru_cache
from typing import Any, TypeVar

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


#: A scenario's identity: its canonical link parameters, sorted, without :data:`NOT_IDENTITY`.
ScenarioKey = tuple[tuple[str, str], ...]
#: Link parameters that do not change the figures: language, model version, link version.
NOT_IDENTITY = ("lang", "m", "v")
#: Bounds of the caches (entries; a result is a few hundred kB at most).
RUNS_CACHED, DERIVED_CACHED = 512, 64


def scenario_key(params: Mapping[str, str]) -> ScenarioKey:
    """The cache key of the scenario described by canonical link parameters ``params``."""
    return tuple(sorted((k, v) for k, v in params.items() if k not in NOT_IDENTITY))


def scenario_of(key: ScenarioKey) -> Scenario:
    """The model scenario a key describes (decoded as a link is)."""
    link = decode(dict(key))
    return Scenario(levers=link.levers, kommun=link.kommun, national_policy=link.policy,
                    horizon=link.horizon, target=link.target, id="dashboard", release=link.release,
                    measures=tuple(link.measures))


@lru_cache(maxsize=RUNS_CACHED)
def _run(key: ScenarioKey) -> ScenarioResult:
    return run_scenario(scenario_of(key))


def run_link(params: Mapping[str, str]) -> ScenarioResult:
    """Run (or fetch from cache) the scenario described by canonical link parameters.

    Results are shared between sessions and must be treated as read-only.
    """
    return _run(scenario_key(params))


def params_of(sc: Scenario, lang: str = "sv") -> dict[str, str]:
    """Canonical link parameters of a model scenario (its kommun, levers, target, release, measures)."""
    from model.baseline import build_context
    from model.codec import LinkState
    from model.registry import load_registry
    from model.run import lever_vector, resolve_kommun

    code = resolve_kommun(sc).code
    # A link names every lever; a scenario may leave some at "no new measures" (the engine's default).
    ctx = build_context(code, sc.national_policy, sc.horizon, sc.release)
    levers = dict(zip(load_registry().lever_ids, map(float, lever_vector(ctx, dict(sc.levers))), strict=True))
    return encode(LinkState(code, lang, sc.national_policy, sc.horizon, sc.target, levers,
                            release=sc.release, measures=tuple(sc.measures)))


def run_cached(sc: Scenario) -> ScenarioResult:
    """:func:`run_link` for a model scenario: the same key, so the same cached result."""
    return run_link(params_of(sc))


@lru_cache(maxsize=DERIVED_CACHED)
def _derived(fn: Callable[..., Any], key: ScenarioKey, args: tuple[Hashable, ...]) -> Any:
    return fn(scenario_of(key), *args)


def cached(fn: Callable[..., _T], params: Mapping[str, str], *args: Hashable) -> _T:
    """``fn(scenario, *args)`` for the scenario of ``params``, computed once per scenario key and args.

    For computations on a scenario that are dearer than a run (the Monte Carlo, the tornado);
    ``fn`` must be a module-level function (it is part of the key). Shared: treat as read-only.
    """
    return _derived(fn, scenario_key(params), tuple(args))  # type: ignore[no-any-return]


def run_for(kommun: str, levers: dict[str, float], policy: str, horizon: int,
            target: TargetSpec, release: str | None = None,
            measures: tuple[OwnMeasure, ...] = ()) -> ScenarioResult:
    """Convenience wrapper building the canonical parameters first.

    ``release`` is the SMHI release id (None: the latest); ``measures`` the own measures.
    """
    from model.codec import LinkState

    return run_link(encode(LinkState(kommun, "sv", policy, horizon, target, levers, release=release,
                                     measures=tuple(measures))))
