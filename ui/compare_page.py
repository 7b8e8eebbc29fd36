"""The "Jämför" page: up to four scenarios side by side for the sidebar's target and horizon.

Scenarios come from the presets, the Scenario page (live: the levers as they are now),
pasted share links, uploaded scenario files and, through ``extra_sources``, workshop
submissions. The chosen set lives in ``st.session_state["cmp_items"]`` as a list of plain
dicts (picklable, survives page switches)::

    {"uid": "preset:klimatkontrakt", "source": "preset", "name": {"sv": …, "en": …},
     "kommun": "0381" | None, "policy": "rp10_2025", "levers": {lever id: value}}

``kommun`` None means "the kommun selected in the sidebar"; links (and files that name a
kommun) keep their own. Levers an item leaves out sit at "no new measures" for the kommun
it runs for. Every scenario is judged against the sidebar's target and horizon.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import streamlit as st

from model.baseline import build_context
from model.codec import RESERVED, Notice, decode, encode
from model.data import EMISSIONS_SOURCE, SECTORS, find_kommun
from model.registry import load_registry
from model.run import MODEL_VERSION, ScenarioResult
from model.scenario import Scenario, ScenarioFileError, loads_scenario
from ui import charts, state
from ui.compute import run_for
from ui.fmt import MISSING, fmt_number, fmt_signed_pct
from ui.i18n import policy_label, sector_label, t, target_label
from ui.levers import presets
from ui.narrative import PATH_TARGETS, TRANSPORT_TARGET, focus_year, year_reached
from ui.notices import show_notices
from ui.render import show_chart
from ui.results import LONG_HORIZON, long_run

MAX_ITEMS = 4
MAX_LINK_CHARS = 4000
MAX_UPLOAD_MB = 1  # Streamlit's smallest limit; loads_scenario then enforces 64 KiB
ITEMS_KEY, MSG_KEY, NOTICE_KEY = "cmp_items", "_cmp_messages", "_cmp_notices"
UPLOAD_N, LINK_N = "_cmp_upload_n", "_cmp_link_n"
Item = dict[str, Any]
DIFF_STYLE = "background-color: #fff3cd; font-weight: 600"


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
            "policy": sc.national_policy, "levers": {k: float(v) for k, v in sc.levers.items()}}


def item_from_params(params: Mapping[str, Any], source: str, uid_prefix: str,
                     name: Mapping[str, str]) -> tuple[Item, list[Notice]]:
    """A comparison item from share-link parameters (decoded; never raises)."""
    link = decode(params)
    own = "k" in params and not any(n.key == "link.bad_kommun" for n in link.notices)
    canon = encode(link)
    canon.pop("lang", None)
    item = {"uid": _uid(uid_prefix, repr(sorted(canon.items()))), "source": source,
            "name": {lg: str(name.get(lg) or name.get("sv") or "?")[:60] for lg in ("sv", "en")},
            "kommun": link.kommun if own else None, "policy": link.policy, "levers": dict(link.levers)}
    return item, list(link.notices)


def parse_link(text: str) -> tuple[dict[str, list[str]] | None, str | None]:
    """Query parameters of a pasted share link, or (None, error key).

    Accepts a full address, a bare query string ("?v=1&k=0381…" or "v=1&…").
    """
    text = (text or "").strip()
    if not text:
        return None, "compare.error.link_empty"
    if len(text) > MAX_LINK_CHARS:
        return None, "compare.error.link_too_long"
    try:
        query = urlsplit(text).query if ("://" in text or text.startswith(("/", "?"))) else text
        params = parse_qs(query.lstrip("?"), keep_blank_values=True, max_num_fields=200)
    except ValueError:
        return None, "compare.error.link_invalid"
    known = RESERVED | {lv.url_key for lv in load_registry().levers}
    if not params or not any(k in known for k in params):
        return None, "compare.error.link_invalid"
    return params, None


# ---------------------------------------------------------------- callbacks
def _md(text: str) -> str:
    """Escape markdown in user-supplied text (Streamlit already shows HTML tags as text)."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~:$" else c for c in str(text))


