"""Every user-supplied string that reaches Streamlit markdown goes through ``ui.render.safe_text``.

A table of hostile payloads (issue 11, item 4) on every sink: the escaper itself (its
invariants, also under hypothesis), share-link notices, Jämför's names, messages and captions,
the workshop board and titles, and the exports (which take the raw text, never the escapes).
What Streamlit actually renders is checked in chromium: tests/e2e/test_security_e2e.py.
"""
from __future__ import annotations

import io
import re
import string
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from model.codec import Notice, decode
from model.scenario import dumps_scenario
from model.targets import TargetSpec
from persistence.store import WorkshopStore, new_token
from ui.notices import notice_text
from ui.render import WORD_JOINER, safe_text
from ui.scenario.levers import presets
from ui.workshop.export import brief_html, export_csv, export_xlsx

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60

#: name -> payload; each one rendered something other than its text before the fix.
PAYLOADS = {
    "katex": "$E=mc^2$",
    "emoji": ":warning: :rocket: :+1:",
    "icon": ":material/lock:",
    "heading": "\n\nHACKED\n===",
    "www": "www.evil.example",
    "link": "[klick](https://evil.example)",
    "url": "https://evil.example/x",
    "mail": "chef@evil.example",
    "html": "<img src=x onerror=alert(1)>",
    "emphasis": "**fet** _kursiv_ `kod` ~~x~~",
    "list": "- punkt",
    "colour": ":red[röd] :small[liten]",
    "table": "| a | b |",
    "entity": "&lt;b&gt; &#36;",
    "separators": "rad\u2028två\u2029tre\u0085fyra\rfem",
    "controls": "a\x00b\x1bc\u202ed",
}
IDS = list(PAYLOADS)
_LINE_SEPARATORS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def shown(text: str) -> str:
    """What safe_text's output displays: the input, whitespace runs as one space, controls dropped."""
    text = re.sub(f"[{re.escape(_LINE_SEPARATORS)}\t ]+", " ", text)
    return re.sub("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]", "", text)


