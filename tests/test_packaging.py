"""Packaging and tooling: pyproject.toml, the console script, LICENSE, CHANGELOG and CI's lint step.

``pip install -e .`` itself is checked by hand in a throw-away venv (it needs the network for the
build backend); these tests check what that install relies on, from the files in the checkout.
"""
from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from model.codec import LINK_VERSION
from model.run import MODEL_VERSION

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: Application packages that pyproject.toml installs (tests/ and bench/ are not among them).
APP_PACKAGES = ("model", "ui", "persistence", "serving")


def _tracked(prefix: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", "--", prefix], cwd=ROOT, capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if line]


def _pinned(path: Path) -> dict[str, str]:
    """``name == version`` lines of a requirements file (comments and ``-r`` lines skipped)."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name, sep, version = line.partition("==")
        assert sep, f"{path.name}: {line!r} is not pinned with =="
        pins[re.sub(r"\[.*\]", "", name).strip().lower()] = version.strip()
    return pins


def test_project_metadata() -> None:
    project = PYPROJECT["project"]
    assert project["name"] == "klimatvagar"
    assert project["requires-python"] == ">=3.11"
    assert project["readme"] == "README.md" and (ROOT / "README.md").exists()
    assert project["license"] == "EUPL-1.2" and project["license-files"] == ["LICENSE"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", project["version"]), project["version"]
    # Dependencies come from the pinned list the README installs, so the two cannot drift apart.
    assert project["dynamic"] == ["dependencies"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}
    assert "streamlit" in _pinned(ROOT / "requirements.txt")


def test_console_script_points_at_the_cli_main() -> None:
    target = PYPROJECT["project"]["scripts"]["klimatvagar"]
    assert target == "model.__main__:main"
    from model.__main__ import main

    assert callable(main)


def test_every_app_directory_is_a_package_that_setuptools_finds() -> None:
    """``namespaces = false``: a folder of modules without ``__init__.py`` would silently miss the wheel."""
    from setuptools import find_packages

    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    found = set(find_packages(str(ROOT), include=include))
    assert not {p for p in found if p.split(".")[0] in ("tests", "bench")}, found
    module_dirs = {str(Path(f).parent).replace("/", ".") for top in APP_PACKAGES for f in _tracked(top)
                   if f.endswith(".py")}
    assert module_dirs, "no application modules tracked"
    missing = sorted(module_dirs - found)
    assert not missing, f"folders with modules but no __init__.py (not installed): {missing}"


def test_package_data_covers_every_data_file_of_the_packages() -> None:
    """The registries and the locale catalogues travel with the code (a wheel without them cannot start)."""
    package_data = PYPROJECT["tool"]["setuptools"]["package-data"]
    unmatched = []
    for top in APP_PACKAGES:
        patterns = package_data.get(top, [])
        for f in _tracked(top):
            if f.endswith((".py", ".pyc")):
                continue
            rel = f[len(top) + 1:]
            if not any(fnmatch.fnmatch(rel, p) for p in patterns):
                unmatched.append(f)
    assert not unmatched, f"data files no package-data pattern in pyproject.toml installs: {unmatched}"


def test_cli_runs_from_another_directory(tmp_path: Path) -> None:
    """What the console script does, from outside the checkout: data/ is found next to the package."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", "import sys; from model.__main__ import main; sys.exit(main())",
                          "run", str(ROOT / "scenarios" / "klimatkontrakt.toml"), "--format", "json"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert '"model_version": "' + MODEL_VERSION + '"' in res.stdout
    assert '"code": "0381"' in res.stdout


def test_license_is_the_full_eupl_text() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    # The appendix of compatible licences closes the official text: a truncated copy would lack it.
    assert "Appendix" in text and "GNU General Public License (GPL) v. 2, v. 3" in text
    assert len(text) > 12_000


def test_changelog_names_the_current_model_and_link_versions() -> None:
    """A MODEL_VERSION or LINK_VERSION bump without a CHANGELOG entry fails here."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## .*{re.escape(MODEL_VERSION)}", text, re.M), f"no heading for model {MODEL_VERSION}"
    assert re.search(rf"link format (version )?v?{LINK_VERSION}\b", text, re.I), f"link format v{LINK_VERSION}"
    assert PYPROJECT["project"]["version"] in text


def test_ci_runs_ruff_and_mypy_before_pytest() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ruff, mypy, pytest_at = script.find("-m ruff check"), script.find("-m mypy model persistence"), \
        script.find("-m pytest")
    assert -1 < ruff < pytest_at and -1 < mypy < pytest_at, "ruff and mypy must run before the tests"


@pytest.mark.parametrize("tool", ["ruff", "mypy", "pandas-stubs"])
def test_lint_tools_are_pinned(tool: str) -> None:
    assert tool in _pinned(ROOT / "requirements-test.txt")


def test_mypy_is_strict_for_the_model_and_persistence() -> None:
    overrides = PYPROJECT["tool"]["mypy"]["overrides"]
    strict = {m for o in overrides if o.get("strict") for m in o["module"]}
    assert {"model.*", "persistence.*"} <= strict


def test_ruff_selects_the_agreed_rules() -> None:
    lint = PYPROJECT["tool"]["ruff"]["lint"]
    assert set(lint["select"]) == {"E", "F", "W", "I", "B", "UP", "SIM"}
    assert PYPROJECT["tool"]["ruff"]["line-length"] == 120
