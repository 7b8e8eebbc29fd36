"""Fast chart builders returning Vega-Lite spec dicts (no Streamlit import).

Every builder takes small tidy pandas frames (``tonnes`` = t CO₂e per year) and a
language, and returns a JSON-serialisable Vega-Lite spec ``dict`` that carries

* the theme (Okabe–Ito colours, readable text, the DejaVu fallback font for "CO₂") and
  the d3 number/time locale (sv-SE or en-GB) in ``config``, so axes read "1 200";
* a fixed plot height (:data:`HEIGHTS`) and width (:data:`DEFAULT_WIDTH`);
* a ``description`` stating the takeaway: the chart's accessible name. Streamlit 1.67
  uses it as is, so do not also pass ``alt=`` (it overrides it and logs a warning);
  reuse :func:`chart_description` as the caption of the table alternative;
* its rows in named ``datasets``, with tooltip values pre-formatted by :mod:`ui.text.fmt`
  (e.g. "61 200 ton CO₂e") whatever d3 does.

Render with ``st.vega_lite_chart(spec, theme=None)`` so the app and the exports
(:func:`to_png`, :func:`to_svg`) look the same. The structure of each chart is compiled
once per language/title/layer set and cached; only the rows are computed per call, so a
builder costs a few milliseconds. The returned dict shares its nested objects with that
cache: change top-level keys freely, but ``copy.deepcopy`` it before editing anything
deeper.
"""

from ui.charts.bars import actor_chart, macc_chart, per_capita_chart
from ui.charts.comparison import PROJECTOR, comparison_chart
from ui.charts.theme import (
                             BASELINE_COLOR,
                             DEFAULT_WIDTH,
                             FONT,
                             HEIGHTS,
                             LINE_COLORS,
                             NET_COLOR,
                             OKABE_ITO,
                             SECTOR_COLORS,
                             TARGET_COLOR,
                             THEME_NAME,
                             Spec,
                             chart_description,
                             theme,
                             to_png,
                             to_svg,
                             with_locale,
)
from ui.charts.timeseries import fan_chart, main_chart
from ui.charts.waterfall import waterfall_chart

__all__ = [
    "BASELINE_COLOR", "DEFAULT_WIDTH", "FONT", "HEIGHTS", "LINE_COLORS", "NET_COLOR", "OKABE_ITO", "PROJECTOR",
    "SECTOR_COLORS", "TARGET_COLOR", "THEME_NAME", "Spec", "actor_chart", "chart_description",
    "comparison_chart", "fan_chart", "macc_chart", "main_chart", "per_capita_chart", "theme",
    "to_png", "to_svg", "waterfall_chart", "with_locale",
]
