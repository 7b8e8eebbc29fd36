"""Streamlit 1.67 websocket/protobuf client: one simulated browser session.

Used by ``bench/load_user.py`` (the users of ``bench/load.py``); see load.py's docstring for the protocol details.
"""
from __future__ import annotations

import contextlib
import http.cookiejar
import random
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

LEVER_PREFIX = "lv_"
XSRF_COOKIE = "_streamlit_xsrf"
FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


class Disconnected(Exception):
    """The server closed the websocket."""


class RerunTimeout(Exception):
    """A rerun did not finish in time."""


class BrowserSession:
    """A Streamlit client speaking the websocket protocol like the 1.67 frontend."""

    def __init__(self, base_url: str, locale: str = "sv-SE", timeout: float = 15.0) -> None:
        self.base = base_url.rstrip("/")
        self.locale = locale
        self.timeout = timeout
        self.ws: websocket.WebSocket | None = None
        self.query_string = ""
        self.page_script_hash = ""
        self.widgets: dict[str, WidgetState] = {}  # the frontend's WidgetStateManager
        self.sliders: dict[str, Any] = {}  # widget id -> Slider proto (latest)
        self.seen_ids: set[str] = set()  # widget ids rendered in the current run
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, run it was last used)
        self.max_cache_age = 2
        self.runs = 0
        self.exceptions: list[str] = []
        self.messages = 0
        self.bytes_in = 0

    # -- connection
    def connect(self) -> None:
        host_port = urlsplit(self.base).netloc
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for path in ("/", "/_stcore/health", "/_stcore/host-config"):  # what the page loads first
            with opener.open(self.base + path, timeout=self.timeout) as r:
                r.read()
        xsrf = next((c.value for c in jar if c.name == XSRF_COOKIE), None)
        protocols = ["streamlit", xsrf or "PLACEHOLDER_AUTH_TOKEN"]
        # Every cookie goes along, as in a browser (e.g. a sticky-routing cookie of a proxy).
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar) or None
        self.ws = websocket.create_connection(
            f"ws://{host_port}/_stcore/stream", timeout=self.timeout, subprotocols=protocols,
            origin=self.base, cookie=cookie, enable_multithread=False)

    def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):  # closing a broken socket
                self.ws.close(timeout=2)
            self.ws = None

    # -- messages
    def _context_info(self) -> dict[str, Any]:
        return {"timezone": "Europe/Stockholm", "timezone_offset": -60, "locale": self.locale,
                "url": self.base + "/" + (f"?{self.query_string}" if self.query_string else ""),
                "is_embedded": False, "color_scheme": "light"}

    def send_rerun(self, initial: bool = False) -> None:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query_string
        if not initial:
            rs.page_script_hash = self.page_script_hash
            rs.widget_states.widgets.extend(self.widgets.values())
            rs.cached_message_hashes.extend(self.cache.keys())
        else:
            rs.widget_states.SetInParent()
        for k, v in self._context_info().items():
            setattr(rs.context_info, k, v)
        assert self.ws is not None
        self.ws.send_binary(msg.SerializeToString())

    def _recv(self, timeout: float) -> ForwardMsg | None:
        """One ForwardMsg, or None when ``timeout`` passes without one."""
        assert self.ws is not None
        self.ws.settimeout(max(timeout, 0.001))
        try:
            opcode, data = self.ws.recv_data()
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError) as exc:
            raise Disconnected(f"{type(exc).__name__}: {exc}") from exc
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            raise Disconnected("server closed the websocket")
        self.bytes_in += len(data)
        self.messages += 1
        fm = ForwardMsg()
        fm.ParseFromString(data)
        return self._resolve(fm)

    def _resolve(self, fm: ForwardMsg) -> ForwardMsg:
        kind = fm.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(fm.ref_hash)
            if cached is None:
                raise RuntimeError(f"server referenced an uncached message {fm.ref_hash}")
            self.cache[fm.ref_hash] = (cached[0], self.runs)
            full = ForwardMsg()
            full.CopyFrom(cached[0])
            full.metadata.CopyFrom(fm.metadata)
            return full
        if fm.metadata.cacheable and fm.hash:
            self.cache[fm.hash] = (fm, self.runs)
        return fm

    def _handle(self, fm: ForwardMsg) -> int | None:
        """Update client state from one message; returns the script_finished status, if any."""
        kind = fm.WhichOneof("type")
        if kind == "new_session":
            ns = fm.new_session
            self.page_script_hash = ns.page_script_hash or self.page_script_hash
            if ns.config.max_cached_message_age:
                self.max_cache_age = ns.config.max_cached_message_age
            self.seen_ids = set()
        elif kind == "navigation":
            self.page_script_hash = fm.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = fm.page_info_changed.query_string
        elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            etype = el.WhichOneof("type")
            if etype == "exception":
                ex = el.exception
                self.exceptions.append(f"{ex.type}: {ex.message}"[:300])
            else:
                self._widget(etype, getattr(el, etype) if etype else None)
        elif kind == "session_event" and fm.session_event.WhichOneof("type") == "script_compilation_exception":
            ex = fm.session_event.script_compilation_exception
            self.exceptions.append(f"compile error {ex.type}: {ex.message}"[:300])
        elif kind == "script_finished":
            status = fm.script_finished
            if status in FINISHED_OK:
                self.runs += 1
                # The frontend drops the states of widgets that were not rendered in the run …
                if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                    for wid in [w for w in self.widgets if w not in self.seen_ids]:
                        del self.widgets[wid]
                        self.sliders.pop(wid, None)
                # … and forgets cached messages not used in the last max_cached_message_age runs.
                for h in [h for h, (_, r) in self.cache.items() if self.runs - r > self.max_cache_age]:
                    del self.cache[h]
            return status
        return None

    def _widget(self, etype: str | None, w: Any) -> None:
        """Register a rendered widget's state the way the frontend's widgets do on mount."""
        wid = getattr(w, "id", "") if w is not None else ""
        if not wid or etype in ("button", "download_button", "link_button", "page_link"):
            return  # not a widget, or a trigger (only sent when clicked)
        self.seen_ids.add(wid)
        if wid in self.widgets and not getattr(w, "set_value", False):
            if etype == "slider":
                self.sliders[wid] = w
            return  # the frontend keeps its own value unless the server sets one
        ws = WidgetState(id=wid)
        if etype == "slider":
            ws.double_array_value.data.extend(w.value if w.set_value else w.default)
            self.sliders[wid] = w
        elif etype in ("selectbox", "radio"):
            if w.set_value:
                if w.HasField("raw_value"):
                    ws.string_value = w.raw_value
                else:
                    return
            elif w.HasField("default"):
                ws.string_value = w.options[w.default]
            else:
                return
        elif etype == "button_group":
            labels = list(w.raw_values) if w.set_value else [w.options[i].content for i in w.default]
            ws.string_array_value.data.extend(labels)
        elif etype == "number_input":
            v = w.value if (w.set_value and w.HasField("value")) else (w.default if w.HasField("default") else None)
            if v is None:
                return
            if w.data_type == w.INT:
                ws.int_value = int(v)
            else:
                ws.double_value = float(v)
        elif etype in ("checkbox",):
            ws.bool_value = bool(w.value if w.set_value else w.default)
        elif etype in ("text_input", "text_area"):
            v = w.value if (w.set_value and w.HasField("value")) else (w.default if w.HasField("default") else None)
            if v is None:
                return
            ws.string_value = v
        else:
            return  # not used by this app; the server falls back to its own state
        self.widgets[wid] = ws

    def run_until_finished(self, timeout: float) -> int:
        """Read messages until this rerun's ``script_finished``; returns its status."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RerunTimeout(f"no script_finished within {timeout:.0f} s")
            fm = self._recv(left)
            if fm is None:
                continue
            status = self._handle(fm)
            if status is not None and status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return status

    def idle(self, seconds: float) -> None:
        """Think: keep reading (pings, late messages) like an open browser tab, for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            fm = self._recv(left)
            if fm is not None:
                self._handle(fm)

    # -- user actions
    def lever_ids(self) -> list[str]:
        return sorted(wid for wid in self.sliders if wid.rsplit("-", 1)[-1].startswith(LEVER_PREFIX)
                      and wid in self.widgets)

    def move_random_lever(self, rng: random.Random) -> tuple[str, float]:
        """Set a random lever slider to a random other value on its step (no send)."""
        wid = rng.choice(self.lever_ids())
        sl = self.sliders[wid]
        n = int(round((sl.max - sl.min) / sl.step)) if sl.step > 0 else 0
        current = list(self.widgets[wid].double_array_value.data)
        choices = [round(sl.min + k * sl.step, 10) for k in range(n + 1)]
        choices = [c for c in choices if not current or abs(c - current[0]) > 1e-9] or choices
        value = rng.choice(choices)
        ws = WidgetState(id=wid)
        ws.double_array_value.data.append(value)
        self.widgets[wid] = ws
        return wid.split("-", 2)[-1], value


# --------------------------------------------------------------------------- the load run
