"""Reads of the workshop store (board, history, counts, export) and participants' drafts.

A mixin of :class:`persistence.store.WorkshopStore` (split out by responsibility); pure Python on
SQLAlchemy Core, never imports Streamlit. The methods use the store's ``_tx``, ``_key_row``,
``registry`` and :func:`persistence.validation` checks.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from model.registry import Registry
from persistence.drafts import Draft, read_draft, write_draft
from persistence.records import (
    Submission,
    Workshop,
    submission_from_row,
    workshop_from_row,
)
from persistence.schema import submissions, workshop_query
from persistence.validation import (
    MAX_GROUP_CHARS,
    WorkshopError,
    check_token,
    clean_text,
    code_or_none,
    group_key,
    normalize_code,
    validate_levers,
    validate_measure_ids,
)


class StoreReads:
    """Board reads, exports and drafts; mixed into :class:`persistence.store.WorkshopStore`."""

    registry: Registry

    def _tx(self, write: bool = False) -> AbstractContextManager[Connection]:  # pragma: no cover - the store's
        raise NotImplementedError

    def _key_row(self, conn: Connection, code: str, key: str, *,
                 lock: bool = False) -> RowMapping:  # pragma: no cover - the store's
        raise NotImplementedError

    # ----- drafts
    def save_draft(self, code: str, device: str, group: str, levers: Mapping[str, Any],
                   measures: Sequence[str] | None = None) -> Draft:
        """Store a device's unsent settings (open levers and kept own measures, checked) and return
        them with their token. ``measures`` None keeps all of the workshop's own measures.

        The group name is kept as typed (cleaned, cut to :data:`MAX_GROUP_CHARS`; it may still
        be empty). The token stays the same while the settings do (see
        :func:`persistence.drafts.write_draft`).

        Raises
        ------
        WorkshopError
            ``bad_device``, ``bad_code``, ``not_found``, a lever error or a measure error.
        """
        check_token(device, "bad_device")
        code = normalize_code(code)
        with self._tx(write=True) as conn:
            row = conn.execute(workshop_query(code)).mappings().first()
            if row is None:
                raise WorkshopError("not_found")
            ws = workshop_from_row(row, self.registry)
            values = validate_levers(ws, levers, self.registry)
            opened = {lid: values[lid] for lid in ws.open_levers}
            kept = validate_measure_ids(ws, ws.measure_ids if measures is None else measures)
            return write_draft(conn, device, code, clean_text(group, MAX_GROUP_CHARS), opened, kept)

    def load_draft(self, device: str) -> Draft | None:
        """The draft stored for ``device`` (None if there is none or the token is malformed)."""
        try:
            check_token(device, "bad_device")
        except WorkshopError:
            return None
        with self._tx() as conn:
            return read_draft(conn, device)

    def latest(self, code: str) -> list[Submission]:
        """The latest submission of every group on the board (archived ones excluded), by group name."""
        norm = code_or_none(code)
        if norm is None:
            return []
        s = submissions
        newest = (sa.select(sa.func.max(s.c.id).label("id"))
                  .where(s.c.workshop_code == norm, s.c.archived.is_(False))
                  .group_by(s.c.group_key).subquery())
        q = sa.select(s).join(newest, s.c.id == newest.c.id).order_by(s.c.group_key)
        with self._tx() as conn:
            return [submission_from_row(r) for r in conn.execute(q).mappings()]

    def history(self, code: str, group_name: str | None = None, *,
                include_archived: bool = False) -> list[Submission]:
        """Submissions in the order they arrived (one group's, or all)."""
        norm = code_or_none(code)
        if norm is None:
            return []
        s = submissions
        q = sa.select(s).where(s.c.workshop_code == norm)
        if group_name is not None:
            q = q.where(s.c.group_key == group_key(group_name))
        if not include_archived:
            q = q.where(s.c.archived.is_(False))
        with self._tx() as conn:
            return [submission_from_row(r) for r in conn.execute(q.order_by(s.c.id)).mappings()]

    def counts(self, code: str) -> tuple[int, int]:
        """(groups on the board, submissions on the board)."""
        norm = code_or_none(code)
        if norm is None:
            return 0, 0
        s = submissions
        q = sa.select(sa.func.count(sa.distinct(s.c.group_key)), sa.func.count()).where(
            s.c.workshop_code == norm, s.c.archived.is_(False))
        with self._tx() as conn:
            groups, total = conn.execute(q).one()
        return int(groups or 0), int(total or 0)

    def export(self, code: str, key: str) -> tuple[Workshop, list[Submission]]:
        """Every submission ever made, archived ones included (needs the facilitator key)."""
        code = normalize_code(code)
        with self._tx() as conn:
            row = self._key_row(conn, code, key)
            rows = conn.execute(sa.select(submissions).where(submissions.c.workshop_code == code)
                                .order_by(submissions.c.id)).mappings().all()
        return workshop_from_row(row, self.registry), [submission_from_row(r) for r in rows]