def _say(kind: str, key: str, **params: Any) -> None:
    st.session_state.setdefault(MSG_KEY, []).append({"kind": kind, "key": key, "params": params})


def _add(item: Item, notices: Sequence[Notice] = ()) -> bool:
    ss = st.session_state
    items: list[Item] = ss.setdefault(ITEMS_KEY, [])
    if any(i["uid"] == item["uid"] for i in items):
        _say("info", "compare.msg.duplicate", name=item["name"][state.lang()])
        return False
    if len(items) >= MAX_ITEMS:
        _say("error", "compare.msg.full", max=MAX_ITEMS)
        return False
    items.append(item)
    ss[NOTICE_KEY] = [{"key": n.key, "params": dict(n.params)} for n in notices]
    _say("success", "compare.msg.added", name=item["name"][state.lang()])
    return True


def _add_preset(pid: str) -> None:
    _add(item_from_scenario(presets()[pid], "preset", f"preset:{pid}"))


def _add_current() -> None:
    _add({"uid": "current", "source": "current", "name": {lg: t("compare.current_name", lg) for lg in ("sv", "en")},
          "kommun": None, "policy": "", "levers": {}})


def _add_link() -> None:
    ss = st.session_state
    params, error = parse_link(str(ss.get("cmp_link") or ""))
    if error:
        _say("error", error, max=MAX_LINK_CHARS)
        return
    n = ss.get(LINK_N, 0) + 1
    item, notices = item_from_params(params, "link", "link", {})
    kommun = find_kommun(item["kommun"] or ss["kommun"]).name
    item["name"] = {lg: t("compare.link_name", lg, n=n, kommun=kommun) for lg in ("sv", "en")}
    if _add(item, notices):
        ss[LINK_N] = n
        ss["cmp_link"] = ""


def _add_upload(key: str) -> None:
    ss = st.session_state
    f = ss.get(key)
    if f is None:
        return
    ss[UPLOAD_N] = ss.get(UPLOAD_N, 0) + 1  # a fresh, empty uploader on the next run
    try:
        data = f.getvalue()
        sc = loads_scenario(data)
    except ScenarioFileError as exc:
        _say("error", "compare.error.file", name=f.name, message=str(exc))
        return
    _add(item_from_scenario(sc, "file", _uid("file", data), f.name.rsplit(".", 1)[0]))


def _extra_names(src: Mapping[str, Any]) -> dict[str, str]:
    name = src.get("name") or str(src.get("key"))
    return {lg: str(name.get(lg) or name.get("sv") or "?") for lg in ("sv", "en")} if isinstance(name, Mapping) \
        else {"sv": str(name), "en": str(name)}


def _add_extra(sources: Sequence[Mapping[str, Any]]) -> None:
    key = st.session_state.get("cmp_extra")
    src = next((s for s in sources if str(s.get("key")) == key), None)
    if src is not None:
        _add(*item_from_params(src.get("params") or {}, "workshop", f"ws-{key}", _extra_names(src)))


def _remove(uid: str | None) -> None:
    """Drop one item, or all of them (``uid`` None)."""
    st.session_state[ITEMS_KEY] = [i for i in st.session_state.get(ITEMS_KEY, []) if uid and i["uid"] != uid]


# ---------------------------------------------------------------- running
def run_item(item: Item) -> ScenarioResult:
    """Run an item for its own kommun (or the sidebar's) with the sidebar's target and horizon."""
    ss = st.session_state
    if item["source"] == "current":
        kommun, policy, levers = ss["kommun"], ss["policy"], state.levers()
    else:
        kommun, policy, levers = item["kommun"] or ss["kommun"], item["policy"], item["levers"]
    horizon = int(ss["horizon"])
    ctx = build_context(kommun, policy, horizon)
    full = {lid: float(ctx.nnm[i]) for i, lid in enumerate(load_registry().lever_ids)}
    full.update(levers)
    return run_for(kommun, full, policy, horizon, state.target_spec())


