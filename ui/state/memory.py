"""Page-local UI memory: session values that are not user settings.

Use this module for what a page remembers between runs but that is no part of the scenario or the
share link: editing flags, error and confirmation messages waiting to be shown, workshop tokens,
cached results, and reading a widget's value by its key. Such values have no canonical form, no
validation and no URL key; each page names its own keys.

Use a declared :class:`ui.state.settings.Setting` (:func:`ui.state.settings.get`/:func:`put`,
:func:`ui.state.settings.bind`) instead for anything the user sets and the scenario, the share
link or another page reads (kommun, language, target, horizon, policy, levers, own measures).

Writing a widget's key (:func:`remember`) is allowed only before the widget is drawn in the run,
exactly as with ``st.session_state`` itself.
"""
from __future__ import annotations

from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")


def recall(key: str, default: Any = None) -> Any:
    """The value stored under ``key``.

    Parameters
    ----------
    key : str
        Session key (a page's own key or a widget's key).
    default : Any, optional
        Returned when nothing is stored under ``key``.

    Returns
    -------
    Any
        The stored object itself (not a copy), or ``default``.
    """
    return st.session_state.get(key, default)


def remember(key: str, value: Any) -> None:
    """Store ``value`` under ``key``.

    Parameters
    ----------
    key : str
        Session key; a widget's key only before that widget is drawn in this run.
    value : Any
        The value (session state must stay picklable: plain data).
    """
    st.session_state[key] = value


def forget(*keys: str) -> None:
    """Remove ``keys`` from the session; a key that is not there is no error.

    Parameters
    ----------
    *keys : str
        Session keys to remove.
    """
    ss = st.session_state
    for key in keys:
        ss.pop(key, None)


def take(key: str, default: Any = None) -> Any:
    """Remove ``key`` and return what it held (a message shown once, a one-run flag).

    Parameters
    ----------
    key : str
        Session key.
    default : Any, optional
        Returned when nothing is stored under ``key``.

    Returns
    -------
    Any
        The removed value, or ``default``.
    """
    return st.session_state.pop(key, default)


def holds(key: str) -> bool:
    """Whether anything is stored under ``key`` (also a stored None).

    Parameters
    ----------
    key : str
        Session key.

    Returns
    -------
    bool
        True when ``key`` is in the session.
    """
    return key in st.session_state


def recall_or_set(key: str, default: T) -> T:
    """The value under ``key``, storing ``default`` first when there is none (``dict.setdefault``).

    Parameters
    ----------
    key : str
        Session key.
    default : T
        Stored and returned when ``key`` is absent.

    Returns
    -------
    T
        The stored object itself, so a mutable value can be changed in place.
    """
    return st.session_state.setdefault(key, default)  # type: ignore[no-any-return]


def keys_with(prefix: str) -> list[str]:
    """Every stored key that starts with ``prefix``, in the session's own order.

    Parameters
    ----------
    prefix : str
        Start of the keys (e.g. a page's widget-key prefix).

    Returns
    -------
    list of str
        The matching keys (a list: the caller may remove them while going through it).
    """
    return [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]
