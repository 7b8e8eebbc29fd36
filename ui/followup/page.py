"""The "Uppföljning" / "Follow-up" page: a scenario made on an older release against SMHI's later figures.

Input: the Scenario page's scenario (its release from the link's ``d``), a pasted share link or an
uploaded scenario file (with the release it was made on). Everything page-local lives in the
widgets' own keys; the page writes no other session key (the package ui/state/ owns those).
"""
from __future__ import annotations

import dataclasses
import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import streamlit as st

from model.codec import LinkState, decode
from model.data import default_release, list_releases, release_of_link
from model.followup import Followup, followup, scenario_of_link
from model.scenario import MAX_FILE_BYTES, Scenario, ScenarioFileError, loads_scenario
from ui import state
from ui.compare.sources import MAX_LINK_CHARS, MAX_UPLOAD_MB, parse_link
from ui.followup import text as ft
from ui.followup.charts import indicator_chart, sector_chart
from ui.notices import message_params, show_notices
from ui.render import safe_text, show_chart
from ui.text.i18n import normalize_lang, t

SOURCES = ("current", "link", "file", "workshop")
_MEMO: OrderedDict[str, Followup] = OrderedDict()
_MEMO_SIZE = 64


def cached_followup(sc: Scenario, release: str) -> Followup:
    """:func:`model.followup.followup`, memoised on the scenario's full repr and the release.

    A Followup is immutable, so one object may serve every session of the process.
    """
    key = repr((sc, release))
    if key in _MEMO:
        _MEMO.move_to_end(key)
        return _MEMO[key]
    out = followup(sc, release)
    _MEMO[key] = out
    if len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return out


def _release_label(rid: str, lang: str) -> str:
    rel = next((r for r in list_releases() if r.id == rid), None)
    return t("followup.release_option", lang, year=rel.last_year if rel else "?", id=rid)


def _link_release(link: LinkState, params: dict[str, list[str]]) -> str:
    """The release id a decoded link computes on (its ``release``; from ``d`` where the codec has none)."""
    if "release" in {f.name for f in dataclasses.fields(LinkState)}:
        return getattr(link, "release", None) or default_release().id
    ds = params.get("d")
    return release_of_link(ds[-1] if ds else None).release.id


def _from_current() -> tuple[Scenario, str, str]:
    sc = state.current_scenario()
    from model.codec import encode
    from ui.sidebar import share_url

    return sc, state.release() or default_release().id, share_url(encode(state.current_link()))


def _from_link(lang: str) -> tuple[Scenario, str, str] | None:
    text = st.text_input(t("followup.link_label", lang), key="fu_link", max_chars=MAX_LINK_CHARS,
                         placeholder="https://…/?v=1&d=2023&k=0381&…", help=t("followup.link_help", lang))
    if not (text or "").strip():
        st.info(t("followup.link_waiting", lang), icon=":material/link:")
        return None
    params, error = parse_link(text)
    if error or params is None:
        st.error(t(error or "compare.error.link_invalid", lang, max=MAX_LINK_CHARS, fields=200),
                 icon=":material/link_off:")
        return None
    link = decode(params)
    # The release is the point of this page: its notice is answered by the page itself.
    show_notices([n for n in link.notices if n.key != "link.data_release"], lang, banner=False)
    return scenario_of_link(link), _link_release(link, params), text.strip()


