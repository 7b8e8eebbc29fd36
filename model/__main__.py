"""Command line: ``python -m model run FILE``, ``python -m model levers`` and ``python -m model data …``.

``levers [--kommun K] [--format table|json]`` lists every lever with the range it has in the kommun
(Enköping by default; :func:`model.run.levers_for`).

``data import FILE`` validates a new SMHI release and writes it into ``data/releases/``
(:mod:`model.data_cli`); ``data list`` lists the stored releases.

Bad arguments and bad files give a one-line message on stderr and exit status 2; no traceback.
``--format csv`` writes IAMC long format (:mod:`model.iamc`).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from model import iamc
from model.csvio import DataValidationError
from model.data import SECTORS
from model.data_cli import add_data_parser, data_main
from model.kommuner import UnknownKommunError
from model.registry import HORIZONS, load_registry
from model.results_table import long_table, sector_variable, wide
from model.run import MODEL_VERSION, ScenarioResult, baseline_scenario, levers_for, run_scenario
from model.scenario import ScenarioFileError, load_scenario


def _table(res: ScenarioResult) -> str:
    years = [int(y) for y in res.years]
    name_w = max(len(s) for s in SECTORS) + 2
    head = f"{'t CO2e/år':<{name_w}}" + "".join(f"{y:>10}" for y in years)
    lines = [f"{res.kommun.name} ({res.kommun.code}) · scenario {res.scenario.id} · "
             f"styrning {res.scenario.national_policy} · modell {MODEL_VERSION}", head]
    # A pivot of the canonical long table (model.results_table), model years only.
    w = wide(long_table([(res.scenario.id, res)], history=False),
             [sector_variable(s) for s in SECTORS] + ["gross", "removals", "net", "baseline_gross"])
    for s in SECTORS:
        lines.append(f"{s:<{name_w}}" + "".join(f"{v:>10.0f}" for v in w[sector_variable(s)]))
    for label, var in (("Brutto (gross)", "gross"), ("Upptag (removals)", "removals"),
                       ("Netto (net)", "net"), ("Utan nya åtgärder", "baseline_gross")):
        lines.append(f"{label:<{name_w}}" + "".join(f"{v:>10.0f}" for v in w[var]))
    lines.append("")
    lines.append("Mål (targets):")
    for t in res.targets:
        if not t.evaluable:
            verdict = f"bedöms ej inom horisonten (year {t.year} > {years[-1]})"
        else:
            verdict = ("uppfyllt (met)" if t.met else f"ej uppfyllt (not met), gap {t.gap_t:,.0f} t "
                       f"({t.gap_pct:.1f} %)").replace(",", " ")
        first = t.year_met if t.year_met is not None else "–"
        lines.append(f"  {t.id:<26} {verdict}; först uppfyllt {first}")
    return "\n".join(lines)


def _csv(res: ScenarioResult) -> str:
    """IAMC CSV of the scenario and, as its own scenario, the "no new measures" baseline."""
    results = [(res.scenario.id, res)]
    if res.scenario.id != iamc.BASELINE_SCENARIO:
        sc = res.scenario
        results.append((iamc.BASELINE_SCENARIO,
                        run_scenario(baseline_scenario(res.kommun.code, sc.national_policy, sc.horizon))))
    return iamc.to_csv(results)


def _levers(kommun: str | None = None) -> str:
    reg = load_registry()
    # With --kommun the max column is that kommun's reach (range rules), else the registry's.
    reach = {r["id"]: r["max"] for r in levers_for(kommun)} if kommun is not None else {}
    # Column as wide as the longest id plus a gap, so a long id never runs into its URL key.
    w = max(len(lv.id) for lv in reg.levers) + 2
    lines = [f"{'id':<{w}}{'url':<6}{'enhet':<8}{'min':>7}{'max':>7}{'steg':>7}  {'aktör':<10} etikett / källa"]
    for lv in reg.levers:
        lines.append(f"{lv.id:<{w}}{lv.url_key:<6}{lv.unit:<8}{lv.min:>7g}{reach.get(lv.id, lv.max):>7g}"
                     f"{lv.step:>7g}  {lv.actor:<10} {lv.label['sv']}")
        lines.append(f"{'':<{w + 45}}källa: {'ANTAGANDE' if lv.is_assumption else lv.source}")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]


def _fail(message: str) -> int:
    """Bad input: one line on stderr, exit status 2."""
    print(f"fel: {_one_line(message)}", file=sys.stderr)
    return 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"fel: {message}\n(python -m model --help visar hjälp)\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = _Parser(prog="python -m model", description="Klimatvägar: kör scenarier för en kommun.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="kör en scenariofil")
    run.add_argument("file")
    run.add_argument("--kommun", help="kommunnamn eller kod, t.ex. Enköping eller 0381")
    run.add_argument("--horizon", type=int, choices=HORIZONS)
    run.add_argument("--format", choices=("table", "csv", "json"), default="table")
    levers = sub.add_parser("levers", help="lista spakregistret")
    levers.add_argument("--kommun", help="kommunnamn eller kod: spakarnas räckvidd där (standard Enköping)")
    levers.add_argument("--format", choices=("table", "json"), default="table")
    add_data_parser(sub)
    args = parser.parse_args(argv)
    if args.cmd == "data":
        return data_main(args)
    try:
        if args.kommun is not None and not args.kommun.strip():
            return _fail("--kommun är tomt; ange ett kommunnamn eller en kod, t.ex. Enköping eller 0381 "
                         "(--kommun is empty; give a kommun name or code)")
        if args.cmd == "levers":
            if args.format == "json":
                json.dump(levers_for(args.kommun), sys.stdout, ensure_ascii=False, indent=1)
                sys.stdout.write("\n")
            else:
                print(_levers(args.kommun))
            return 0
        sc = load_scenario(args.file)
        if args.horizon:
            sc = replace(sc, horizon=args.horizon)
        res = run_scenario(sc, args.kommun)
        out = {"table": _table, "csv": _csv}.get(args.format)
        text = out(res) if out else json.dumps(res.to_json_dict(), ensure_ascii=False, indent=1)
    except (ScenarioFileError, UnknownKommunError, DataValidationError, ValueError) as exc:
        return _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug, not bad input: still one line, but exit 1
        print(f"fel: internt fel ({type(exc).__name__}: {_one_line(str(exc))}) (internal error)", file=sys.stderr)
        return 1
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
