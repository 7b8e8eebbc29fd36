"""Nothing Enköping-specific for another kommun (issue 13, item 4).

Every page (views/*.py) is opened in AppTest for five kommuner of different kinds, every lever tab
of the Scenario page is opened, and all text the page sends (markdown, captions, help, labels,
options, expander and tab labels, alerts) is searched for Enköping's names; the brief (HTML) and
the scenario CSVs are searched too. Enköping itself shows its own profile content.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from model.registry import GROUPS
from model.run import run_scenario
from tests.ui.levertabs import open_group
from ui import exports, nav

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 60
#: Kiruna (industry and mining), Gotland (island, cement), Stockholm (city), Oxelösund (steel), Arjeplog (rural).
KOMMUNER = ("2584", "0980", "0180", "0481", "2506")
#: Enköping's names: the kommun, its through road, its energy company, its organic soils note.
WORDS = ("Enköping", "E18", "ENA ", "Mulljord")
PAGES = [p for p, *_ in nav.PAGES]
KOMMUN_PICKER = "w.kommun"


def _strings(msg: Message) -> Iterator[str]:
    """Every string field of a protobuf message, recursively (bytes such as Arrow tables left out)."""
    for fd, value in msg.ListFields():
        values = value if getattr(fd, "is_repeated", False) or isinstance(value, (list, tuple)) \
            or hasattr(value, "__len__") and not isinstance(value, (str, bytes, Message)) else [value]
        for v in values:
            if isinstance(v, str):
                yield v
            elif isinstance(v, Message):
                yield from _strings(v)


def _walk(node: Any) -> Iterator[str]:
    if getattr(node, "key", None) == KOMMUN_PICKER:
        # Its options are all 290 kommuner, Enköping among them; its label and help are text.
        yield from (str(node.label), str(node.help or ""))
        return
    proto = getattr(node, "proto", None)
    if isinstance(proto, Message):
        yield from _strings(proto)
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def page_text(at: AppTest) -> str:
    """All text in the main area and the sidebar of the last run."""
    return "\n".join([*_walk(at.main), *_walk(at.sidebar)])


#: Encoded data (images, fonts in the page's CSS, QR codes): letters by chance, not text anyone reads.
_BLOB = re.compile(r"[A-Za-z0-9+/=_-]{60,}")


def _found(text: str) -> list[str]:
    text = _BLOB.sub("<data>", text)
    out = []
    for word in WORDS:
        i = text.find(word)
        if i >= 0:
            out.append(f"{word!r} in …{text[max(0, i - 80):i + 80]}…")
    return out


def test_every_view_is_in_the_navigation() -> None:
    assert sorted(PAGES) == sorted(f"views/{p.name}" for p in (ROOT / "views").glob("*.py"))


@pytest.fixture(scope="module", params=KOMMUNER)
def kommun_app(request: pytest.FixtureRequest) -> tuple[str, AppTest]:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["k"] = request.param
    return request.param, at.run()


def test_scenario_page_and_every_lever_tab(kommun_app: tuple[str, AppTest]) -> None:
    code, at = kommun_app
    assert not at.exception
    at.session_state["kommun_profile_facts"] = True  # a profile's facts, if the kommun has one
    at.run()
    texts = [page_text(at)]
    for g in GROUPS:
        open_group(at, g)
        assert not at.exception
        texts.append(page_text(at))
    assert _found("\n".join(texts)) == [], code


@pytest.mark.parametrize("pid", ["kommunens_egna", "klimatkontrakt", "hog_ambition", "allt_inom_rackhall"])
def test_preset_reasons(kommun_app: tuple[str, AppTest], pid: str) -> None:
    code, at = kommun_app
    at.button_group(key="preset_choice.sv").set_value(pid).run()
    assert not at.exception
    assert _found(page_text(at)) == [], (code, pid)


@pytest.mark.parametrize("page", [p for p in PAGES if p != "views/scenario.py"])
def test_other_pages(kommun_app: tuple[str, AppTest], page: str) -> None:
    code, at = kommun_app
    at.switch_page(page).run()
    assert not at.exception, (page, at.exception)
    assert at.session_state["kommun"] == code
    text = page_text(at)
    assert _found(text) == [], (code, page)
    at.switch_page("views/scenario.py").run()


@pytest.mark.parametrize("code", KOMMUNER)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_downloads(code: str, lang: str) -> None:
    """The brief (HTML) and both scenario CSVs, for the Klimatkontrakt preset in the kommun."""
    from ui.scenario.levers import kommun_presets

    sc = kommun_presets(code)["klimatkontrakt"].scenario
    res = run_scenario(sc, code)
    files = {"brief.html": exports.brief_html(res, lang, "http://localhost:8501/?k=" + code),
             "scenario.csv": exports.scenario_csv(res, lang).decode("utf-8-sig"),
             "om-datat.csv": exports.scenario_metadata_csv(res, lang).decode("utf-8-sig")}
    for name, text in files.items():
        assert _found(text) == [], (code, lang, name)


def test_enkoping_shows_its_own_profile() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["k"] = "0381"
    at.run()
    assert "Om Enköping: lokala fakta ur kommunens profil" in page_text(at)
    assert "ENA Energi" not in page_text(at), "the profile's expander is lazy: built only when opened"
    at.session_state["kommun_profile_facts"] = True
    at.run()
    text = page_text(at)
    assert "Om Enköping: lokala fakta ur kommunens profil" in text
    assert "ENA Energi, det kommunala energibolaget" in text
    assert "Genomfartstrafiken på E18" in text
    assert "Kommunens profil: kommuner/0381.toml" in text
    assert "Klimatkontrakt (Enköping) · kommunens egen" in text


@pytest.mark.parametrize("lang, code, own, national", [
    ("SV", "0183", "För Sundbyberg delas transporter, arbetsmaskiner, avfall och avlopp samt egen uppvärmning "
                   "med kommunens egna andelar 2019.",
     "För jordbruk används Sveriges fördelning 2019 (SMHI:s nationella delsektorer), eftersom Sundbyberg inte "
     "hade några utsläpp i sektorns delsektorer 2019"),
    ("EN", "2584", "For Kiruna, transport, agriculture, machinery, waste and wastewater, and on-site heating are "
                   "split with the municipality's own 2019 shares.", None),
])
def test_data_page_says_where_the_kommuns_split_comes_from(lang: str, code: str, own: str,
                                                           national: str | None) -> None:
    at = AppTest.from_file(str(ROOT / "views" / "data_metod.py"), default_timeout=TIMEOUT)
    at.session_state["lang"], at.session_state["kommun"] = lang, code
    at.run()
    assert not at.exception
    method = "\n".join(m.value for m in at.markdown)
    assert own in method
    assert ("2019" in method and "2024" in method)
    captions = "\n".join(c.value for c in at.caption)
    assert own in captions, "the kommun tab says it too"
    if national:
        assert national in method
    else:
        assert "Sveriges fördelning" not in method and "Sweden's 2019 split" not in method
    budget = "För Sundbyberg finns ingen egen koldioxidbudget" if code == "0183" else "For Kiruna there is no carbon"
    assert budget in method
