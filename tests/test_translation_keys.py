"""Every translation key the code uses exists in Swedish and in English (issue 12 item 4).

``t()`` never raises: a missing key shows as Swedish text in English, or as the raw key
("results.metric.gap") in both. So a missing key is found only by reading the source. This test
parses every module of the application with :mod:`ast` and checks:

* literal keys passed to ``t``/``tn`` (the functions imported from the i18n module, nothing else
  that happens to be called ``t``), both branches of ``a if c else b``;
* ``tn`` keys have both plural forms, ``<key>.one`` and ``<key>.other`` ("1 rad", "2 rader");
* f-string keys (``f"app.group.{g}"``) match at least one key, and the same keys in both languages;
* keys built from a variable are checked through the key-shaped literals of their function, or are
  on :data:`DYNAMIC` with the reason and the family of keys that is checked in their place;
* the families whose values come from data: message keys of share-link notices, workshop errors and
  scenario-file errors, lever groups, ramp shapes, sectors, actors, targets, policies, horizons.

The catalogues' own parity (same keys, same placeholders) is tested in tests/ui/test_i18n.py.
"""
from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ui.text import i18n

ROOT = Path(__file__).resolve().parents[1]
#: Application code that may show text (model/ and persistence/ raise message keys).
SOURCES = ("ui", "views", "model", "persistence", "serving", "app.py", "asgi.py")
I18N_MODULES = {"ui.text.i18n", "ui.i18n"}
LANGS = ("sv", "en")
KEY_SHAPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")

#: Lookups whose key is a run-time value and where the function holds no key literal to check.
#: expression (as ``ast.unparse`` writes it) -> why, and which family test covers its keys.
DYNAMIC: dict[str, str] = {
    "key": "i18n.translator/tn and generic helpers pass a caller's key through; the callers' literals "
           "are checked where they are written",
    "k": "chart legend keys from a list of literals in the same module (checked as module literals)",
    "title": "ui/nav.py: page titles come from the page table's 'page.*' literals (module literals)",
    "exc.key": "ScenarioFileError.key is 'scenario_file.<kind>': test_scenario_file_error_keys",
    "msg['key']": "keys stored by ui/compare/sources.py _say(...) with literals: module literals",
}


def _catalog(lang: str) -> dict[str, str]:
    i18n.clear_cache()
    return dict(i18n.catalog(lang))


CATALOGS = {lang: _catalog(lang) for lang in LANGS}
ALL_KEYS = set(CATALOGS["sv"]) | set(CATALOGS["en"])
PREFIXES = {k.split(".", 1)[0] for k in ALL_KEYS}


def _missing(keys: set[str]) -> list[str]:
    """``key (lang)`` for every key absent from a language's catalogue."""
    return sorted(f"{k} ({lang})" for k in keys for lang in LANGS if k not in CATALOGS[lang])


def _files() -> list[Path]:
    out: list[Path] = []
    for name in SOURCES:
        p = ROOT / name
        out.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p] if p.exists() else [])
    return [p for p in out if "__pycache__" not in p.parts]


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@dataclass(frozen=True)
class Use:
    """One lookup in the source."""

    where: str  # "ui/x.py:12"
    func: str  # "t" or "tn"
    node: ast.expr  # the key argument
    scope: ast.AST  # enclosing function (or the module) for literal look-ups


def _i18n_names(tree: ast.Module) -> dict[str, str]:
    """Local names bound to i18n's ``t``/``tn`` by ``from ui.text.i18n import t, tn as ...``."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in I18N_MODULES:
            for alias in node.names:
                if alias.name in ("t", "tn"):
                    names[alias.asname or alias.name] = alias.name
    return names


def _walk_scoped(node: ast.AST, scope: ast.AST) -> Iterator[tuple[ast.AST, ast.AST]]:
    for child in ast.iter_child_nodes(node):
        inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else scope
        yield child, inner
        yield from _walk_scoped(child, inner)


def _uses() -> list[Use]:
    uses: list[Use] = []
    for path in _files():
        rel = path.relative_to(ROOT).as_posix()
        tree = _tree(path)
        names = _i18n_names(tree)
        if rel in ("ui/text/i18n.py", "ui/i18n.py"):
            names = {"t": "t", "tn": "tn"}  # the module's own helpers (checked through DYNAMIC/families)
        for node, scope in _walk_scoped(tree, tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            f = node.func
            if isinstance(f, ast.Name) and f.id in names:
                func = names[f.id]
            elif isinstance(f, ast.Attribute) and f.attr in ("t", "tn") and isinstance(f.value, ast.Name) \
                    and f.value.id == "i18n":
                func = f.attr
            else:
                continue
            uses.append(Use(f"{rel}:{node.lineno}", func, node.args[0], scope))
    return uses


USES = _uses()


def _literals(node: ast.AST) -> set[str] | None:
    """The key(s) a literal or ``a if c else b`` of literals can be; None if not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        a, b = _literals(node.body), _literals(node.orelse)
        return None if a is None or b is None else a | b
    return None


