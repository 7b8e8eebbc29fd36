"""Page-wide CSS, injected once per run by app.py (a single st.html element)."""
from __future__ import annotations

#: Why each rule exists:
#: * captions: Streamlit's default caption grey (about 3.8:1) fails WCAG AA contrast;
#: * st-key-headline_<kommun>: the six headline figures share one wrapping flex row (built cheaply
#:   on every rerun); two per row on a laptop, one per row on a phone, like st.columns(2).
CSS = (
    "<style>"
    "[data-testid='stCaptionContainer'],[data-testid='stCaptionContainer'] p"
    "{color:#4d5563 !important;opacity:1 !important;}"
    "[class*='st-key-headline_']{flex-wrap:wrap !important;}"
    "[class*='st-key-headline_']>div{flex:1 1 calc(50% - 0.5rem) !important;min-width:0 !important;"
    "max-width:calc(50% - 0.25rem) !important;}"
    "@media (max-width:640px){[class*='st-key-headline_']>div{flex-basis:100% !important;"
    "max-width:100% !important;}}"
    "</style>"
)
