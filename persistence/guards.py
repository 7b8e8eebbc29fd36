"""Guards of the workshop store: facilitator-key guessing limits and the SQLite file's identity.

Pure Python (never imports Streamlit or a database library).

* :class:`KeyGuard` limits wrong facilitator keys per workshop and per client with an exponential
  backoff, and is asked *before* the key is hashed: scrypt is the expensive part, so a refused
  guess costs the server next to nothing and guessing cannot slow other users down.
* :class:`FileIdentity` remembers which file (device and inode) a SQLite store opened. If the file
  is deleted or replaced while the app runs, SQLite would silently write to the unlinked file or
  create a new empty one; the store checks the identity around every transaction and refuses
  with :class:`StoreFileChanged` instead of acknowledging.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_log = logging.getLogger("klimatvagar.workshop")


class StoreFileChanged(OSError):
    """The SQLite file of the workshop store is gone or was replaced while the app runs."""


@dataclass
class _Count:
    failures: int = 0
    locked_until: float = 0.0
    last: float = 0.0


class KeyGuard:
    """Wrong-key limits with exponential backoff, per workshop and per client (thread-safe).

    Parameters
    ----------
    client_free, workshop_free : int
        Wrong keys allowed before a lock starts, per client (default 5) and per workshop from
        all clients together (default 20; higher, so one guesser locks the facilitator out of
        their own workshop only after many tries, and then briefly).
    base_s, max_s : float
        First lock in seconds (doubles with every further wrong key) and its ceiling, s.
    forget_s : float
        A counter with no wrong key for this long starts again from zero, s.
    clock : callable
        Monotonic seconds (tests pass a fake clock).
    """

    def __init__(self, client_free: int = 5, workshop_free: int = 20, base_s: float = 2.0,
                 max_s: float = 300.0, forget_s: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client_free, self.workshop_free = client_free, workshop_free
        self.base_s, self.max_s, self.forget_s, self.clock = base_s, max_s, forget_s, clock
        self._counts: dict[tuple[str, str], _Count] = {}
        self._lock = threading.Lock()

    @staticmethod
    def client_id(client: str | None) -> str:
        """A short digest of the client (no address or session id in logs or memory dumps)."""
        return hashlib.sha256(str(client or "-").encode("utf-8")).hexdigest()[:12]

    def _scopes(self, code: str, client: str | None) -> list[tuple[tuple[str, str], int]]:
        scopes = [(("ws", code), self.workshop_free)]
        if client:
            scopes.append((("client", self.client_id(client)), self.client_free))
        return scopes

    def wait_s(self, code: str, client: str | None) -> float:
        """Seconds until a key may be tried again for this workshop from this client (0 = now)."""
        now = self.clock()
        with self._lock:
            waits = [c.locked_until - now for key, _ in self._scopes(code, client)
                     if (c := self._counts.get(key)) is not None]
        return max([0.0, *waits])

    def failed(self, code: str, client: str | None) -> float:
        """Record a wrong key; returns the lock now in force (s) and logs it (never the key)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            if len(self._counts) > 10_000:  # bounded memory under a flood of clients
                self._counts = {k: c for k, c in self._counts.items() if now - c.last < self.forget_s}
            for key, free in self._scopes(code, client):
                c = self._counts.setdefault(key, _Count())
                if now - c.last > self.forget_s:
                    c.failures = 0
                c.failures, c.last = c.failures + 1, now
                if c.failures >= free:
                    lock = min(self.max_s, self.base_s * 2 ** (c.failures - free))
                    c.locked_until = max(c.locked_until, now + lock)
                wait = max(wait, c.locked_until - now)
            n_ws = self._counts[("ws", code)].failures
        _log.warning("workshop key refused: workshop=%s client=%s failures_for_workshop=%d locked_s=%.0f",
                     code, self.client_id(client), n_ws, wait)
        return wait

    def succeeded(self, code: str, client: str | None) -> None:
        """The right key: this client's and this workshop's counters start again."""
        with self._lock:
            for key, _ in self._scopes(code, client):
                self._counts.pop(key, None)


#: One guard per process: stores are cheap objects made per call, the limits must outlive them.
KEY_GUARD = KeyGuard()


class FileIdentity:
    """The (device, inode) of each SQLite file a store has opened in this process."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _stat(path: str) -> tuple[int, int] | None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return st.st_dev, st.st_ino

    def check(self, path: str) -> None:
        """Raise :class:`StoreFileChanged` if ``path`` is gone or another file than the one opened."""
        with self._lock:
            seen = self._seen.get(path)
        if seen is None:
            return
        now = self._stat(path)
        if now != seen:
            _log.error("workshop database file %s: %s", "replaced" if now else "missing",
                       os.path.basename(path))
            raise StoreFileChanged("replaced" if now else "missing")

    def remember(self, path: str) -> None:
        """Note the file now at ``path`` (after a transaction succeeded), unless one is already noted."""
        now = self._stat(path)
        if now is None:
            return
        with self._lock:
            self._seen.setdefault(path, now)

    def forget(self, path: str) -> None:
        """Accept whatever file is at ``path`` next (an operator restored it; tests)."""
        with self._lock:
            self._seen.pop(path, None)


FILES = FileIdentity()
