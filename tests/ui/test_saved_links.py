"""Share links saved from main before the issue-12 refactor (commit 646232e) open with the same figures.

``tests/fixtures/links_before_issue12.json`` holds 36 links (presets and random lever positions, every
policy, both horizons, every target kind, sv and en) for Enköping and four kommuner of other kinds, with
the gross, net and removals they showed. Enköping's figures must not change. The model version since
then splits other kommuner by their own sub-sectors, so their figures may change: such a link must
then say so with the model-version notice, never change silently.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model.codec import decode, encode
from ui.compute import run_link

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "links_before_issue12.json"
SAVED = json.loads(FIXTURE.read_text(encoding="utf-8"))
LINKS: list[dict[str, Any]] = SAVED["links"]


def test_fixture_covers_kommuner_and_settings() -> None:
    assert len(LINKS) == 36
    assert {link["params"]["k"] for link in LINKS} == {"0381", "0180", "2584", "0980", "0481"}
    assert {link["params"]["h"] for link in LINKS} == {"2030", "2045"}
    assert len({link["params"]["mt"] for link in LINKS}) >= 3


@pytest.mark.parametrize("link", LINKS, ids=[link["label"] for link in LINKS])
def test_saved_link_opens_with_its_figures_or_says_why_not(link: dict[str, Any]) -> None:
    state = decode(link["params"])
    keys = {n.key for n in state.notices}
    assert not keys - {"link.model_version", "link.data_release", "link.levers_added"}, keys  # nothing was ignored
    res = run_link(encode(state))
    assert [int(y) for y in res.years] == link["years"]
    same = all(np.allclose(getattr(res, name), link[name], atol=0.1, rtol=0)
               for name in ("gross", "net", "removals"))
    if link["params"]["k"] == "0381":
        for name in ("gross", "net", "removals"):
            np.testing.assert_allclose(getattr(res, name), link[name], atol=0.1, rtol=0, err_msg=name)
    elif not same:
        assert "link.model_version" in keys, "figures changed without the model-version notice"
