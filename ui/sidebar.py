"""The shared sidebar: kommun, language, target definition, horizon, national policy, share link."""
from __future__ import annotations

import html
from functools import lru_cache
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from model.budget_rate import budget_rate_for
from model.codec import encode
from model.data import load_dataset
from model.registry import POLICIES, TARGET_YEARS
from model.target_defs import BUDGET_TARGETS, SETTABLE_LIMIT_TARGETS, TARGET_IDS
from model.targets import base_years
from ui import state
from ui.scenario.levers import SKIP_TARGET
from ui.text.fmt import fmt_number
from ui.text.i18n import policy_label, t, target_label

_SV_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})


def swedish_sort_key(name: str) -> str:
    """Sort key in Swedish alphabetical order (… x y z å ä ö), case-insensitive."""
    return name.lower().translate(_SV_ORDER)


@lru_cache(maxsize=1)
def _kommun_options() -> tuple[list[str], dict[str, str]]:
    ds = load_dataset()
    ordered = sorted(ds.kommuner, key=lambda k: swedish_sort_key(k.name))
    return [k.code for k in ordered], {k.code: f"{k.name} ({k.lan})" for k in ordered}


def share_url(params: dict[str, str]) -> str:
    """Absolute share link for the current page address and parameters."""
    base = "http://localhost:8501/"
    try:
        url = st.context.url or base
    except Exception:  # noqa: BLE001 - AppTest and some proxies have no URL
        url = base
    parts = urlsplit(url)
    path = parts.path or "/"
    # The default page lives at the root; its url_path ("start") is not an address Streamlit serves.
    if path.rstrip("/").endswith("/start"):
        path = path.rstrip("/")[:-len("start")]
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(params), ""))


def _target_settings(lang: str) -> None:
    sel = state.get("t_sel")
    if sel in SETTABLE_LIMIT_TARGETS:
        years = list(base_years(load_dataset().inventory_years))
        # Stacked, not in two columns: the sidebar is too narrow for two labelled inputs side by side.
        st.number_input(t("app.target_max_gross", lang), min_value=0.0, max_value=100.0, step=5.0,
                        format="%.0f", help=t("app.target_max_gross_help", lang), **state.bind("t_pct"))
        st.selectbox(t("app.target_base_year", lang), years, **state.bind("t_base"))
        st.selectbox(t("app.target_year", lang), list(TARGET_YEARS), **state.bind("t_year"))
    elif sel in BUDGET_TARGETS:
        rate, src = budget_rate_for(state.get("kommun"), state.target_spec(), lang)
        if state.get("t_rate") is None:
            st.caption(t("app.budget_rate_default", lang, rate=fmt_number(rate, 1, lang), source=src))
        st.number_input(t("app.budget_rate", lang), min_value=0.5, max_value=50.0, step=0.5,
                        placeholder=fmt_number(rate, 1, lang), help=t("app.budget_rate_help", lang),
                        **state.bind("t_rate"))


def render_sidebar(lang: str, skip_link: bool = False) -> None:
    """Draw the sidebar widgets (views of the session's settings, :mod:`ui.state`) and the share link."""
    codes, names = _kommun_options()
    with st.sidebar:
        # Keyboard users: the first stop in the sidebar jumps past it to the levers (ui/scenario/levers.py anchor),
        # on the page that has them.
        if skip_link:
            st.html(f"<a class='kv-skip' href='#{SKIP_TARGET}'>{html.escape(t('app.skip_to_levers', lang))}</a>")
        st.segmented_control(t("sidebar.language_neutral", lang), list(state.LANG_OPTIONS), required=True,
                             **state.bind("lang"))
        st.selectbox(t("sidebar.kommun", lang), codes, format_func=names.__getitem__,
                     help=t("app.kommun_help", lang), **state.bind_kommun())
        st.selectbox(t("sidebar.target", lang), list(TARGET_IDS), format_func=lambda v: target_label(v, lang),
                     help=t("sidebar.target_help", lang), **state.bind("t_sel", lang))
        # Lazy: the settings are built only while the expander is open (a slider move stays cheap).
        exp = st.expander(t("app.target_settings", lang), key="target_settings", on_change="rerun")
        if exp.open:
            with exp:
                _target_settings(lang)
        st.segmented_control(t("sidebar.horizon", lang), list(state.HORIZONS), required=True,
                             format_func=lambda y: t(f"horizon.y{y}", lang), help=t("sidebar.horizon_help", lang),
                             **state.bind("horizon", lang))
        st.radio(t("sidebar.reduktionsplikt", lang), list(POLICIES), format_func=lambda p: policy_label(p, lang),
                 help=t("sidebar.reduktionsplikt_help", lang), **state.bind("policy", lang))
        st.divider()
        st.markdown(f"**{t('app.share_title', lang)}**")
        st.caption(t("app.share_help", lang))
        st.code(share_url(encode(state.current_link())), language=None, wrap_lines=True)
