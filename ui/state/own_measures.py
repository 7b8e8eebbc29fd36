"""Own measures and the data release: the two parts of a scenario that are neither levers nor settings.

Both have one canonical session value (:data:`MEASURES`, :data:`RELEASE`) that the share link, the
scenario and the exports read (:mod:`ui.state.session`); widgets write them only through the
functions here, which refuse what a link could not carry or the model could not compute on.
"""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from model.data import list_releases
from model.measures import OwnMeasure
from model.measures_link import encode_measures
from model.measures_parse import check_measure_list

#: Session keys of the canonical own measures (a tuple of OwnMeasure) and data release (None = latest).
MEASURES = "measures"
RELEASE = "release"
#: The own measures the last "Återställ" removed, for the editor's undo button.
MEASURES_UNDO = "_measures_undo"


def measures() -> tuple[OwnMeasure, ...]:
    """The own measures in force (profile measures switched on and the user's), in order."""
    return tuple(st.session_state.get(MEASURES) or ())


def set_measures(values: Sequence[OwnMeasure]) -> None:
    """Replace the own measures; the chart, link and exports follow at the next run.

    Raises
    ------
    model.measures.MeasureError
        More than :data:`model.measures.MAX_MEASURES`, a repeated id, or too long for a share
        link (``measure.link_too_long``): the session never holds measures its link cannot carry,
        and nothing changes.
    """
    vals = tuple(values)
    check_measure_list(vals)
    encode_measures(vals)
    st.session_state[MEASURES] = vals


def upsert_measure(m: OwnMeasure, replace_id: str | None = None) -> None:
    """Add ``m``, or put it in the place of the measure ``replace_id`` (an edit; the id may change).

    Raises
    ------
    model.measures.MeasureError
        As :func:`set_measures` (``measure.duplicate`` when another measure has ``m.id``).
    """
    current = list(measures())
    at = next((i for i, x in enumerate(current) if replace_id is not None and x.id == replace_id), None)
    if at is None:
        current.append(m)
    else:
        current[at] = m
    set_measures(current)


def remove_measure(measure_id: str) -> None:
    """Take the measure ``measure_id`` out (nothing happens when there is none)."""
    st.session_state[MEASURES] = tuple(m for m in measures() if m.id != measure_id)


def undo_measures_reset() -> None:
    """Button callback: bring back the own measures the last reset removed."""
    kept = st.session_state.pop(MEASURES_UNDO, None)
    if kept:
        st.session_state[MEASURES] = tuple(kept)


def release() -> str | None:
    """The SMHI release the scenario computes on, or None for the latest (the default)."""
    return st.session_state.get(RELEASE)


def set_release(release_id: str | None) -> None:
    """Compute on SMHI release ``release_id``, or on the latest with None; levers stay as they are.

    An id that is no shipped release is refused (the latest is used), so a hand-made value can
    never reach the model.
    """
    if release_id is not None and release_id not in {r.id for r in list_releases()}:
        release_id = None
    st.session_state[RELEASE] = release_id
