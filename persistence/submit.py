"""Group submissions to the workshop store: the write path of the board.

A mixin of :class:`persistence.store.WorkshopStore` (split out by responsibility, like
:mod:`persistence.queries` for the reads); pure Python on SQLAlchemy Core, never imports Streamlit.
The methods use the store's ``_tx`` and ``registry``.

What makes a submission safe is here: the client token makes a retry or a double click return the
stored row instead of a second one, the shared lock on the workshop row makes a close wait for
submissions in flight, and a group name other devices already use needs the device to say it joins.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from model.registry import Registry
from persistence.drafts import claimed_by_other
from persistence.records import (
    Submission,
    SubmitResult,
    dumps,
    ids_json,
    submission_from_row,
    utcnow,
    workshop_from_row,
)
from persistence.schema import insert_ignore, submissions, workshop_query
from persistence.validation import (
    MAX_GROUP_CHARS,
    WorkshopError,
    check_token,
    clean_text,
    code_or_none,
    group_key,
    group_name,
    normalize_code,
    validate_levers,
    validate_measure_ids,
)


class StoreSubmit:
    """Groups' submissions and group-name claims; mixed into :class:`persistence.store.WorkshopStore`."""

    registry: Registry

    def _tx(self, write: bool = False) -> AbstractContextManager[Connection]:  # pragma: no cover - the store's
        raise NotImplementedError

    def submit(self, code: str, group_name_: str, levers: Mapping[str, Any], token: str, *,
               device: str | None = None, join: bool = False, measures: Sequence[str] = ()) -> SubmitResult:
        """Store a group's settings (idempotent per ``token``).

        ``measures`` are the ids of the workshop's own measures the group keeps (any subset).

        With a ``device``, a group name that other devices already submitted under is refused
        with ``group_taken`` (``group``: its name as shown) until the device says it joins that
        group (``join=True``); after one submission the device belongs to the group.

        Raises
        ------
        WorkshopError
            ``bad_code``, ``not_found``, ``closed``, ``group_empty``, ``group_too_long``,
            ``bad_token``, ``bad_device``, ``group_taken``, ``token_reused``, a lever error
            (see :func:`validate_levers`) or a measure error (see :func:`validate_measure_ids`).
        """
        code = normalize_code(code)
        name = group_name(group_name_)
        check_token(token)
        if device is not None:
            check_token(device, "bad_device")
        gkey = group_key(name)
        with self._tx(write=True) as conn:
            row = conn.execute(workshop_query(code).with_for_update(read=True)).mappings().first()
            if row is None:
                raise WorkshopError("not_found")
            ws = workshop_from_row(row, self.registry)
            existing = self._by_token(conn, token)
            if existing is None:
                if not ws.is_open:
                    raise WorkshopError("closed")
                values = validate_levers(ws, levers, self.registry)
                kept = validate_measure_ids(ws, measures)
                if device is not None and not join and (other := claimed_by_other(conn, code, gkey, device)):
                    raise WorkshopError("group_taken", group=other)
                stmt = insert_ignore(conn, {
                    "workshop_code": code, "group_name": name, "group_key": gkey,
                    "levers_json": dumps(values), "client_token": token, "created_at": utcnow(),
                    "archived": False, "device_token": device, "measures_json": ids_json(kept)})
                created = conn.execute(stmt).first() is not None
                existing = self._by_token(conn, token)
            else:
                created = False
            if existing is None:  # pragma: no cover - the row was inserted or already there
                raise RuntimeError("submission vanished")
            if existing.workshop_code != code or existing.group_key != gkey:
                raise WorkshopError("token_reused")
            count = conn.execute(sa.select(sa.func.count()).select_from(submissions).where(
                submissions.c.workshop_code == code, submissions.c.group_key == gkey)).scalar()
        return SubmitResult(existing, created, int(count or 0))

    def group_taken(self, code: str, name: str, device: str) -> str | None:
        """The shown name of the group ``name`` falls into, if other devices already use it (else None)."""
        norm = code_or_none(code)
        if norm is None or not clean_text(name, MAX_GROUP_CHARS):
            return None
        with self._tx() as conn:
            return claimed_by_other(conn, norm, group_key(name), device)

    def _by_token(self, conn: Connection, token: str) -> Submission | None:
        """The submission stored under a client token, or None."""
        row = conn.execute(sa.select(submissions).where(submissions.c.client_token == token)).mappings().first()
        return None if row is None else submission_from_row(row)
