"""Page-wide CSS, injected once per run by app.py (a single st.html element)."""
from __future__ import annotations

#: Why each rule exists:
#: * captions: Streamlit's default caption grey (about 3.8:1) fails WCAG AA contrast;
#: * st-key-headline_<kommun>: the six headline figures share one wrapping flex row (built cheaply
#:   on every rerun); two per row on a laptop, one per row on a phone, like st.columns(2);
#: * headline values shrink with their card (container query) instead of ending in "…"
#:   ("1 365 000 ton CO₂e" in a half column on a 1280 px laptop with the sidebar open);
#: * the main block starts close to the top navigation (Streamlit leaves about 6rem), so a laptop
#:   shows the verdict and the main chart in its first screen;
#: * lever group tabs wrap onto a second row instead of hiding groups behind a scroll arrow;
#: * st-key-live_bar: on a phone the results sit far below the sliders, so a one-line result sticks
#:   under the top bar while the user scrolls through the levers; hidden where the columns sit side by side;
#: * kv-skip: the "skip to the levers" link is invisible until a keyboard user focuses it;
#: * metric delta descriptions ("mot utan nya åtgärder") wrap instead of ending in "…".
CSS = (
    "<style>"
    "[data-testid='stCaptionContainer'],[data-testid='stCaptionContainer'] p"
    "{color:#4d5563 !important;opacity:1 !important;}"
    "[class*='st-key-headline_']{flex-wrap:wrap !important;}"
    "[class*='st-key-headline_']>div{flex:1 1 calc(50% - 0.5rem) !important;min-width:0 !important;"
    "max-width:calc(50% - 0.25rem) !important;}"
    "@media (max-width:640px){[class*='st-key-headline_']>div{flex-basis:100% !important;"
    "max-width:100% !important;}}"
    "[class*='st-key-headline_'] [data-testid='stMetric']{container-type:inline-size;}"
    "[class*='st-key-headline_'] [data-testid='stMetricValue'],"
    "[class*='st-key-headline_'] [data-testid='stMetricValue'] p"
    "{font-size:min(1.75rem,10.5cqw) !important;white-space:normal !important;overflow:visible !important;}"
    "div:has(>[data-testid='stMetricDelta']){flex-wrap:wrap !important;row-gap:0.15rem;}"
    "[data-testid='stMetricDeltaDescription'],[data-testid='stMetricDeltaDescription'] p"
    "{white-space:normal !important;overflow:visible !important;text-overflow:clip !important;}"
    "[data-testid='stMainBlockContainer']{padding-top:3.5rem !important;}"
    "[class*='st-key-lever_tab_'] [role='tablist']{flex-wrap:wrap !important;row-gap:0.25rem;}"
    "[class*='st-key-lever_tab_'] [data-baseweb='tab-border']{display:none;}"
    ".st-key-live_bar{display:none !important;}"
    "@media (max-width:640px){[data-testid='stLayoutWrapper']:has(>.st-key-live_bar){position:sticky;"
    "top:3.75rem;z-index:99;}.st-key-live_bar{display:block !important;"
    "background:#fff;border:1px solid #c9ccd1;border-radius:0.5rem;padding:0.35rem 0.6rem;"
    "box-shadow:0 2px 6px rgba(0,0,0,.12);}.st-key-live_bar p.kv-live{margin:0;font-size:0.95rem;line-height:1.35;}}"
    ".kv-skip{position:absolute;left:-9999px;}.kv-skip:focus{position:static;display:inline-block;"
    "padding:0.3rem 0.6rem;background:#1b6e3a;color:#fff !important;border-radius:0.3rem;}"
    "</style>"
)