def _names(items: list[Item], lang: str) -> list[str]:
    # Names key the chart series and the table columns, so they must be unique.
    out: list[str] = []
    for it in items:
        name = it["name"].get(lang) or it["name"].get("sv") or "?"
        out.append(name if name not in out else f"{name} ({len(out) + 1})")
    return out


# ---------------------------------------------------------------- page parts
def _sources(lang: str, extra: Sequence[Mapping[str, Any]]) -> None:
    ss = st.session_state
    with st.container(border=True):
        st.markdown(f"**{t('compare.add_title', lang, max=MAX_ITEMS)}**")
        cols = st.columns(len(presets()) + 1)
        cols[0].button(t("compare.add_current", lang), key="cmp_add_current", on_click=_add_current,
                       icon=":material/tune:", help=t("compare.add_current_help", lang), width="stretch")
        for col, (pid, sc) in zip(cols[1:], presets().items()):
            col.button(sc.name.get(lang, pid), key=f"cmp_add_preset_{pid}", on_click=_add_preset, args=(pid,),
                       icon=":material/add:", help=sc.description.get(lang) or None, width="stretch")
        c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
        c1.text_input(t("compare.link_label", lang), key="cmp_link", max_chars=MAX_LINK_CHARS,
                      placeholder="https://…/?v=1&k=0381&…", help=t("compare.link_help", lang))
        c2.button(t("compare.add_link", lang), key="cmp_add_link", on_click=_add_link, width="stretch")
        up_key = f"cmp_file_{ss.get(UPLOAD_N, 0)}"
        st.file_uploader(t("compare.file_label", lang), type="toml", key=up_key, on_change=_add_upload,
                         args=(up_key,), max_upload_size=MAX_UPLOAD_MB, help=t("compare.file_help", lang))
        # HOOK(workshop): submissions arrive through render_compare_page(extra_sources=…).
        if extra:
            labels = {str(s.get("key")): _extra_names(s)[lang] for s in extra}
            c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
            c1.selectbox(t("compare.extra_label", lang), list(labels), key="cmp_extra", format_func=labels.get)
            c2.button(t("compare.add_extra", lang), key="cmp_add_extra", on_click=_add_extra, args=(extra,),
                      width="stretch")
    for msg in ss.pop(MSG_KEY, []):
        # Names and file errors may come from a pasted link or an uploaded file: escape them.
        params = {k: _md(v) if isinstance(v, str) else v for k, v in msg["params"].items()}
        getattr(st, msg["kind"])(t(msg["key"], lang, **params))
    show_notices([Notice(n["key"], n["params"]) for n in ss.pop(NOTICE_KEY, [])], lang)


def _cards(items: list[Item], results: list[ScenarioResult], names: list[str], lang: str) -> None:
    for col, it, res, name in zip(st.columns(MAX_ITEMS), items, results, names):
        with col.container(border=True):
            st.markdown(f"**{_md(name)}**")
            st.caption(t(f"compare.source.{it['source']}", lang))
            how = "follows" if not it["kommun"] else "own_file" if it["source"] == "file" else "own_link"
            st.markdown(_md(t(f"compare.kommun_{how}", lang, kommun=res.kommun.name)) + "  \n" +
                        _md(policy_label(res.scenario.national_policy, lang)))
            st.button(t("compare.remove", lang), key=f"cmp_rm_{it['uid']}", on_click=_remove, args=(it["uid"],),
                      icon=":material/close:", width="stretch")


