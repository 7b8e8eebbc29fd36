"""Shared helpers for the workshop AppTests: open the Workshop page with URL parameters, read its text."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "views/workshop.py"
TIMEOUT = 60


def workshop_page(params: dict[str, str] | None = None) -> AppTest:
    """The app opened with ``params``, switched to the Workshop page (no exception allowed)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def page_texts(at: AppTest) -> str:
    """Every markdown, caption, title and alert text on the page, one per line."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [x.value for x in at.title]
    for kind in (at.success, at.warning, at.info, at.error):
        parts += [x.value for x in kind]
    return "\n".join(str(p) for p in parts)
