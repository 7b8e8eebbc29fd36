"""The workshop database for the UI: URL resolution, the shared store, and failures shown as messages.

The URL comes from ``st.secrets["connections"]["workshop"]["url"]``, then the
environment variable ``KLIMAT_DB_URL``, then the embedded default, a SQLite file
``var/workshop.sqlite`` in the project folder (created on demand; ``var/`` is not
shipped). It is always passed to ``st.connection(..., url=...)`` explicitly, since
``st.connection`` does not see AppTest's ``at.secrets`` (notes/streamlit-1.67.md §4.1, §5).

Every database failure (server down, file not writable, bad URL, missing driver) is
caught at this boundary: the workshop page says so in the user's language and the
rest of the app never notices. Only ``views/workshop.py`` imports this module.
"""
from __future__ import annotations

import concurrent.futures as _cf
import logging
import os
import threading
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from persistence.store import SchemaTooNewError, StoreFileChanged, WorkshopStore
from ui.text.i18n import t

ENV_VAR = "KLIMAT_DB_URL"
CONNECTION_NAME = "workshop"
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = ROOT / "var" / "workshop.sqlite"
#: Everything that means "the workshop database cannot be used right now".
DB_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, SchemaTooNewError, OSError, ImportError)

#: Longest a page waits for any database call, s (a frozen server must not hang a session).
DB_TIMEOUT_S = 8.0
#: PostgreSQL: connect, statement, lock and pool waits, each well inside DB_TIMEOUT_S.
PG_CONNECT_S, PG_STATEMENT_MS, PG_LOCK_MS, PG_POOL_S = 4, 6000, 4000, 4
_log = logging.getLogger("klimatvagar.workshop")
#: Database calls run here so that a page can stop waiting (the call itself ends when the server answers).
_POOL = _cf.ThreadPoolExecutor(max_workers=16, thread_name_prefix="klimat-ws-db")
_ready: set[str] = set()
_ready_lock = threading.Lock()


class DatabaseUnavailable(RuntimeError):
    """The workshop database cannot be reached or set up (the cause is chained)."""


class DatabaseTimeout(TimeoutError):
    """A database call took longer than :data:`DB_TIMEOUT_S`."""


def _secret_url() -> str | None:
    try:
        value = st.secrets["connections"][CONNECTION_NAME]["url"]
    except Exception:  # noqa: BLE001 - no secrets file, no section or a broken file: fall through
        return None
    return str(value).strip() or None


def resolve_url() -> str:
    """The workshop database URL: secrets, then ``KLIMAT_DB_URL``, then ``var/workshop.sqlite``."""
    url = _secret_url() or (os.environ.get(ENV_VAR) or "").strip()
    if url:
        return url
    DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DB}"


def _engine_kwargs(url: str) -> dict[str, Any]:
    backend = make_url(url).get_backend_name()
    if backend == "postgresql":
        # Fail fast when the server is down or frozen; re-validate pooled connections after a restart.
        options = (f"-c statement_timeout={PG_STATEMENT_MS} -c lock_timeout={PG_LOCK_MS} "
                   f"-c idle_in_transaction_session_timeout={4 * PG_STATEMENT_MS}")
        return {"pool_pre_ping": True, "pool_timeout": PG_POOL_S,
                "connect_args": {"connect_timeout": PG_CONNECT_S, "options": options, "keepalives": 1,
                                 "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2,
                                 "tcp_user_timeout": int(DB_TIMEOUT_S * 1000)}}
    return {}


def get_store() -> WorkshopStore:
    """The store on the shared connection, with the schema created or migrated once per process.

    Raises
    ------
    DatabaseUnavailable
        When the database cannot be reached or set up.
    """
    try:
        url = resolve_url()
        conn = st.connection(CONNECTION_NAME, type="sql", url=url, **_engine_kwargs(url))
        store = WorkshopStore(conn.engine)
    except DB_ERRORS as exc:
        raise DatabaseUnavailable(type(exc).__name__) from exc
    if url not in _ready:
        with _ready_lock:
            if url not in _ready:
                db_call(store.ensure_schema)
                _ready.add(url)
    return store


def report_unavailable(exc: BaseException, lang: str, retry_key: str | None = "ws_db_retry") -> None:
    """Log a database failure (without the URL) and tell the user in plain words (with a retry button)."""
    cause = exc.__cause__ or exc
    _log.warning("workshop database unavailable: %s: %s", type(cause).__name__, str(cause).splitlines()[0][:300]
                 if str(cause) else "")
    st.error(t("workshop.db.unavailable", lang), icon=":material/cloud_off:")
    if isinstance(cause, StoreFileChanged):
        st.warning(t("workshop.db.file_changed", lang), icon=":material/warning:")
    elif isinstance(cause, DatabaseTimeout):
        st.caption(t("workshop.db.timeout", lang, s=int(DB_TIMEOUT_S)))
    st.caption(t("workshop.db.unavailable_help", lang))
    if retry_key:
        st.button(t("workshop.db.retry", lang), key=retry_key, icon=":material/refresh:")  # a click reruns


def db_call(fn: Any, *args: Any, timeout_s: float | None = None, **kwargs: Any) -> Any:
    """Run a store call within a bounded time, turning database failures into :class:`DatabaseUnavailable`.

    The call runs in a worker thread and the page waits at most ``timeout_s`` (default
    :data:`DB_TIMEOUT_S`) seconds: a frozen server (no answer, no error) then gives the same
    clear message as one that is down. A submission that times out may still be stored when the
    server wakes up; its retry carries the same token, so it is never stored twice.
    """
    future = _POOL.submit(fn, *args, **kwargs)
    try:
        return future.result(timeout=DB_TIMEOUT_S if timeout_s is None else timeout_s)
    except _cf.TimeoutError:
        _log.warning("workshop database call %s timed out after %.0f s", getattr(fn, "__name__", "?"),
                     DB_TIMEOUT_S if timeout_s is None else timeout_s)
        raise DatabaseUnavailable("timeout") from DatabaseTimeout()
    except DB_ERRORS as exc:
        raise DatabaseUnavailable(type(exc).__name__) from exc
