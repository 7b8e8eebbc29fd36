"""``python -m model data import FILE`` and ``python -m model data list``.

Import: read the file (:mod:`model.smhi_import`), check it (:mod:`model.release_import`), print the
revision report against the current default release (:mod:`model.revisions`) and, unless
``--dry-run``, write the release and append its provenance paragraph to ``data/PROVENANCE.md``.
A bad file gives one line on stderr, exit status 2, and changes nothing on disk.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from model.csvio import DataValidationError
from model.data import DATA_DIR, load_dataset
from model.release_import import provenance_paragraph, validate, write_release
from model.releases import read_index
from model.revisions import format_report, revision_report
from model.smhi_import import ImportFileError, read_release_file


def add_data_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``data`` command and its ``import``/``list`` subcommands to the CLI parser."""
    data = sub.add_parser("data", help="SMHI-utgåvor: importera och lista (SMHI releases)")
    dsub = data.add_subparsers(dest="data_cmd", required=True)
    imp = dsub.add_parser("import", help="importera en ny utgåva (SMHI-export, lång CSV eller Klimatkollen-JSON)")
    imp.add_argument("file")
    imp.add_argument("--release-id", help="utgåvans id, standard smhi-<sista år>")
    imp.add_argument("--dry-run", action="store_true", help="kontrollera och visa revideringar, skriv inget")
    imp.add_argument("--retrieved", help="hämtningsdatum ÅÅÅÅ-MM-DD (standard: i dag)")
    imp.add_argument("--top", type=int, default=20, help="antal rader i revideringsrapporten")
    imp.add_argument("--lang", choices=("sv", "en"), default="sv")
    imp.add_argument("--data-dir", help=argparse.SUPPRESS)
    lst = dsub.add_parser("list", help="lista lagrade utgåvor")
    lst.add_argument("--data-dir", help=argparse.SUPPRESS)


def _err(msg: str) -> int:
    print(f"fel: {' '.join(msg.split())[:500]}", file=sys.stderr)
    return 2


def data_main(args: argparse.Namespace) -> int:
    """Run a ``data`` subcommand; returns the exit status."""
    data_dir = Path(args.data_dir) if args.data_dir else DATA_DIR
    lang = getattr(args, "lang", "sv")
    try:
        if args.data_cmd == "list":
            default, rels = read_index(data_dir)
            for r in rels:
                mark = "*" if r.id == default else " "
                print(f"{mark} {r.id:<12} t.o.m. {r.last_year}  år {r.years[0]}–{r.years[-1]} ({len(r.years)})  "
                      f"hämtad {r.retrieved}  {r.source['sv']}")
            return 0
        return _import(args, data_dir, lang)
    except ImportFileError as exc:
        return _err(exc.message(lang))
    except (DataValidationError, OSError) as exc:
        return _err(str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug, not bad input: one line, exit 1
        print(f"fel: internt fel ({type(exc).__name__}: {exc}) (internal error)"[:600], file=sys.stderr)
        return 1


def _import(args: argparse.Namespace, data_dir: Path, lang: str) -> int:
    src = Path(args.file)
    if args.retrieved and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.retrieved):
        return _err("--retrieved ska vara ÅÅÅÅ-MM-DD (--retrieved must be YYYY-MM-DD)")
    current = load_dataset(data_dir)
    checked = validate(read_release_file(src), src.name, current.kommuner)
    rid = args.release_id or f"smhi-{checked.years[-1]}"
    report = format_report(revision_report(current, checked.rows, rid), lang, max(args.top, 0))
    notes = list(checked.parsed.notes)
    if checked.years[-1] < current.last_year:
        notes.append(f"the file holds data up to {checked.years[-1]}, older than the default release "
                     f"{current.release}: it is stored beside it and does not become the default")
    for note in notes:
        print(("Note: " if lang == "en" else "Obs (på engelska i manifestet): ") + note)
    if args.dry_run:
        print(report)
        print("Dry run: nothing written." if lang == "en" else "Provkörning: inget skrivet.")
        return 0
    prov = data_dir / "PROVENANCE.md"
    before = prov.read_bytes() if prov.is_file() else None
    rel = write_release(checked, data_dir, rid, src, args.retrieved)
    try:
        with open(prov, "a", encoding="utf-8") as fh:
            fh.write(provenance_paragraph(rel, src, checked))
    except OSError:
        if before is not None:
            prov.write_bytes(before)
        raise
    print(report)
    default, _ = read_index(data_dir)
    print((f"Wrote release {rel.id} to data/{rel.data_file}; default release: {default}.") if lang == "en" else
          (f"Skrev utgåvan {rel.id} till data/{rel.data_file}; standardutgåva: {default}."))
    return 0