def _pattern(node: ast.JoinedStr) -> re.Pattern[str]:
    """An f-string key as a regex: each ``{…}`` is one dotted segment (or part of one)."""
    parts = []
    for v in node.values:
        if isinstance(v, ast.Constant):
            parts.append(re.escape(str(v.value)))
        else:
            parts.append(r"[A-Za-z0-9_]+")
    return re.compile("".join(parts))


def _key_literals(scope: ast.AST) -> set[str]:
    """Key-shaped string literals in a function (or module) whose first segment is a catalogue's."""
    found = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY_SHAPE.fullmatch(node.value) \
                and node.value.split(".", 1)[0] in PREFIXES:
            found.add(node.value)
    return found


def _plural(keys: set[str], func: str) -> set[str]:
    return {f"{k}.{form}" for k in keys for form in ("one", "other")} if func == "tn" else keys


def test_the_scan_sees_the_application() -> None:
    """A scan that finds nothing would pass whatever the catalogues hold."""
    assert len(USES) > 500, len(USES)
    assert sum(isinstance(u.node, ast.JoinedStr) for u in USES) > 20
    assert any(u.func == "tn" for u in USES)


def test_literal_keys_exist_in_both_languages() -> None:
    missing = []
    for u in USES:
        keys = _literals(u.node)
        if keys is not None:
            missing += [f"{u.where}: {m}" for m in _missing(_plural(keys, u.func))]
    assert not missing, "keys used in code but missing from ui/text/locales:\n" + "\n".join(missing)


def test_plural_keys_have_both_forms() -> None:
    """``tn`` picks ``.one``/``.other``; a catalogue with only one form shows the raw key for the other."""
    # ".other" alone is no plural marker ("chart.waterfall.other" is the bar of the other levers).
    bases = {k.rsplit(".", 1)[0] for k in ALL_KEYS if k.endswith(".one")}
    bases |= {k for u in USES if u.func == "tn" for k in (_literals(u.node) or set())}
    assert bases, "no plural keys at all"
    assert not _missing(_plural(bases, "tn"))


def test_f_string_keys_match_the_same_keys_in_both_languages() -> None:
    problems = []
    for u in USES:
        if not isinstance(u.node, ast.JoinedStr):
            continue
        pat = _pattern(u.node)
        if pat.pattern.startswith(r"[A-Za-z0-9_]+"):
            continue  # "{prefix}.{value}" inside i18n.py: the families below check those
        matched = {lang: {k for k in CATALOGS[lang] if pat.fullmatch(k)} for lang in LANGS}
        if u.func == "tn":
            matched = {lang: {k.rsplit(".", 1)[0] for k in ks} for lang, ks in matched.items()}
        if not matched["sv"] and not matched["en"]:
            problems.append(f"{u.where}: {ast.unparse(u.node)} matches no key")
        elif matched["sv"] != matched["en"]:
            only = {lang: sorted(matched[lang] - matched[other]) for lang, other in (("sv", "en"), ("en", "sv"))}
            problems.append(f"{u.where}: {ast.unparse(u.node)}: only in sv {only['sv']}, only in en {only['en']}")
    assert not problems, "\n".join(problems)


def test_keys_built_from_variables_are_checked_or_explained() -> None:
    unexplained, missing = [], []
    for u in USES:
        if _literals(u.node) is not None or isinstance(u.node, ast.JoinedStr):
            continue
        expr = ast.unparse(u.node)
        local = _key_literals(u.scope)
        if local:
            missing += [f"{u.where}: {m}" for m in _missing(local)]
        elif expr not in DYNAMIC:
            unexplained.append(f"{u.where}: t({expr}, …)")
    assert not unexplained, ("keys from a variable with no key literal in the same function: check their "
                             "family below and add the expression to DYNAMIC with the reason:\n"
                             + "\n".join(unexplained))
    assert not missing, "\n".join(missing)


