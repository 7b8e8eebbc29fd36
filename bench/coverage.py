"""What each kommun can reach: every lever at the most the kommun can reach (a table, not a timing).

Run from the repository root::

    python bench/coverage.py            # one line per kommun, then the summary line
    python bench/coverage.py --horizon 2045 --policy current_law

For each of the 290 kommuner, every lever is set to its maximum in that kommun
(:func:`model.ranges.lever_bounds`: the registry's range rules, no profile
capacities) under the original 2030 reduktionsplikt by default, and the script prints

* the gross cut in 2030 against 1990 (%, SMHI inventory; negative = above 1990),
* the net cut (gross minus removals) against 1990 gross (%),
* the SMHI sector that limits it: the one with the most emissions left in 2030,
* the streams above 10 % of the kommun's base-year emissions that no lever acts on.

The last line is machine-readable:
``kommuner=290 below_50pct=<n gross cut < 50 %> no_lever_over_10pct=<n kommuner with such a stream>``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from model.baseline import build_context  # noqa: E402
from model.data import SECTORS, load_dataset  # noqa: E402
from model.engine import apply_levers, baseline_streams, lever_effects, removals, sector_totals  # noqa: E402
from model.ranges import lever_bounds  # noqa: E402
from model.registry import load_registry  # noqa: E402

#: A stream larger than this share of a kommun's base-year emissions must have a lever (issue 13 item 2).
MATERIAL_SHARE = 0.10


def kommun_row(code: str, policy: str, horizon: int, year: int = 2030) -> dict[str, object]:
    """Cut against 1990 in ``year`` with every lever at the kommun's maximum, and uncovered streams."""
    reg, ds = load_registry(), load_dataset()
    ctx = build_context(code, policy, horizon)
    bounds = lever_bounds(ctx, reg=reg)
    values = np.array([bounds[lid][1] for lid in reg.lever_ids])
    fx = lever_effects(ctx, values, reg)
    streams = apply_levers(baseline_streams(ctx), fx)
    ti = int(np.flatnonzero(ctx.years == year)[0])
    by_sector = sector_totals(streams, ctx)[:, 0, ti]
    gross, rem = float(by_sector.sum()), float(removals(fx, 1)[0, ti])
    g1990 = float(ds.emissions[ds.index_of(code), ds.inventory_years.index(1990)].sum())
    reached = {s for lv in reg.levers for s in lv.streams}
    total0 = float(ctx.e0.sum())
    uncovered = [sid for i, sid in enumerate(reg.stream_ids)
                 if sid not in reached and total0 > 0 and ctx.e0[i] / total0 > MATERIAL_SHARE]
    return {"code": code, "name": ctx.kommun.name,
            "gross_cut_pct": 100.0 * (1.0 - gross / g1990) if g1990 > 0 else float("nan"),
            "net_cut_pct": 100.0 * (1.0 - (gross - rem) / g1990) if g1990 > 0 else float("nan"),
            "limiting_sector": SECTORS[int(np.argmax(by_sector))], "uncovered": uncovered}


def main(argv: list[str] | None = None) -> int:
    """Print the table and the summary line; exit status 0."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policy", default="original_2030", choices=sorted(load_registry().policies))
    ap.add_argument("--horizon", type=int, default=2030, choices=(2030, 2045))
    args = ap.parse_args(argv)
    rows = [kommun_row(k.code, args.policy, args.horizon) for k in load_dataset().kommuner]
    print("code\tkommun\tgross_cut_2030_vs_1990_pct\tnet_cut_2030_vs_1990_pct\tlimiting_sector\tno_lever_over_10pct")
    for r in rows:
        print(f"{r['code']}\t{r['name']}\t{r['gross_cut_pct']:.1f}\t{r['net_cut_pct']:.1f}\t{r['limiting_sector']}\t"
              f"{','.join(r['uncovered']) or '-'}")
    below = sum(1 for r in rows if not r["gross_cut_pct"] >= 50.0)
    uncovered = sum(1 for r in rows if r["uncovered"])
    print(f"kommuner={len(rows)} below_50pct={below} no_lever_over_10pct={uncovered}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
