"""ASGI entry point: the dashboard (``app.py``) behind the middlewares of :mod:`serving`.

Run it exactly like the script itself (Streamlit 1.67 detects the ``st.App`` below and serves it
with uvicorn, honouring the usual ``--server.*`` flags and ``.streamlit/config.toml``)::

    streamlit run asgi.py              # or: uvicorn asgi:app --port 8501

* :class:`serving.security.SecurityMiddleware` (outermost) gives a default deployment safe
  behaviour without a proxy: security headers, a Host allowlist against DNS rebinding, no metrics
  and an upload size cap (deploy/README.md says what the proxy adds on top);
* :class:`serving.html_lang.HtmlLangMiddleware` gives every page the right ``<html lang>``
  (Streamlit hard-codes ``en``) and redirects guessed or old page addresses to the real page.
"""
from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from serving.html_lang import HtmlLangMiddleware
from serving.security import SecurityMiddleware

# Outermost first: refused requests never reach the redirects or Streamlit.
app = st.App("app.py", middleware=[Middleware(SecurityMiddleware), Middleware(HtmlLangMiddleware)])
