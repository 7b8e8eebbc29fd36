"""Validation of ``model/registry.toml``'s streams, levers, range rules and policy tables.

:func:`parse_registry` turns the file's raw tables into :class:`model.registry.Registry` or raises
:class:`model.registry.RegistryError` naming the entry and field (the messages are for whoever edits
the file, not for the dashboard's users). :func:`model.registry.load_registry` reads and caches it.
"""
from __future__ import annotations

from typing import Any

from model.data import SECTORS
from model.registry import (
    ACTORS,
    GROUPS,
    KINDS,
    POLICIES,
    RAMP_SHAPES,
    UNITS,
    Lever,
    Ramp,
    RangeRule,
    Registry,
    RegistryError,
    Stream,
)


def _need(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry:
        raise RegistryError(f"{where}: fältet '{key}' saknas")
    return entry[key]


def _triple(value: Any, where: str) -> tuple[float, float, float]:
    if not (isinstance(value, list) and len(value) == 3 and value[0] <= value[1] <= value[2]):
        raise RegistryError(f"{where}: väntade [låg, typ, hög] i stigande ordning, fick {value!r}")
    return (float(value[0]), float(value[1]), float(value[2]))


def _parse_range_rules(raw: Any, where: str, stream_ids: set[str]) -> tuple[RangeRule, ...]:
    """One rule (a table) or several (an array of tables); the lowest bound applies."""
    if raw is None:
        return ()
    rules = raw if isinstance(raw, list) else [raw]
    if not rules or not all(isinstance(r, dict) for r in rules):
        raise RegistryError(f"{where} range_rule: väntade en tabell eller en lista av tabeller")
    return tuple(_parse_range_rule(r, f"{where} range_rule[{i}]" if isinstance(raw, list) else where + " range_rule",
                                   stream_ids) for i, r in enumerate(rules))


def _parse_range_rule(raw: dict[str, Any], where: str, stream_ids: set[str]) -> RangeRule:
    basis = str(_need(raw, "basis", where))
    kind, _, name = basis.partition(":")
    ok = basis == "population" or (kind == "sector" and name in SECTORS) or (kind == "stream" and name in stream_ids)
    if not ok:
        raise RegistryError(f"{where}: basis {basis!r} måste vara population, sector:<sektor> eller stream:<ström>")
    factor = _need(raw, "factor", where)
    if not (isinstance(factor, (int, float)) and factor > 0):
        raise RegistryError(f"{where}: factor måste vara ett positivt tal, fick {factor!r}")
    reason = _need(raw, "reason", where)
    if not (isinstance(reason, dict) and all(str(reason.get(k, "")).strip() for k in ("sv", "en"))):
        raise RegistryError(f"{where}: reason måste ha sv och en")
    return RangeRule(basis, float(factor), dict(reason), str(_need(raw, "source", where)))


def _parse_lever(raw: dict[str, Any], stream_ids: set[str]) -> Lever:
    where = f"lever {raw.get('id', '?')}"
    for lang in ("sv", "en"):
        for key in ("label", "help"):
            if not str(_need(raw, key, where).get(lang, "")).strip():
                raise RegistryError(f"{where}: {key}.{lang} saknas")
    kind = _need(raw, "kind", where)
    if kind not in KINDS:
        raise RegistryError(f"{where}: kind {kind!r} inte i {KINDS}")
    ramp_raw = _need(raw, "ramp", where)
    ramp = Ramp(ramp_raw["shape"], int(ramp_raw["start"]), int(ramp_raw["full"]))
    if ramp.shape not in RAMP_SHAPES or ramp.full < ramp.start:
        raise RegistryError(f"{where}: ogiltig ramp {ramp_raw!r}")
    lo, hi, step = float(raw["min"]), float(raw["max"]), float(raw["step"])
    if not (lo < hi and step > 0):
        raise RegistryError(f"{where}: min/max/step inkonsekventa")
    streams = {str(k): float(v) for k, v in raw.get("streams", {}).items()}
    if kind != "removal" and not streams:
        raise RegistryError(f"{where}: streams saknas")
    if unknown := set(streams) - stream_ids:
        raise RegistryError(f"{where}: okända strömmar {sorted(unknown)}")
    if _need(raw, "actor", where) not in ACTORS:
        raise RegistryError(f"{where}: actor {raw['actor']!r} inte i {ACTORS}")
    if raw.get("group") not in GROUPS:
        raise RegistryError(f"{where}: group {raw.get('group')!r} inte i {GROUPS}")
    if _need(raw, "unit", where) not in UNITS:
        raise RegistryError(f"{where}: unit {raw['unit']!r} inte i [model.units] {sorted(UNITS)}")
    nnm = raw["nnm"]
    if isinstance(nnm, str) and not (nnm.startswith("data:") and "nnm_fallback" in raw):
        raise RegistryError(f"{where}: nnm {nnm!r} måste vara ett tal eller data:<nyckel> med nnm_fallback")
    for name in ("nnm", "nnm_fallback", "default"):
        val = raw.get(name)
        if isinstance(val, (int, float)) and not lo <= val <= hi:
            raise RegistryError(f"{where}: {name}={val} utanför [{lo}, {hi}]")
    if kind == "stock" and raw.get("turnover") is None:
        raise RegistryError(f"{where}: stock-spak kräver turnover")
    if kind == "removal" and not raw.get("t_per_unit"):
        raise RegistryError(f"{where}: removal-spak kräver t_per_unit")
    if kind == "removal" and not raw.get("iamc_removal"):
        raise RegistryError(f"{where}: removal-spak kräver iamc_removal (IAMC-variabel under Carbon Removal)")
    e_km = raw.get("electric_km_share", 1.0)
    if kind == "stock" and not (isinstance(e_km, str) and e_km.startswith("data:")
                                or isinstance(e_km, (int, float)) and 0 < e_km <= 1):
        raise RegistryError(f"{where}: electric_km_share {e_km!r} måste vara i (0, 1] eller data:<nyckel>")
    cost = raw.get("cost_sek_per_t")
    added = raw.get("added_in_link", 1)
    if type(added) is not int or added < 1:
        raise RegistryError(f"{where}: added_in_link {added!r} måste vara ett heltal ≥ 1")
    return Lever(
        id=raw["id"], url_key=_need(raw, "url_key", where), group=raw["group"],
        label=dict(raw["label"]), help=dict(raw["help"]), unit=_need(raw, "unit", where),
        min=lo, max=hi, step=step, nnm=nnm, nnm_fallback=raw.get("nnm_fallback"),
        default=raw.get("default", "nnm"), kind=kind, streams=streams, ramp=ramp,
        effectiveness=_triple(_need(raw, "effectiveness", where), where + " effectiveness"),
        actor=raw["actor"], source=_need(raw, "source", where), turnover=raw.get("turnover"),
        initial_fleet_share=raw.get("initial_fleet_share"),
        initial_fleet_fallback=raw.get("initial_fleet_fallback"), t_per_unit=raw.get("t_per_unit"),
        cost_sek_per_t=_triple(cost, where + " cost") if cost is not None else None,
        cost_source=raw.get("cost_source"), electric_km_share=e_km,
        range_rules=_parse_range_rules(raw.get("range_rule"), where, stream_ids), added_in_link=added,
        iamc_removal=raw.get("iamc_removal"),
    )


def parse_registry(raw: dict[str, Any]) -> Registry:
    """Validate a registry mapping (as read from TOML) into a :class:`Registry`.

    Raises
    ------
    RegistryError
        On any missing field, unknown reference or inconsistent value.
    """
    streams = []
    for s in raw.get("stream", []):
        where = f"stream {s.get('id', '?')}"
        if _need(s, "sector", where) not in SECTORS:
            raise RegistryError(f"{where}: okänd sektor {s['sector']!r}")
        streams.append(Stream(s["id"], s["sector"], _need(s, "share", where),
                              _need(s, "fuel", where), _need(s, "driver", where)))
    if {s.sector for s in streams} != set(SECTORS):
        raise RegistryError("varje SMHI-sektor måste ha minst en ström")
    stream_ids = {s.id for s in streams}
    levers = tuple(_parse_lever(lv, stream_ids) for lv in raw.get("lever", []))
    for attr in ("id", "url_key"):
        values = [getattr(lv, attr) for lv in levers]
        if dup := {v for v in values if values.count(v) > 1}:
            raise RegistryError(f"dubblerade {attr}: {sorted(dup)}")
    params = dict(raw.get("parameters", {}))
    for lv in levers:
        if isinstance(lv.turnover, str) and lv.turnover not in params:
            raise RegistryError(f"lever {lv.id}: okänd parameter {lv.turnover!r}")
    policies = dict(raw.get("policy", {}))
    if set(policies) != set(POLICIES):
        raise RegistryError(f"policy-tabeller måste vara {POLICIES}")
    for pid, table in policies.items():
        src = table.get("source")
        if not (isinstance(src, dict) and {"sv", "en"} <= set(src)):
            raise RegistryError(f"policy.{pid}: source måste ha sv och en")
    codes = [str(table.get("code", "")) for table in policies.values()]
    if "" in codes or len(set(codes)) != len(codes):
        raise RegistryError(f"policy-tabeller måste ha var sin code (länkens np): {codes}")
    return Registry(int(raw.get("registry_version", 0)), levers, tuple(streams), params, policies)
