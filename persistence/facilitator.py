"""What only a workshop's facilitator may do in the store: check the key, close, reopen, clear.

A mixin of :class:`persistence.store.WorkshopStore` (split out by responsibility, like
:mod:`persistence.submit` and :mod:`persistence.queries`); pure Python on SQLAlchemy Core, never
imports Streamlit. The methods use the store's ``_tx``, ``_find``, ``_key_row``, ``get_workshop``
and ``guard``. Each write takes the workshop row ``FOR UPDATE`` through ``_key_row`` (SQLite: the
write lock), so a close waits for the submissions in flight (they hold it ``FOR SHARE``) and none
slips in after it.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from persistence.guards import KeyGuard
from persistence.records import STATUS_CLOSED, STATUS_OPEN, Workshop, utcnow
from persistence.schema import submissions, workshops
from persistence.validation import WorkshopError, code_or_none, key_matches, normalize_code


class StoreFacilitator:
    """Key checks and the facilitator's actions; mixed into :class:`persistence.store.WorkshopStore`."""

    guard: KeyGuard

    def _tx(self, write: bool = False) -> AbstractContextManager[Connection]:  # pragma: no cover - the store's
        raise NotImplementedError

    def _find(self, code: Any) -> RowMapping | None:  # pragma: no cover - the store's
        raise NotImplementedError

    def _key_row(self, conn: Connection, code: str, key: str, *,
                 lock: bool = False) -> RowMapping:  # pragma: no cover - the store's
        raise NotImplementedError

    def get_workshop(self, code: str) -> Workshop | None:  # pragma: no cover - the store's
        raise NotImplementedError

    def verify_key(self, code: str, key: str, client: str | None = None) -> bool:
        """True if ``key`` is the facilitator key of workshop ``code``.

        Wrong keys are limited per workshop and per ``client`` (an address or session id) with a
        growing wait (:class:`persistence.guards.KeyGuard`), checked before the key is hashed.

        Raises
        ------
        WorkshopError
            ``too_many_attempts`` (``wait_s``: seconds to wait) while a limit is in force.
        """
        norm = code_or_none(code)
        if norm is None:
            return False
        wait = self.guard.wait_s(norm, client)
        if wait > 0:
            raise WorkshopError("too_many_attempts", wait_s=int(wait) + 1)
        row = self._find(norm)
        if row is None:
            return False
        if key_matches(row, key):
            self.guard.succeeded(norm, client)
            return True
        self.guard.failed(norm, client)
        return False

    def set_status(self, code: str, key: str, status: str) -> Workshop:
        """Close (``"closed"``) or reopen (``"open"``) a workshop; needs the facilitator key."""
        if status not in (STATUS_OPEN, STATUS_CLOSED):
            raise WorkshopError("bad_status")
        code = normalize_code(code)
        with self._tx(write=True) as conn:
            self._key_row(conn, code, key, lock=True)
            conn.execute(sa.update(workshops).where(workshops.c.code == code).values(
                status=status, closed_at=utcnow() if status == STATUS_CLOSED else None))
        ws = self.get_workshop(code)
        assert ws is not None
        return ws

    def close(self, code: str, key: str) -> Workshop:
        """Stop accepting submissions (needs the facilitator key)."""
        return self.set_status(code, key, STATUS_CLOSED)

    def reopen(self, code: str, key: str) -> Workshop:
        """Accept submissions again (needs the facilitator key)."""
        return self.set_status(code, key, STATUS_OPEN)

    def clear(self, code: str, key: str) -> int:
        """Clear the board: archive every current submission (kept for export). Returns how many."""
        code = normalize_code(code)
        with self._tx(write=True) as conn:
            self._key_row(conn, code, key, lock=True)
            res = conn.execute(sa.update(submissions).where(
                submissions.c.workshop_code == code, submissions.c.archived.is_(False)).values(archived=True))
            return int(res.rowcount or 0)
