"""Where the "Jämför" page's scenarios come from: the item list and the "add scenarios" panel.

Scenarios come from the presets, the Scenario page (live: the levers as they are now),
pasted share links, uploaded scenario files and, through ``extra_sources``, workshop
submissions. The chosen set lives in the session key ``cmp_items`` (:func:`ui.state.recall`) as a list of plain
dicts (picklable, survives page switches)::

    {"uid": "preset:klimatkontrakt", "source": "preset", "name": {"sv": …, "en": …},
     "kommun": "0381" | None, "policy": "rp10_2025", "levers": {lever id: value}}

``kommun`` None means "the kommun selected in the sidebar"; links (and files that name a
kommun) keep their own. The page itself (running and showing the items) is :mod:`ui.compare.page`.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import streamlit as st

from model.codec import RESERVED, Notice, decode, encode
from model.kommuner import find_kommun
from model.measures import MeasureError, OwnMeasure, measure_to_dict
from model.measures_parse import measure_from_dict
from model.registry import load_registry
from model.scenario import MAX_FILE_BYTES, Scenario, ScenarioFileError, loads_scenario
from ui import state
from ui.notices import message_params, show_notices
from ui.render import safe_text
from ui.scenario.measures import is_measure_notice, show_measure_notices
from ui.scenario.presets import kommun_presets
from ui.text.i18n import normalize_lang, t

MAX_ITEMS = 4
MAX_LINK_CHARS = 4000
#: Streamlit's smallest per-widget limit (whole MB; its browser check and "1MB per file" text).
#: The real limit is the loader's 64 KiB (MAX_FILE_BYTES), and asgi.py (serving/security.py) refuses
#: larger request bodies at the server, so the label states 64 kB and Streamlit's own limit line is hidden.
MAX_UPLOAD_MB = 1
#: More fields than a share link can have (every lever, the reserved keys, room for old links).
MAX_LINK_FIELDS = 200
_WS_CODE = re.compile(r"[^A-Z0-9]")
ITEMS_KEY, MSG_KEY, NOTICE_KEY = "cmp_items", "_cmp_messages", "_cmp_notices"
UPLOAD_N, LINK_N = "_cmp_upload_n", "_cmp_link_n"
Item = dict[str, Any]


# ---------------------------------------------------------------- items (no widgets)
def _uid(prefix: str, text: str | bytes) -> str:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return f"{prefix}:{hashlib.sha1(raw).hexdigest()[:12]}"


def item_from_scenario(sc: Scenario, source: str, uid: str, fallback_name: str = "") -> Item:
    """A comparison item from a validated scenario (its kommun, if any, is kept)."""
    # A file without a name gets its id as name ("custom"); the file name says more.
    name = {lg: (fallback_name if fallback_name and sc.name.get(lg, sc.id) == sc.id else
                 sc.name.get(lg) or sc.id)[:60] for lg in ("sv", "en")}
    return {"uid": uid, "source": source, "name": name, "kommun": sc.kommun,
            "policy": sc.national_policy, "levers": {k: float(v) for k, v in sc.levers.items()},
            "measures": measure_dicts(getattr(sc, "measures", None)), "release": sc.release}


def measure_dicts(measures: Sequence[OwnMeasure] | None) -> list[dict[str, Any]]:
    """Own measures as plain mappings for an item (picklable; :func:`item_measures` reads them back)."""
    return [measure_to_dict(m) for m in measures or ()]


def item_measures(item: Mapping[str, Any]) -> tuple[OwnMeasure, ...]:
    """The own measures of an item (validated again: items outlive a model upgrade in the session)."""
    out = []
    for i, raw in enumerate(item.get("measures") or ()):
        try:
            out.append(measure_from_dict(raw, f"measure[{i}]"))
        except MeasureError:
            continue
    return tuple(out)


def item_from_params(params: Mapping[str, Any], source: str, uid_prefix: str,
                     name: Mapping[str, str]) -> tuple[Item, list[Notice]]:
    """A comparison item from share-link parameters (decoded; never raises)."""
    link = decode(params)
    own = "k" in params and not any(n.key == "link.bad_kommun" for n in link.notices)
    canon = encode(link)
    canon.pop("lang", None)
    item = {"uid": _uid(uid_prefix, repr(sorted(canon.items()))), "source": source,
            "name": {lg: str(name.get(lg) or name.get("sv") or "?")[:60] for lg in ("sv", "en")},
            "kommun": link.kommun if own else None, "policy": link.policy, "levers": dict(link.levers),
            "measures": measure_dicts(getattr(link, "measures", None)),
            # A link made on an older SMHI release is compared on that release, as it was shared.
            "release": link.release}
    return item, list(link.notices)


def parse_link(text: str) -> tuple[dict[str, list[str]] | None, str | None]:
    """Query parameters of a pasted share link, or (None, error key).

    Accepts a full address, a bare query string ("?v=1&k=0381…" or "v=1&…"). The error key
    names the real reason: empty, too long, too many fields, or no scenario parameters.
    """
    text = (text or "").strip()
    if not text:
        return None, "compare.error.link_empty"
    if len(text) > MAX_LINK_CHARS:
        return None, "compare.error.link_too_long"
    try:
        query = urlsplit(text).query if ("://" in text or text.startswith(("/", "?"))) else text
    except ValueError:
        return None, "compare.error.link_invalid"
    query = query.lstrip("?")
    # Counted before parsing: parse_qs refuses more fields with the same ValueError as a
    # broken query, and "no scenario parameters" would then be the wrong reason.
    if sum(1 for part in query.split("&") if part) > MAX_LINK_FIELDS:
        return None, "compare.error.link_too_many"
    try:
        params = parse_qs(query, keep_blank_values=True, max_num_fields=MAX_LINK_FIELDS)
    except ValueError:
        return None, "compare.error.link_invalid"
    known = RESERVED | {lv.url_key for lv in load_registry().levers}
    if not params or not any(k in known for k in params):
        return None, "compare.error.link_invalid"
    return params, None


def workshop_code(params: Mapping[str, Sequence[str]]) -> str | None:
    """The workshop code of a workshop link (join or board link without levers), else None.

    A group's "open on the Scenario page" link carries every lever and no ``ws``; a link with
    ``ws`` and no lever is a workshop, not a scenario, and must not become a default scenario.
    """
    if "ws" not in params or any(lv.url_key in params for lv in load_registry().levers):
        return None
    code = _WS_CODE.sub("", str((params["ws"] or [""])[-1]).upper())[:12]
    return code or None


# ---------------------------------------------------------------- callbacks
def _say(kind: str, key: str, **params: Any) -> None:
    state.recall_or_set(MSG_KEY, []).append({"kind": kind, "key": key, "params": params})


def _add(item: Item, notices: Sequence[Notice] = ()) -> bool:
    items: list[Item] = state.recall_or_set(ITEMS_KEY, [])
    if any(i["uid"] == item["uid"] for i in items):
        _say("info", "compare.msg.duplicate", name=item["name"][state.lang()])
        return False
    if len(items) >= MAX_ITEMS:
        _say("error", "compare.msg.full", max=MAX_ITEMS)
        return False
    items.append(item)
    state.remember(NOTICE_KEY, [{"key": n.key, "params": dict(n.params)} for n in notices])
    _say("success", "compare.msg.added", name=item["name"][state.lang()])
    if own := item_measures(item):
        # A link or file with own measures: say which, so the figures are not a surprise.
        _say("info", "measures.compare.added.one" if len(own) == 1 else "measures.compare.added.other",
             n=len(own), names=", ".join(m.name(state.lang()) for m in own))
    return True


def _add_preset(pid: str) -> None:
    # A generic preset follows the sidebar's kommun: the page evaluates its rule for that kommun when it
    # runs the item (run_item). A kommun profile's own preset stays with its kommun.
    kp = kommun_presets(state.get("kommun"))[pid]
    item = item_from_scenario(kp.scenario, "preset", f"preset:{pid}")
    if not kp.preset.own:
        item["kommun"] = None
    _add(item)


def _add_current() -> None:
    # "current" is live: the page reads levers and own measures from the session when it runs it.
    _add({"uid": "current", "source": "current", "name": {lg: t("compare.current_name", lg) for lg in ("sv", "en")},
          "kommun": None, "policy": "", "levers": {}, "measures": []})


def _add_link() -> None:
    params, error = parse_link(str(state.recall("cmp_link") or ""))
    if error:
        _say("error", error, max=MAX_LINK_CHARS, fields=MAX_LINK_FIELDS)
        return
    code = workshop_code(params)
    if code is not None:
        # Load the workshop instead: its code field (drawn later in this run) lists the groups.
        state.remember("cmp_ws_code", code)
        state.remember("cmp_link", "")
        _say("info", "compare.msg.workshop_link", code=code)
        return
    n = state.recall(LINK_N, 0) + 1
    item, notices = item_from_params(params, "link", "link", {})
    kommun = find_kommun(item["kommun"] or state.get("kommun")).name
    item["name"] = {lg: t("compare.link_name", lg, n=n, kommun=kommun) for lg in ("sv", "en")}
    if _add(item, notices):
        state.remember(LINK_N, n)
        state.remember("cmp_link", "")


def _add_upload(key: str) -> None:
    f = state.recall(key)
    if f is None:
        return
    state.remember(UPLOAD_N, state.recall(UPLOAD_N, 0) + 1)  # a fresh, empty uploader on the next run
    try:
        data = f.getvalue()
        sc = loads_scenario(data)
    except ScenarioFileError as exc:
        message = t(exc.key, normalize_lang(state.lang()), **message_params(dict(exc.params), state.lang()))
        _say("error", "compare.error.file", name=f.name, message=message)
        return
    _add(item_from_scenario(sc, "file", _uid("file", data), f.name.rsplit(".", 1)[0]))


def _extra_names(src: Mapping[str, Any]) -> dict[str, str]:
    name = src.get("name") or str(src.get("key"))
    return {lg: str(name.get(lg) or name.get("sv") or "?") for lg in ("sv", "en")} if isinstance(name, Mapping) \
        else {"sv": str(name), "en": str(name)}


def _add_extra(sources: Sequence[Mapping[str, Any]]) -> None:
    key = state.recall("cmp_extra")
    src = next((s for s in sources if str(s.get("key")) == key), None)
    if src is not None:
        _add(*item_from_params(src.get("params") or {}, "workshop", f"ws-{key}", _extra_names(src)))


def remove_item(uid: str | None) -> None:
    """Drop one item, or all of them (``uid`` None)."""
    state.remember(ITEMS_KEY, [i for i in state.recall(ITEMS_KEY, []) if uid and i["uid"] != uid])


# ---------------------------------------------------------------- the panel
Sources = Sequence[Mapping[str, Any]]


def sources_panel(lang: str, extra: Sources | Callable[[], Sources]) -> None:
    """The "add scenarios" panel, then the messages and notices of the last addition.

    ``extra`` (more sources, e.g. workshop groups) may be a callable: it is then called inside
    the panel, so the widgets it draws (the workshop code) sit with the other sources.
    """
    with st.container(border=True):
        st.markdown(f"**{t('compare.add_title', lang, max=MAX_ITEMS)}**")
        with st.container(horizontal=True):
            # A row that wraps: the generic presets plus the kommun profile's own.
            st.button(t("compare.add_current", lang), key="cmp_add_current", on_click=_add_current,
                      icon=":material/tune:", help=t("compare.add_current_help", lang))
            for pid, kp in kommun_presets(state.get("kommun")).items():
                sc = kp.scenario
                st.button(sc.name.get(lang, pid), key=f"cmp_add_preset_{pid}", on_click=_add_preset, args=(pid,),
                          icon=":material/add:", help=sc.description.get(lang) or None)
        c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
        c1.text_input(t("compare.link_label", lang), key="cmp_link", max_chars=MAX_LINK_CHARS,
                      placeholder="https://…/?v=1&k=0381&…", help=t("compare.link_help", lang))
        c2.button(t("compare.add_link", lang), key="cmp_add_link", on_click=_add_link, width="stretch")
        up_key = f"cmp_file_{state.recall(UPLOAD_N, 0)}"
        with st.container(key="cmp_upload"):
            # Streamlit prints "1MB per file" (its whole-MB widget limit) under the drop zone;
            # the label says the real limit, so that line is hidden (no API changes its text).
            st.html("<style>.st-key-cmp_upload [data-testid='stFileUploaderDropzoneInstructions']"
                    "{display:none}</style>")
            st.file_uploader(t("compare.file_label", lang, kb=MAX_FILE_BYTES // 1024), type="toml", key=up_key,
                             on_change=_add_upload, args=(up_key,), max_upload_size=MAX_UPLOAD_MB,
                             help=t("compare.file_help", lang, kb=MAX_FILE_BYTES // 1024))
        # Workshop submissions arrive through render_compare_page(extra_sources=…).
        if callable(extra):
            extra = extra()
        if extra:
            labels = {str(s.get("key")): _extra_names(s)[lang] for s in extra}
            c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
            c1.selectbox(t("compare.extra_label", lang), list(labels), key="cmp_extra", format_func=labels.get)
            c2.button(t("compare.add_extra", lang), key="cmp_add_extra", on_click=_add_extra, args=(extra,),
                      width="stretch")
    for msg in state.take(MSG_KEY, []):
        # Names and file errors may come from a pasted link or an uploaded file: escape them.
        params = {k: safe_text(v) if isinstance(v, str) else v for k, v in msg["params"].items()}
        getattr(st, msg["kind"])(t(msg["key"], lang, **params))
    notices = [Notice(n["key"], n["params"]) for n in state.take(NOTICE_KEY, [])]
    show_notices([n for n in notices if not is_measure_notice(n.key)], lang)
    show_measure_notices([n for n in notices if is_measure_notice(n.key)], lang)