def unescape(md: str) -> str:
    """CommonMark's backslash escapes resolved and the word joiners removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md).replace(WORD_JOINER, "")


def assert_inert(md: str) -> None:
    """No markdown, math, emoji/icon code, autolink or line break can start in ``md``.

    Every ASCII punctuation character is escaped; and in the text Streamlit sees after parsing
    (escapes resolved, word joiners kept) no ``:code``, ``www.`` or ``@domain`` remains.
    """
    i = 0
    while i < len(md):
        if md[i] == "\\":
            assert i + 1 < len(md) and md[i + 1] in string.punctuation, f"a bare backslash in {md!r}"
            i += 2
            continue
        assert md[i] not in string.punctuation, f"unescaped {md[i]!r} in {md!r}"
        i += 1
    parsed = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md)
    assert not re.search(r":[\w/+-]", parsed), f"a shortcode can start in {md!r}"
    assert not re.search(r"(?i)www\.", parsed) and not re.search(r"@[\w-]", parsed), f"an autolink in {md!r}"
    assert not any(c in md for c in _LINE_SEPARATORS), f"a line break in {md!r}"


# --------------------------------------------------------------------------- the escaper
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=IDS)
def test_safe_text_is_inert_and_shows_the_text(payload: str) -> None:
    md = safe_text(payload)
    assert_inert(md)
    assert unescape(md) == shown(payload)


def test_safe_text_keeps_ordinary_text() -> None:
    assert safe_text("Enköping 1 234,5 ton CO₂e") == "Enköping 1 234\\,5 ton CO₂e"
    assert safe_text("Grupp Ek") == "Grupp Ek" and safe_text(42) == "42"


@settings(max_examples=300, deadline=None)
@given(hs.text(alphabet=hs.sampled_from(string.printable + "\u2028\u2029\u0085\u00a0åäö\u202e\u2060€😀"),
               max_size=80) | hs.text(max_size=80))
def test_safe_text_for_any_string(text: str) -> None:
    md = safe_text(text)
    assert_inert(md)
    assert unescape(md) == shown(text).replace(WORD_JOINER, "")


# --------------------------------------------------------------------------- notices
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=IDS)
@pytest.mark.parametrize("notice", [Notice("link.bad_kommun", {"value": "{p}"}),
                                    Notice("link.model_version", {"link": "{p}", "now": "x"}),
                                    Notice("link.unknown_params", {"names": "{p}"}),
                                    Notice("link.bad_value", {"param": "np", "value": "{p}"})],
                         ids=["value", "link", "names", "bad_value"])
def test_notices_escape_every_text_parameter(notice: Notice, payload: str) -> None:
    params = {k: payload if v == "{p}" else v for k, v in notice.params.items()}
    text = notice_text(Notice(notice.key, params), "sv")
    assert safe_text(payload) in text


def test_hostile_link_notices_on_the_page() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    params = {"v": "1", "m": PAYLOADS["katex"], "d": PAYLOADS["emoji"] + " " + PAYLOADS["icon"],
              "k": PAYLOADS["heading"], "np": PAYLOADS["www"], PAYLOADS["link"]: "1"}
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    box = "\n".join(w.value for w in at.warning)
    # The codec may shorten what it quotes; whatever it quotes is shown through safe_text.
    quoted = [v for n in decode(params).notices for k, v in n.params.items()
              if isinstance(v, str) and k not in ("lever", "levers")]
    assert len(quoted) >= 4
    for value in quoted:
        assert safe_text(value) in box, (value, box)
    for payload in (PAYLOADS["katex"], PAYLOADS["www"], "[klick]("):
        assert payload not in box
    assert "HACKED" in box and "\n===" not in box and "\nHACKED" not in box
    assert ":warning:" not in box and ":material/lock:" not in box and safe_text(":warning:") in box


# --------------------------------------------------------------------------- Jämför
def _compare_with_file(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/jamfor.py").run()
    sc = replace(presets()["klimatkontrakt"], id="x", name={"sv": name, "en": name})
    at.file_uploader[0].set_value(("plan.toml", dumps_scenario(sc).encode("utf-8"), "application/toml")).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("payload", [PAYLOADS[k] for k in ("katex", "emoji", "heading", "link", "mail", "html")],
                         ids=["katex", "emoji", "heading", "link", "mail", "html"])
def test_jamfor_names_messages_and_captions(payload: str) -> None:
    at = _compare_with_file(payload)
    (item,) = at.session_state["cmp_items"]
    name = item["name"]["sv"]
    md = safe_text(name)
    assert_inert(md)
    assert f"**{md}**" in [m.value for m in at.markdown], "the card's name"
    assert any(md in s.value for s in at.success), "the 'added' message"
    captions = [c.value for c in at.caption if md in c.value]
    assert len(captions) >= 2, "the sector and lever captions name the first scenario"
    everything = "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                           + [s.value for s in at.success])
    if any(c in name for c in "$:[<\n"):
        assert name not in everything


# --------------------------------------------------------------------------- workshop
WS_PAYLOADS = [PAYLOADS[k] for k in ("katex", "emoji", "icon", "www", "link", "mail", "html", "emphasis")]


def _ws_page(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("views/workshop.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("payload", WS_PAYLOADS, ids=["katex", "emoji", "icon", "www", "link", "mail", "html",
                                                        "emphasis"])
def test_workshop_board_title_and_exports(store: WorkshopStore, payload: str) -> None:
    ws, _key = store.create_workshop(payload, "0381", TargetSpec(), open_levers=["ev_cars"])
    group = (payload + " G")[:40]
    store.submit(ws.code, group, {"ev_cars": 90}, new_token())
    stored = store.latest(ws.code)[0].group_name
    board = _ws_page({"ws": ws.code, "role": "board"})
    assert board.title[0].value == safe_text(ws.name)
    assert_inert(board.title[0].value)
    assert safe_text(stored) in list(board.table[0].value.iloc[:, 1])
    assert_inert(safe_text(stored))
    participant = _ws_page({"ws": ws.code})
    assert participant.title[0].value == safe_text(ws.name)
    # Exports are not markdown: the raw names, no escapes or word joiners.
    subs = store.history(ws.code)
    csv = export_csv(ws, subs).decode("utf-8-sig")
    assert stored in csv and WORD_JOINER not in csv
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(ws, subs)))
    cells = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None}
    assert any(stored in c for c in cells) and not any(WORD_JOINER in c for c in cells)
    html = brief_html(ws, subs)
    assert WORD_JOINER not in html and "\\" + payload[:1] not in html


def test_pasted_link_notices_on_jamfor() -> None:
    # The pasted-link path on Jämför shows decode's notices through the same function.
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/jamfor.py").run()
    link = "https://klimatvagar.example/compare?" + urlencode({"v": "1", "k": PAYLOADS["link"], "ev": "80"})
    at.text_input(key="cmp_link").input(link)
    at.button(key="cmp_add_link").click().run()
    assert not at.exception, at.exception
    box = "\n".join(w.value for w in at.warning)
    assert safe_text(PAYLOADS["link"]) in box and PAYLOADS["link"] not in box
