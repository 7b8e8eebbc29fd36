"""Workshop storage: workshops, join codes, facilitator keys and group submissions.

Pure Python on SQLAlchemy Core (never imports Streamlit). The UI hands in the
engine of ``st.connection("workshop", type="sql", url=...)``; tests pass
``sqlalchemy.create_engine`` directly. SQLite (the embedded default) and
PostgreSQL are supported and tested.

Guarantees
----------
* Nothing submitted is lost: every submission is a new row; "the latest counts"
  is a query (highest id per workshop and group), history stays. Clearing the
  board archives rows instead of deleting them; exports still contain them.
* No duplicates: each submission carries a client token (one per version of a
  group's settings) under a UNIQUE constraint; a retry or double click with the
  same token returns the stored row (``created=False``) and inserts nothing.
* A closed workshop refuses submissions. Submitting takes a shared lock on the
  workshop row (PostgreSQL ``FOR SHARE``; SQLite serialises writers with
  ``BEGIN IMMEDIATE``), so closing waits for submissions in flight and none
  slips in after the close.
* Lever values are validated with :func:`model.scenario.check_lever_value`;
  only the workshop's open levers may differ from its base values.
* Facilitator keys are stored as salted scrypt hashes and compared with
  :func:`hmac.compare_digest`; closing, reopening, clearing and exporting need it.
* The schema is created or migrated by :meth:`WorkshopStore.ensure_schema`:
  idempotent, and safe when several processes start at once (PostgreSQL
  advisory lock; SQLite write lock).
* Only parameterised statements (Core expressions with bound values).

The store is split by responsibility; this module holds :class:`WorkshopStore` and re-exports
the public names of :mod:`model.workshop_records` (records, row conversion),
:mod:`model.workshop_schema` (tables, migrations, SQLite hooks) and
:mod:`model.workshop_validation` (names, codes, keys, lever checks), so
``from model.workshop_store import …`` keeps working for all of them.

Errors the user can fix raise :class:`WorkshopError` with an i18n key
(``workshop.error.<key>``); database failures propagate as SQLAlchemy errors
(the UI shows them as "the workshop database cannot be reached").
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from model.registry import Registry, load_registry
from model.run import MODEL_VERSION
from model.targets import TargetSpec
from model.workshop_records import (STATUS_CLOSED, STATUS_OPEN, Submission, SubmitResult, Workshop, dumps,
                                    submission_from_row, utcnow, workshop_from_row)
from model.workshop_schema import (SCHEMA_VERSION, SchemaTooNewError, configure_engine, insert_ignore, metadata,
                                   migrate, read_schema_version, schema_version_table, submissions,
                                   workshop_query, workshops)
from model.workshop_validation import (CODE_ALPHABET, CODE_LENGTH, KDF, MAX_GROUP_CHARS, MAX_KEY_CHARS,
                                       MAX_NAME_CHARS, TOKEN_RE, WorkshopError, check_new_workshop, clean_text,
                                       code_or_none, group_key, hash_key, key_matches, new_code, new_key_columns,
                                       new_token, normalize_code, validate_levers)

__all__ = [
    "CODE_ALPHABET", "CODE_LENGTH", "KDF", "MAX_GROUP_CHARS", "MAX_KEY_CHARS", "MAX_NAME_CHARS", "SCHEMA_VERSION",
    "STATUS_CLOSED", "STATUS_OPEN", "SchemaTooNewError", "Submission", "SubmitResult", "Workshop",
    "WorkshopError", "WorkshopStore", "clean_text", "configure_engine", "group_key", "hash_key", "metadata",
    "new_code", "new_token", "normalize_code", "schema_version_table", "submissions", "validate_levers",
    "workshops",
]


class WorkshopStore:
    """Workshop storage on a SQLAlchemy engine (thread-safe; share one per engine)."""

    def __init__(self, engine: Engine, registry: Registry | None = None) -> None:
        self.engine = configure_engine(engine)
        self.registry = registry or load_registry()

    # ----- transactions
    @contextmanager
    def _tx(self, write: bool = False) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if write:
                conn.execution_options(klimat_ws_write=True)
            with conn.begin():
                yield conn

    # ----- schema
    def schema_version(self) -> int:
        """The schema version in the database (0 if none)."""
        with self._tx() as conn:
            return read_schema_version(conn)

    def ensure_schema(self) -> int:
        """Create or migrate the tables; idempotent and safe under concurrent starts.

        Returns
        -------
        int
            The schema version now in the database.
        """
        with self._tx(write=True) as conn:
            return migrate(conn)

    # ----- workshops
    def create_workshop(self, name: str, kommun: str, target: TargetSpec, policy: str = "current_law",
                        horizon: int = 2030, open_levers: Sequence[str] = (),
                        base_levers: Mapping[str, float] | None = None) -> tuple[Workshop, str]:
        """Create a workshop; returns it and the facilitator key (shown once, stored only hashed).

        ``base_levers`` may be partial; missing levers take the kommun's defaults.
        """
        clean, code_k, opened, base = check_new_workshop(self.registry, name, kommun, target, policy, horizon,
                                                         open_levers, base_levers)
        key, key_columns = new_key_columns()
        row = {"name": clean, "kommun": code_k, "target_json": dumps(asdict(target)), "policy": policy,
               "horizon": int(horizon), "open_levers_json": dumps(list(opened)),
               "base_levers_json": dumps(base), "status": STATUS_OPEN, "model_version": MODEL_VERSION,
               "created_at": utcnow(), "closed_at": None, **key_columns}
        for _ in range(20):
            code = new_code()
            with self._tx(write=True) as conn:
                if conn.execute(sa.select(workshops.c.code).where(workshops.c.code == code)).first():
                    continue
                conn.execute(sa.insert(workshops).values(code=code, **row))
            ws = self.get_workshop(code)
            assert ws is not None
            return ws, key
        raise RuntimeError("no free join code after 20 tries")  # pragma: no cover - 887M codes

    def _find(self, code: Any) -> Mapping[str, Any] | None:
        """The workshop row for a join code as typed, or None (also for a malformed code)."""
        code = code_or_none(code)
        if code is None:
            return None
        with self._tx() as conn:
            return conn.execute(workshop_query(code)).mappings().first()

    def get_workshop(self, code: str) -> Workshop | None:
        """The workshop with this join code, or None (also for a malformed code)."""
        row = self._find(code)
        return None if row is None else workshop_from_row(row, self.registry)

    def _key_row(self, conn: Connection, code: str, key: str, *, lock: bool = False) -> Mapping[str, Any]:
        """The workshop row if ``key`` is its facilitator key; WorkshopError otherwise."""
        q = workshop_query(code)
        row = conn.execute(q.with_for_update() if lock else q).mappings().first()
        if row is None:
            raise WorkshopError("not_found")
        if not key_matches(row, key):
            raise WorkshopError("bad_key")
        return row

    def verify_key(self, code: str, key: str) -> bool:
        """True if ``key`` is the facilitator key of workshop ``code``."""
        row = self._find(code)
        return row is not None and key_matches(row, key)

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

    # ----- submissions
    def submit(self, code: str, group_name: str, levers: Mapping[str, Any], token: str) -> SubmitResult:
        """Store a group's settings (idempotent per ``token``).

        Raises
        ------
        WorkshopError
            ``bad_code``, ``not_found``, ``closed``, ``group_empty``, ``bad_token``,
            ``token_reused`` or a lever error (see :func:`validate_levers`).
        """
        code = normalize_code(code)
        name = clean_text(group_name, MAX_GROUP_CHARS)
        if not name:
            raise WorkshopError("group_empty")
        if not isinstance(token, str) or not TOKEN_RE.match(token):
            raise WorkshopError("bad_token")
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
                stmt = insert_ignore(conn, {
                    "workshop_code": code, "group_name": name, "group_key": gkey,
                    "levers_json": dumps(values), "client_token": token, "created_at": utcnow(),
                    "archived": False})
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

    def _by_token(self, conn: Connection, token: str) -> Submission | None:
        row = conn.execute(sa.select(submissions).where(submissions.c.client_token == token)).mappings().first()
        return None if row is None else submission_from_row(row)

    def latest(self, code: str) -> list[Submission]:
        """The latest submission of every group on the board (archived ones excluded), by group name."""
        code = code_or_none(code)
        if code is None:
            return []
        s = submissions
        newest = (sa.select(sa.func.max(s.c.id).label("id"))
                  .where(s.c.workshop_code == code, s.c.archived.is_(False))
                  .group_by(s.c.group_key).subquery())
        q = sa.select(s).join(newest, s.c.id == newest.c.id).order_by(s.c.group_key)
        with self._tx() as conn:
            return [submission_from_row(r) for r in conn.execute(q).mappings()]

    def history(self, code: str, group_name: str | None = None, *,
                include_archived: bool = False) -> list[Submission]:
        """Submissions in the order they arrived (one group's, or all)."""
        code = code_or_none(code)
        if code is None:
            return []
        s = submissions
        q = sa.select(s).where(s.c.workshop_code == code)
        if group_name is not None:
            q = q.where(s.c.group_key == group_key(group_name))
        if not include_archived:
            q = q.where(s.c.archived.is_(False))
        with self._tx() as conn:
            return [submission_from_row(r) for r in conn.execute(q.order_by(s.c.id)).mappings()]

    def counts(self, code: str) -> tuple[int, int]:
        """(groups on the board, submissions on the board)."""
        code = code_or_none(code)
        if code is None:
            return 0, 0
        s = submissions
        q = sa.select(sa.func.count(sa.distinct(s.c.group_key)), sa.func.count()).where(
            s.c.workshop_code == code, s.c.archived.is_(False))
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
