"""The model package is pure: the standard library, numpy, scipy and pandas only.

It never imports streamlit or a database library (those live in ``ui/`` and ``persistence/``),
neither directly nor through another module; ``persistence/`` never imports streamlit either.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = sorted((ROOT / "model").glob("*.py"))
MODULES = ["model" if p.stem == "__init__" else f"model.{p.stem}" for p in MODEL_FILES]
PERSISTENCE_FILES = sorted((ROOT / "persistence").glob("*.py"))
#: What model/ may import besides the standard library and itself.
MODEL_ALLOWED = {"model", "numpy", "scipy", "pandas", "tomli_w"}  # tomli_w: TOML writer (tomllib only reads)
#: Never loaded by importing model/, not even indirectly.
FORBIDDEN = ("streamlit", "sqlalchemy", "psycopg", "sqlite3", "persistence", "ui")


def _imported_roots(tree: ast.AST) -> set[str]:
    """Top-level package names of every import statement (at any depth, including in functions)."""
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__"):
            # importlib.import_module("streamlit") / __import__("streamlit") with a literal name.
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    roots.add(arg.value.split(".")[0])
    return roots


def test_model_files_found() -> None:
    assert len(MODEL_FILES) >= 10
    assert "model.engine" in MODULES and "model.__main__" in MODULES


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)
def test_model_imports_only_stdlib_numpy_scipy_pandas(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = _imported_roots(tree) - {"__future__"}
    foreign = {r for r in roots if r not in sys.stdlib_module_names and r not in MODEL_ALLOWED}
    assert not foreign, f"{path.name} imports {sorted(foreign)}"
    assert not roots & {"sqlite3"}, f"{path.name} imports a database library"


@pytest.mark.parametrize("path", PERSISTENCE_FILES, ids=lambda p: p.name)
def test_persistence_never_imports_streamlit_or_ui(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert not _imported_roots(tree) & {"streamlit", "ui"}


def test_detector_sees_streamlit_imports() -> None:
    """Guard against a detector that can never fire."""
    for src in ("import streamlit as st", "from streamlit import session_state",
                "def f():\n    import streamlit.components.v1",
                "import importlib\nimportlib.import_module('streamlit')"):
        assert "streamlit" in _imported_roots(ast.parse(src)), src


def test_importing_every_model_module_loads_no_streamlit() -> None:
    code = (
        "import importlib, sys\n"
        f"mods = {MODULES!r}\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "assert all(m in sys.modules for m in mods)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print('forbidden', bad)\n"
        "print('loaded', len(mods))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"loaded {len(MODULES)}" in res.stdout


def test_persistence_files_found() -> None:
    assert {p.stem for p in PERSISTENCE_FILES} >= {"store", "schema", "queries"}
    assert not (ROOT / "model" / "workshop_store.py").exists()
