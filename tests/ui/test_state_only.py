"""``ui/state`` is the only code that reads or writes session keys.

Pages use :mod:`ui.state` (settings through :func:`ui.state.get`/:func:`ui.state.bind`, page-local
memory through :mod:`ui.state.memory`); any ``.session_state`` elsewhere in the app fails here.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / "ui" / "state"


def _sources() -> list[Path]:
    files = [p for p in sorted((ROOT / "ui").rglob("*.py")) if STATE not in p.parents]
    return files + sorted((ROOT / "views").rglob("*.py")) + [ROOT / "app.py"]


def session_state_uses(source: str, name: str) -> list[str]:
    """``name:line`` of every attribute access ``.session_state`` in ``source``."""
    lines = sorted(node.lineno for node in ast.walk(ast.parse(source, filename=name))
                   if isinstance(node, ast.Attribute) and node.attr == "session_state")
    return [f"{name}:{n}" for n in lines]


def test_scanner_finds_session_state() -> None:
    src = "import streamlit as st\nx = st.session_state.get('k')\nss = st.session_state\n"
    assert session_state_uses(src, "m.py") == ["m.py:2", "m.py:3"]


def test_only_ui_state_touches_session_state() -> None:
    files = _sources()
    assert len(files) > 20  # the scan found the app's sources
    found = [hit for p in files
             for hit in session_state_uses(p.read_text(encoding="utf-8"), str(p.relative_to(ROOT)))]
    assert not found, "use ui.state (settings or ui.state.memory) instead of st.session_state:\n" + "\n".join(found)
