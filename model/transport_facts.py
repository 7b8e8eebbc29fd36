"""Road-transport inputs of the baseline: a kommun's vehicle facts and the fuel policy's fossil share.

:func:`kommun_facts` reads the shipped Trafikanalys vehicle statistics (2025, via Klimatkollen) into
the fleet shares the stock levers start from, each with its source, and falls back to the national
figures of the registry's parameters where a kommun has no vehicle rows. :func:`fossil_index` is the
fossil share of petrol and diesel under a reduktionsplikt path, relative to the first model year.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from model.data import DATA_DIR
from model.registry import Registry


@lru_cache(maxsize=1)
def _vehicles() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "vehicles_by_fuel.csv", dtype={"kommun_code": str})


def _vehicle_count(code: str, vtype: str, measure: str, fuels: tuple[str, ...]) -> float | None:
    df = _vehicles()
    rows = df[(df["kommun_code"] == code) & (df["year"] == 2025) & (df["vehicle_type"] == vtype)
              & (df["measure"] == measure)]
    if rows.empty:
        return None
    return float(rows[rows["fuel"].isin(fuels)]["count"].sum())


def kommun_facts(code: str, reg: Registry) -> dict[str, tuple[float, str]]:
    """Kommun-specific fleet inputs with their source (value, source text).

    Falls back to national figures from the registry parameters where the kommun
    has no vehicle data shipped.
    """
    src_v = "Trafikanalys, Fordon i län och kommuner 2025 (via Klimatkollen), beräknat"
    facts: dict[str, tuple[float, str]] = {}
    new_tot = _vehicle_count(code, "personbil", "nyregistrerade_under_aret", ("Totalt",))
    if new_tot:
        new_rc = _vehicle_count(code, "personbil", "nyregistrerade_under_aret", ("El", "Laddhybrider"))
        facts["rechargeable_share_new_cars"] = (100.0 * (new_rc or 0.0) / new_tot, src_v)
    else:
        p = reg.parameters["national_rechargeable_share_new_cars"]
        facts["rechargeable_share_new_cars"] = (100.0 * p["value"], "Riket: " + p["source"])
    fleet_tot = _vehicle_count(code, "personbil", "i_trafik_vid_arets_slut", ("Totalt",))
    if fleet_tot:
        el = _vehicle_count(code, "personbil", "i_trafik_vid_arets_slut", ("El",)) or 0.0
        ph = _vehicle_count(code, "personbil", "i_trafik_vid_arets_slut", ("Laddhybrider",)) or 0.0
        petrol = _vehicle_count(code, "personbil", "i_trafik_vid_arets_slut", ("Bensin",)) or 0.0
        diesel = _vehicle_count(code, "personbil", "i_trafik_vid_arets_slut", ("Diesel",)) or 0.0
        facts["car_fleet_rechargeable_share"] = ((el + ph) / fleet_tot, src_v)
        facts["bev_share_of_rechargeable"] = (el / (el + ph) if el + ph else 0.5, src_v)
        km_d, km_p = reg.param("diesel_car_km_per_year"), reg.param("petrol_car_km_per_year")
        facts["car_diesel_weight"] = (diesel * km_d / (diesel * km_d + petrol * km_p), src_v +
                                      " och körsträckor per drivmedel (Trafikanalys via trafikmagasinet.nu)")
    else:
        p, b = reg.parameters["national_rechargeable_share_fleet"], reg.parameters["national_bev_share_of_rechargeable"]
        facts["car_fleet_rechargeable_share"] = (p["value"], "Riket: " + p["source"])
        facts["bev_share_of_rechargeable"] = (b["value"], "Riket: " + b["source"])
        facts["car_diesel_weight"] = (0.5, "assumption")
    bev, bev_src = facts["bev_share_of_rechargeable"]
    facts["car_electric_km_share"] = (bev + (1 - bev) * reg.param("phev_electric_km_share"),
                                      bev_src + "; laddhybridernas elandel av körsträckan: antagande")
    for key, vtype in (("light_truck_el_fleet_share", "lätt lastbil"), ("heavy_truck_el_fleet_share", "tung lastbil")):
        tot = _vehicle_count(code, vtype, "i_trafik_vid_arets_slut", ("Totalt",))
        if tot:
            facts[key] = ((_vehicle_count(code, vtype, "i_trafik_vid_arets_slut", ("El",)) or 0.0) / tot, src_v)
    return facts


def fossil_index(reg: Registry, policy: str, fuel: str, years: np.ndarray,
                         diesel_weight: float) -> np.ndarray:
    """Fossil energy share of the fuel relative to the base year under a reduktionsplikt path."""
    if fuel == "none":
        return np.ones(len(years))
    per_unit = reg.param("bio_share_per_reduktionsplikt")
    table = reg.policies[policy]

    def fossil(kind: str) -> np.ndarray:
        levels = {int(y): float(v) for y, v in table[kind].items()}
        known = sorted(levels)
        rp = np.array([levels[max([k for k in known if k <= y], default=known[0])] for y in years])
        return 1.0 - np.minimum(rp / 100.0 * per_unit, 1.0)

    mix = fossil("diesel") if fuel == "diesel" else (
        diesel_weight * fossil("diesel") + (1 - diesel_weight) * fossil("petrol"))
    out: np.ndarray = mix / mix[0]
    return out
