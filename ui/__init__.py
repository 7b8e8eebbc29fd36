"""The Streamlit side of Klimatvägar, grouped by feature.

Shared by every page: :mod:`ui.state` (the one mechanism for session and widget state),
:mod:`ui.sidebar`, :mod:`ui.nav`, :mod:`ui.compute` (cached model runs), :mod:`ui.render`,
:mod:`ui.notices`, :mod:`ui.style`; words and numbers in :mod:`ui.text`; chart builders in
:mod:`ui.charts` and file builders in :mod:`ui.exports` (both pure: no Streamlit). One package per
page: :mod:`ui.scenario`, :mod:`ui.compare`, :mod:`ui.uncertainty`, :mod:`ui.optimiser`,
:mod:`ui.workshop`, :mod:`ui.data_page`. The page files in ``views/`` only call these.
"""
