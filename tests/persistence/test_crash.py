"""Fault test (issue 11 item 5): the server process is KILLED (SIGKILL, no graceful dispose) twice during
50 concurrent participants' submissions, on SQLite and on PostgreSQL.

A subprocess plays the app's server: for each request it stores the device's draft and then submits
with the draft's token, exactly as the participant view does. 50 client threads (one device each, 3
submissions each) resend whatever was not acknowledged, to whichever server is running. The test
counts acknowledged, stored and duplicated rows: every acknowledged submission must be stored, and
none twice. With ``KLIMAT_CRASH_LEGACY=1`` a second run uses a fresh token per request (as when the
token lived only in the server session) and prints its counts, to show what the draft token prevents.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from persistence.store import WorkshopStore, new_device
from tests.persistence.storekit import EngineFactory, _create

ROOT = Path(__file__).resolve().parents[2]
USERS, PER_USER, KILL_AT = 50, 3, (40, 100)

WORKER = r"""
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import sqlalchemy as sa
from persistence.store import WorkshopStore, new_token
url, port, code, mode, schema = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
kw = {"connect_args": {"options": f"-c search_path={schema}"}, "pool_size": 20, "max_overflow": 40} \
    if url.startswith("postgresql") else {}
store = WorkshopStore(sa.create_engine(url, **kw))
store.ensure_schema()

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        try:
            if mode == "draft":
                token = store.save_draft(code, req["device"], req["group"], req["levers"]).token
            else:  # legacy: the token lived in the server session, so a new session made a new one
                token = new_token()
            res = store.submit(code, req["group"], req["levers"], token, device=req["device"], join=True)
            body, status = json.dumps({"id": res.submission.id, "created": res.created}).encode(), 200
        except Exception as exc:
            body, status = json.dumps({"error": type(exc).__name__}).encode(), 503
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

srv = ThreadingHTTPServer(("127.0.0.1", port), H)
srv.daemon_threads = True
print("ready", flush=True)
srv.serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    def __init__(self, url: str, code: str, mode: str, schema: str) -> None:
        self.args = (url, code, mode, schema)
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self.start()

    def start(self) -> None:
        url, code, mode, schema = self.args
        port = _free_port()
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER, url, str(port), code, mode, schema],
                                     cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"
        self.base = f"http://127.0.0.1:{port}/submit"

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)  # no clean-up, no dispose: a crash
        self.proc.wait()


def _run(url: str, schema: str, store: WorkshopStore, mode: str) -> dict[str, int]:
    ws, _ = _create(store)
    server = _Server(url, ws.code, mode, schema)
    acked: list[tuple[str, int]] = []
    lock = threading.Lock()
    kills = list(KILL_AT)

    def client(i: int) -> None:
        device = new_device()
        for k in range(PER_USER):
            body = json.dumps({"device": device, "group": f"Grupp {i}",
                               "levers": {"ev_cars": 60 + 5 * k, "car_traffic": 5 * (i % 4)}}).encode()
            while True:
                try:
                    req = urllib.request.Request(server.base, body, {"Content-Type": "application/json"})
                    with urllib.request.urlopen(req, timeout=20) as resp:
                        json.loads(resp.read())
                    break
                except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError):
                    # Not acknowledged (refused, cut mid-response by the kill, half a JSON body):
                    # send the same settings again. A client thread must never die of it.
                    time.sleep(0.1)
            with lock:
                acked.append((device, k))
                n = len(acked)
                if kills and n >= kills[0]:
                    kills.pop(0)
                    server.kill()
                    server.start()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(USERS)]
    for th in threads:
        th.start()
    # Generous on a loaded 2-core machine: every client retries until acknowledged.
    deadline = time.monotonic() + 420
    for th in threads:
        th.join(timeout=max(0.0, deadline - time.monotonic()))
    unfinished = sum(th.is_alive() for th in threads)
    server.kill()
    assert unfinished == 0, f"{unfinished} clients were still retrying after 420 s"
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT device_token, levers_json FROM workshop_submissions "
                                    "WHERE workshop_code = :c"), {"c": ws.code}).all()
    distinct = {(d, json.loads(lv)["ev_cars"]) for d, lv in rows}
    counts = {"acknowledged": len(acked), "stored": len(rows), "duplicates": len(rows) - len(distinct),
              "lost": len({(d, 60.0 + 5 * k) for d, k in acked} - distinct)}
    print(f"{store.engine.dialect.name} {mode}: {counts}")
    return counts


def _url_schema(store: WorkshopStore) -> tuple[str, str]:
    url = store.engine.url.render_as_string(hide_password=False)
    schema = ""
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar() or ""
    return url, schema


def test_kill_9_during_50_concurrent_submissions_loses_and_duplicates_nothing(engine_factory: EngineFactory) -> None:
    store = WorkshopStore(engine_factory())
    store.ensure_schema()
    url, schema = _url_schema(store)
    counts = _run(url, schema, store, "draft")
    assert counts == {"acknowledged": USERS * PER_USER, "stored": USERS * PER_USER, "duplicates": 0, "lost": 0}
    if os.environ.get("KLIMAT_CRASH_LEGACY"):  # the old behaviour, for comparison (counts printed, -s)
        _run(url, schema, store, "legacy")