def _from_file(lang: str) -> tuple[Scenario, str, str] | None:
    f = st.file_uploader(t("followup.file_label", lang, kb=MAX_FILE_BYTES // 1024), type="toml", key="fu_file",
                         max_upload_size=MAX_UPLOAD_MB)
    if f is None:
        st.info(t("followup.file_waiting", lang), icon=":material/upload_file:")
        return None
    try:
        sc = loads_scenario(f.getvalue())
    except ScenarioFileError as exc:
        message = t(exc.key, lang, **message_params(dict(exc.params), lang))
        st.error(t("followup.bad_file", lang, name=safe_text(f.name), message=message), icon=":material/error:")
        return None
    if own := getattr(sc, "release", None):  # a file that names its release (scenario.release)
        return (sc if sc.kommun else dataclasses.replace(sc, kommun=state.get("kommun"))), str(own), ""
    ids = [r.id for r in reversed(list_releases())]
    older = ids[1:] or ids
    rid = st.selectbox(t("followup.release_label", lang), older, key=f"fu_file_release.{lang}",
                       format_func=lambda r: _release_label(r, lang), help=t("followup.release_help", lang))
    if sc.kommun is None:
        sc = dataclasses.replace(sc, kommun=state.get("kommun"))
    return sc, str(rid), ""


def _from_workshop(lang: str) -> tuple[Scenario, str, str] | None:
    from ui.workshop.compare import workshop_sources

    sources = workshop_sources(lang)  # the workshop-code field; messages for unknown codes or a down database
    if not sources:
        st.info(t("followup.workshop_waiting", lang), icon=":material/groups:")
        return None
    labels = {str(s["key"]): str(s["name"]) for s in sources}
    keys: list[str] = list(labels)
    pick = st.selectbox(t("followup.workshop_label", lang), keys, key="fu_ws_pick",
                        format_func=lambda k: labels.get(str(k), str(k)))
    src = next(s for s in sources if str(s["key"]) == pick)
    params = {k: v if isinstance(v, list) else [str(v)] for k, v in (src.get("params") or {}).items()}
    link = decode(params)
    return scenario_of_link(link), _link_release(link, params), ""


def render_followup_page(lang: str) -> None:
    """The whole page in ``lang`` ("sv" or "en")."""
    lang = normalize_lang(lang)
    st.title(t("followup.title", lang))
    st.markdown(t("followup.intro", lang))
    labels = {s: t(f"followup.source_{s}", lang) for s in SOURCES}
    source = st.radio(t("followup.source_label", lang), SOURCES, key=f"fu_source.{lang}", horizontal=True,
                      format_func=labels.__getitem__)
    readers = {"link": _from_link, "file": _from_file, "workshop": _from_workshop}
    got = readers[source](lang) if source in readers else _from_current()
    if got is None:
        return
    sc, release, url = got
    f = cached_followup(sc, release)
    if f.status == "nothing_measured":
        st.info(t("followup.nothing_measured", lang, year=f.old_release.last_year), icon=":material/schedule:")
        older = [r.id for r in reversed(list_releases()) if r.last_year < f.old_release.last_year]
        if not older:
            st.caption(t("followup.no_older", lang))
            return
        st.markdown(t("followup.pick_older", lang))
        rid = st.selectbox(t("followup.pick_older_label", lang), older, key=f"fu_older.{lang}",
                           format_func=lambda r: _release_label(r, lang))
        f = cached_followup(sc, str(rid))
        url = ""  # the report's link would reopen the latest release, not this comparison
        if f.status != "compared":
            return
    render_followup(f, lang, url)


def render_followup(f: Followup, lang: str, share_url: str = "") -> None:
    """Chart, sentences, revision, rates, indicator and downloads of one compared follow-up."""
    y = f.years[-1]
    st.subheader(t("followup.heading", lang, kommun=f.kommun.name, year=y))
    st.caption(t("followup.frame", lang, base_year=f.base_year, old=f.old_release.id, years=ft.years_text(f.years),
                 new=f.new_release.id))
    show_chart(sector_chart(f, lang), lambda: ft.sector_frame(f, lang), lang, key="fu_chart",
               caption=ft.emissions_source(f, lang))
    st.markdown(f"**{t('followup.sentences_title', lang)}**")
    st.markdown("\n".join(f"- {safe_text(s)}" for s in ft.sentences(f, lang)))
    st.markdown(f"**{t('followup.revision_title', lang, year=f.base_year)}**")
    st.markdown(safe_text(ft.revision_text(f, lang)))
    st.markdown(f"**{t('followup.rates_title', lang)}**")
    st.markdown("\n".join(f"- {safe_text(s)}" for s in ft.rate_lines(f, lang)))
    for ind in f.indicators:
        if not ind.recorded:
            st.caption(t("followup.indicator_none", lang, kommun=f.kommun.name))
        show_chart(indicator_chart(ind, lang), functools.partial(ft.indicator_frame, ind, lang), lang,
                   key=f"fu_ind_{ind.lever_id}", caption=ft.indicator_source(ind, lang))
    _downloads(f, lang, share_url)


def _downloads(f: Followup, lang: str, share_url: str) -> None:
    from ui.exports.followup_report import file_name, followup_html, followup_pdf
    from ui.exports.pdf_brief import BriefFontError, find_font

    st.markdown(f"**{t('followup.download_title', lang)}**")
    items: list[tuple[str, Callable[[], Any], str, str]] = [
        (t("followup.download_html", lang), lambda: followup_html(f, lang, share_url), file_name(f, lang, "html"),
         "text/html")]
    try:
        find_font()
        items.insert(0, (t("followup.download_pdf", lang), lambda: followup_pdf(f, lang, share_url),
                         file_name(f, lang, "pdf"), "application/pdf"))
    except BriefFontError:
        st.caption(t("followup.font_missing", lang))
    cols = st.columns(len(items))
    for i, (label, build, name, mime) in enumerate(items):
        cols[i].download_button(label, data=build, file_name=name, mime=mime, on_click="ignore",
                                icon=":material/download:", width="stretch", key=f"fu_dl_{i}",
                                help=t("followup.download_help", lang))
