"""The ASGI layer around the dashboard: the middlewares that ``asgi.py`` stacks around Streamlit's app.

No Streamlit page code here: these modules see HTTP requests and responses only, so they can be
tested without a server (tests/test_asgi.py) and are the same whichever page is served.
"""