def test_module_key_literals_that_are_keys_exist_in_both_languages() -> None:
    """A key-shaped literal present in one catalogue must be in the other (keys passed around in tables)."""
    problems = []
    for path in _files():
        rel = path.relative_to(ROOT).as_posix()
        for key in _key_literals(_tree(path)):
            if key in ALL_KEYS:
                problems += [f"{rel}: {m}" for m in _missing({key})]
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- families from data


def _constants_in(paths: list[Path], call: str) -> set[str]:
    """First-argument string literals of calls to ``call`` (a class or function name)."""
    out = set()
    for path in paths:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                if name == call:
                    out.add(node.args[0].value)
    return out


def test_share_link_notice_keys() -> None:
    """``Notice("link.x")`` is shown as ``app.notice.x`` (ui/notices.py)."""
    keys = {k for k in _constants_in(_files(), "Notice") if k.startswith("link.")}
    # codec.py also chooses among literals ("link.bad_base_year" if … else "link.bad_choice").
    codec = (ROOT / "model" / "codec.py").read_text(encoding="utf-8")
    keys |= set(re.findall(r"\"(link\.[a-z_]+)\"", codec))
    assert len(keys) >= 10, keys
    assert not _missing({f"app.notice.{k.split('.', 1)[1]}" for k in keys})


def _model_message_keys() -> set[str]:
    """Message keys the model raises or returns for own measures and kommun profiles."""
    from model.measures import ALLOWED as MEASURE_ALLOWED
    from model.measures import MeasureError
    from model.profiles import PROFILE_ALLOWED, ProfileError

    keys = {k for k in _constants_in(_files(), "Notice") if not k.startswith("link.")}
    keys |= {f"{MeasureError.prefix}.{kind}" for kind in MEASURE_ALLOWED}
    keys |= {f"{ProfileError.prefix}.{kind}" for kind in PROFILE_ALLOWED}
    return keys


def test_model_message_keys() -> None:
    """Notices and errors of own measures and profiles carry their catalogue key itself."""
    missing = _missing(_model_message_keys())
    assert not missing, f"model message keys missing from the catalogues: {missing}"


def test_the_checks_fail_on_a_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take one literal key and one f-string family member out of English: both checks must fail."""
    en = dict(CATALOGS["en"])
    del en["app.group.transport"], en[next(iter(_literals(next(
        u.node for u in USES if _literals(u.node) and u.func == "t")) or ()))]
    monkeypatch.setitem(CATALOGS, "en", en)
    with pytest.raises(AssertionError, match=r"app\.group"):
        test_f_string_keys_match_the_same_keys_in_both_languages()
    with pytest.raises(AssertionError, match=r"\(en\)"):
        test_literal_keys_exist_in_both_languages()


def test_workshop_error_keys() -> None:
    """``WorkshopError("x")`` is shown as ``workshop.error.x``."""
    keys = _constants_in(_files(), "WorkshopError")
    assert {"not_found", "bad_key", "group_taken"} <= keys, keys
    assert not _missing({f"workshop.error.{k}" for k in keys})


def test_scenario_file_error_keys() -> None:
    """Every ``ScenarioFileError`` kind has its message ``scenario_file.<kind>``."""
    from model.scenario import ALLOWED

    assert not _missing({f"scenario_file.{kind}" for kind in ALLOWED})


def test_registry_families() -> None:
    from model.registry import GROUPS, RAMP_SHAPES, load_registry

    reg = load_registry()
    groups = set(GROUPS) | {lv.group for lv in reg.levers}
    keys = {f"app.group.{g}" for g in groups} | {f"optimiser.lock_group.{g}" for g in groups}
    keys |= {f"data_page.ramp.{s}" for s in set(RAMP_SHAPES) | {lv.ramp.shape for lv in reg.levers}}
    assert not _missing(keys)


@pytest.mark.parametrize("prefix,ids", [
    ("sector", i18n.SECTOR_IDS), ("sector_short", i18n.SECTOR_IDS), ("actor", i18n.ACTOR_IDS),
    ("target", i18n.TARGET_IDS), ("target_desc", i18n.TARGET_IDS), ("policy.reduktionsplikt", i18n.POLICY_IDS),
])
def test_id_families(prefix: str, ids: tuple[str, ...]) -> None:
    assert ids and not _missing({f"{prefix}.{i}" for i in ids})


def test_horizon_labels() -> None:
    from model.codec import HORIZONS

    assert not _missing({f"horizon.y{h}" for h in HORIZONS})