def target_frame(res: ScenarioResult, lang: str) -> pd.DataFrame | None:
    """[year, tonnes, label] of the selected target for a net-emissions chart, or None."""
    v = res.target(res.scenario.target.selected)
    if v.id in PATH_TARGETS:
        ys = [y for y in sorted(v.path) if y <= int(res.years[-1])]
        return pd.DataFrame({"year": ys, "tonnes": [v.path[y] for y in ys], "label": target_label(v.id, lang)})
    # The transport goal concerns one sector, not the net total the chart shows.
    if v.allowed_t is None or v.year > int(res.years[-1]) or v.id == TRANSPORT_TARGET:
        return None
    return pd.DataFrame({"year": [v.year], "tonnes": [v.allowed_t], "label": [target_label(v.id, lang)]})


def _chart(results: list[ScenarioResult], names: list[str], lang: str) -> None:
    df = pd.concat([pd.DataFrame({"scenario": n, "year": r.years, "tonnes": r.net})
                    for n, r in zip(names, results)], ignore_index=True)
    same_kommun = len({r.kommun.code for r in results}) == 1
    spec = charts.comparison_chart(df, target_frame(results[0], lang) if same_kommun else None, lang)
    table = lambda: pd.DataFrame({t("compare.col.year", lang): results[0].years.astype(str),  # noqa: E731
                                  **{t("compare.col.net_of", lang, name=n): [fmt_number(x, 0, lang) for x in r.net]
                                     for n, r in zip(names, results)}})
    caption = t("compare.source.chart", lang, smhi=EMISSIONS_SOURCE[lang], version=MODEL_VERSION)
    if not same_kommun:
        caption += " " + t("compare.target_hidden", lang)
    elif results[0].scenario.target.selected == TRANSPORT_TARGET:
        caption += " " + t("compare.target_transport", lang)
    st.subheader(t("compare.chart_title", lang))
    show_chart(spec, table, lang, key="cmp_chart", caption=caption)


def _verdict_cells(res: ScenarioResult, year: int, lang: str) -> list[str]:
    v = res.target(res.scenario.target.selected)
    i = res.years.tolist().index(year)
    base = res.scenario.target.base_year
    ref = float(res.history[base].sum())
    num = lambda x: fmt_number(x, 0, lang)  # noqa: E731
    if v.id in PATH_TARGETS:
        gap = num(max(float(v.cumulative_t) - float(v.details["cumulative_path_t"]), 0.0))
    else:
        gap = num(v.gap_t) if v.evaluable else t("compare.not_evaluable", lang)
    met = MISSING if v.met is None else t("compare.yes" if v.met else "compare.no", lang)
    reached = year_reached(res, v.id) or (v.year_met if v.met else None)
    if reached is None and int(res.years[-1]) < LONG_HORIZON:
        reached = year_reached(long_run(res), v.id)
    return [res.kommun.name, num(res.gross[i]), num(res.removals[i]), num(res.net[i]),
            fmt_signed_pct((res.gross[i] - ref) / ref if ref else None, 0, lang), gap, met,
            str(reached) if reached else t("compare.not_before", lang, year=LONG_HORIZON)]


def _verdicts(results: list[ScenarioResult], names: list[str], year: int, lang: str) -> None:
    res0 = results[0]
    v = res0.target(res0.scenario.target.selected)
    gap_key = "gap_path" if v.id in PATH_TARGETS else "gap"
    span = v.details if v.id in PATH_TARGETS else {}
    rows = [t(f"compare.row.{k}", lang, year=year, base_year=res0.scenario.target.base_year,
              from_year=span.get("from_year", ""), to_year=span.get("to_year", ""), horizon=LONG_HORIZON)
            for k in ("kommun", "gross", "removals", "net", "change", gap_key, "met", "year_met")]
    table = pd.DataFrame({t("compare.col.figure", lang): rows,
                          **{n: _verdict_cells(r, year, lang) for n, r in zip(names, results)}})
    st.subheader(t("compare.verdict_title", lang, year=year, target=target_label(v.id, lang)))
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(t("compare.source.verdict", lang, smhi=EMISSIONS_SOURCE[lang], version=MODEL_VERSION))


