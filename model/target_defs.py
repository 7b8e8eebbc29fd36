"""Target definitions as data: the ``[[model.target]]`` tables of ``model/registry.toml``.

Each definition has a stable id (in links, files and profiles), its share-link code and a *kind*
that says how it is judged; the code that evaluates, checks and draws a target branches on the
kind, never on the id, so a new target of an existing kind is one table in the registry file and
its two labels (``target.<id>`` and ``target_desc.<id>`` in both catalogues).

Kinds:

* ``limit`` -- gross emissions in ``year`` at most ``max_gross_pct`` % of ``base_year``, and net
  emissions at most zero when ``net_zero``. With ``settable`` the three numbers are the user's
  (or the kommun profile's) settings; otherwise the table fixes them.
* ``path`` -- a yearly path of gross emissions, judged on the cumulative emissions along it:
  ``path = "budget"`` falls at a yearly rate from the last inventory year (the user's rate, the
  kommun's own or the assumed default); ``path = "klimatkollen"`` is Klimatkollen's carbon-law path.
* ``sector`` -- one SMHI sector in ``year`` at most ``100 - cut_pct`` % of ``base_year``.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from model.data import SECTORS

REGISTRY_PATH = Path(__file__).with_name("registry.toml")
KINDS = ("limit", "path", "sector")
PATH_SOURCES = ("budget", "klimatkollen")


class TargetDefError(ValueError):
    """A ``[[model.target]]`` table is inconsistent; the message names the table and field."""


@dataclass(frozen=True)
class TargetDef:
    """One target definition.

    Parameters
    ----------
    id : str
        Stable id ("klimatneutral_2030").
    code : str
        Its value in a share link's ``mt`` field ("kn").
    kind : {"limit", "path", "sector"}
        How it is judged (module docstring).
    net_zero : bool
        A limit target also needs net emissions <= 0.
    settable : bool
        A limit target whose year, base year and share are the user's settings.
    year, base_year : int or None
        Fixed target year and reference year (limit targets that are not settable, sector targets).
    max_gross_pct : float or None
        Fixed gross limit, % of the base year (limit targets that are not settable).
    path : {"budget", "klimatkollen"} or None
        Where a path target's path comes from.
    sector : str or None
        The SMHI sector a sector target judges.
    cut_pct : float or None
        A sector target's cut from the base year, %.
    """

    id: str
    code: str
    kind: str
    net_zero: bool = False
    settable: bool = False
    year: int | None = None
    base_year: int | None = None
    max_gross_pct: float | None = None
    path: str | None = None
    sector: str | None = None
    cut_pct: float | None = None


#: Per kind: (required fields, optional fields) besides id, code and kind.
_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "limit": (set(), {"net_zero", "settable", "year", "base_year", "max_gross_pct"}),
    "path": ({"path"}, set()),
    "sector": ({"sector", "year", "base_year", "cut_pct"}, set())}
_LIMIT_FIXED = {"year", "base_year", "max_gross_pct"}


def _parse(i: int, raw: dict[str, Any]) -> TargetDef:
    where = f"[[model.target]] {i + 1} ({raw.get('id', '?')})"
    kind = raw.get("kind")
    if kind not in KINDS:
        raise TargetDefError(f"{where}: kind {kind!r} not in {KINDS}")
    required, optional = _FIELDS[kind]
    # A limit the user does not set is fixed by the table.
    if kind == "limit" and not raw.get("settable"):
        required = required | _LIMIT_FIXED
    allowed = {"id", "code", "kind"} | required | optional
    if missing := sorted(({"id", "code"} | required) - set(raw)):
        raise TargetDefError(f"{where}: missing {', '.join(missing)}")
    if unknown := sorted(set(raw) - allowed):
        raise TargetDefError(f"{where}: unknown {', '.join(unknown)}")
    if kind == "path" and raw["path"] not in PATH_SOURCES:
        raise TargetDefError(f"{where}: path {raw['path']!r} not in {PATH_SOURCES}")
    if kind == "sector" and raw["sector"] not in SECTORS:
        raise TargetDefError(f"{where}: sector {raw['sector']!r} not an SMHI sector")
    return TargetDef(**raw)


def parse_targets(table: list[dict[str, Any]]) -> tuple[TargetDef, ...]:
    """Validate the ``[[model.target]]`` tables.

    Raises
    ------
    TargetDefError
        On an unknown kind, path source or sector, a missing or unknown field, or a repeated
        id or code.
    """
    defs = tuple(_parse(i, raw) for i, raw in enumerate(table))
    if not defs:
        raise TargetDefError("registry.toml has no [[model.target]]")
    for attr in ("id", "code"):
        values = [getattr(d, attr) for d in defs]
        if dup := sorted({v for v in values if values.count(v) > 1}):
            raise TargetDefError(f"[[model.target]]: repeated {attr} {dup}")
    return defs


@lru_cache(maxsize=1)
def target_defs(path: Path = REGISTRY_PATH) -> tuple[TargetDef, ...]:
    """Every target definition, in display order (the first is the default target)."""
    with open(path, "rb") as fh:
        return parse_targets(tomllib.load(fh).get("model", {}).get("target", []))


def target_def(target_id: str) -> TargetDef:
    """The definition of ``target_id``.

    Raises
    ------
    KeyError
        For an id that is not defined.
    """
    for d in target_defs():
        if d.id == target_id:
            return d
    raise KeyError(target_id)


def _ids(**match: Any) -> tuple[str, ...]:
    return tuple(d.id for d in target_defs() if all(getattr(d, k) == v for k, v in match.items()))


#: Every target id in display order.
TARGET_IDS: tuple[str, ...] = _ids()
#: The target a new scenario is judged against.
DEFAULT_TARGET: str = TARGET_IDS[0]
#: Share-link code -> target id.
TARGET_CODES: dict[str, str] = {d.code: d.id for d in target_defs()}
#: Targets given as a yearly path of gross emissions.
PATH_TARGETS: tuple[str, ...] = _ids(kind="path")
#: Path targets whose path falls at a budget rate (the rate is a setting).
BUDGET_TARGETS: tuple[str, ...] = _ids(kind="path", path="budget")
#: Targets judged on one sector, not the total.
SECTOR_TARGETS: tuple[str, ...] = _ids(kind="sector")
#: Targets judged on gross emissions in one year against a share of a base year.
LIMIT_TARGETS: tuple[str, ...] = _ids(kind="limit")
#: Limit targets that also need net emissions at most zero.
NEUTRALITY_TARGETS: tuple[str, ...] = _ids(kind="limit", net_zero=True)
#: Limit targets whose share, base year and year the user (or a kommun profile) sets.
SETTABLE_LIMIT_TARGETS: tuple[str, ...] = _ids(kind="limit", settable=True)


def sector_index(target_id: str) -> int | None:
    """Index in :data:`model.data.SECTORS` of the sector a sector target judges, else None."""
    d = target_def(target_id)
    return SECTORS.index(d.sector) if d.kind == "sector" and d.sector else None