def _sectors(results: list[ScenarioResult], names: list[str], year: int, lang: str) -> None:
    i = results[0].years.tolist().index(year)
    cols: dict[str, list[str]] = {t("compare.col.sector", lang): [sector_label(s, lang) for s in SECTORS]}
    for n, r in zip(names, results):
        cols[t("compare.col.tonnes_of", lang, name=n)] = [fmt_number(x, 0, lang) for x in r.by_sector[:, i]]
    first = results[0].by_sector[:, i]
    for n, r in zip(names[1:], results[1:]):
        cols[t("compare.col.diff_of", lang, name=n, first=names[0])] = [
            fmt_number(x, 0, lang, signed=True) for x in r.by_sector[:, i] - first]
    st.subheader(t("compare.sector_title", lang, year=year))
    st.dataframe(pd.DataFrame(cols), hide_index=True, width="stretch")
    st.caption(t("compare.source.sector", lang, year=year, first=names[0], version=MODEL_VERSION))


def _levers(results: list[ScenarioResult], names: list[str], lang: str) -> None:
    reg = load_registry()
    rows = [[t("compare.col.policy_row", lang), ""] + [policy_label(r.scenario.national_policy, lang) for r in results]]
    for lv in reg.levers:
        unit = lv.unit.replace("/år", "/yr") if lang == "en" else lv.unit
        rows.append([lv.label[lang], unit] + [fmt_number(r.lever_values[lv.id], lv.decimals, lang) for r in results])
    table = pd.DataFrame(rows, columns=[t("compare.col.lever", lang), t("compare.col.unit", lang), *names])
    differs = table[names].nunique(axis=1) > 1
    st.subheader(t("compare.lever_title", lang))
    if st.toggle(t("compare.only_diff", lang), key="cmp_only_diff"):
        table = table[differs].reset_index(drop=True)
        differs = differs[differs].reset_index(drop=True)
    first = names[0]
    style = lambda row: ["" if c not in names or not differs[row.name] or (c == first and len(names) > 1)  # noqa: E731
                         or row[c] == row[first] else DIFF_STYLE for c in row.index]
    st.dataframe(table.style.apply(style, axis=1), hide_index=True, width="stretch")
    st.caption(t("compare.lever_caption", lang, n=int(differs.sum()), first=first))


def render_compare_page(lang: str, extra_sources: Sequence[Mapping[str, Any]] | None = None) -> None:
    """Render the comparison page (Streamlit).

    Parameters
    ----------
    lang : str
        "sv" or "en".
    extra_sources : sequence of mappings, optional
        More scenarios to offer, e.g. workshop submissions: ``{"key": str (unique),
        "name": str or {"sv": …, "en": …}, "params": share-link query parameters}``.
        Parameters are decoded like a pasted link (notices shown; the link's kommun kept).
    """
    ss = st.session_state
    items: list[Item] = ss.setdefault(ITEMS_KEY, [])
    st.title(t("compare.title", lang))
    st.markdown(t("compare.intro", lang, max=MAX_ITEMS))
    st.caption(t("compare.frame", lang, target=target_label(ss["t_sel"], lang), horizon=ss["horizon"],
                 kommun=find_kommun(ss["kommun"]).name))
    _sources(lang, extra_sources or ())
    items = ss[ITEMS_KEY]
    if not items:
        st.info(t("compare.empty", lang), icon=":material/compare_arrows:")
        return
    results = [run_item(it) for it in items]
    names = _names(items, lang)
    _cards(items, results, names, lang)
    st.button(t("compare.clear", lang), key="cmp_clear", on_click=_remove, args=(None,), icon=":material/delete:")
    year = focus_year(results[0], results[0].target(results[0].scenario.target.selected))
    _chart(results, names, lang)
    _verdicts(results, names, year, lang)
    _sectors(results, names, year, lang)
    _levers(results, names, lang)
