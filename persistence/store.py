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
* Lever values are validated with :func:`model.scenario_parse.check_lever_value`;
  only the workshop's open levers may differ from its base values.
* Facilitator keys are stored as salted scrypt hashes and compared with
  :func:`hmac.compare_digest`; closing, reopening, clearing and exporting need it.
* The schema is created or migrated by :meth:`WorkshopStore.ensure_schema`:
  idempotent, and safe when several processes start at once (PostgreSQL
  advisory lock; SQLite write lock).
* Only parameterised statements (Core expressions with bound values).

The store is split by responsibility; this module holds :class:`WorkshopStore` (engine,
transactions, schema, creating and finding workshops). Its facilitator's actions (key check,
close, reopen, clear) are the mixin :class:`persistence.facilitator.StoreFacilitator`, its group
submissions the mixin :class:`persistence.submit.StoreSubmit`, its reads, exports and drafts the
mixin :class:`persistence.queries.StoreReads`. It re-exports the public names of
:mod:`persistence.records` (records, row conversion), :mod:`persistence.schema` (tables,
migrations, SQLite hooks) and :mod:`persistence.validation` (names, codes, keys, lever checks), so
``from persistence.store import …`` keeps working for all of them.

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
from sqlalchemy.engine import Connection, Engine, RowMapping

from model.measures import MeasureError, OwnMeasure
from model.measures_parse import check_measure_list
from model.registry import Registry, load_registry
from model.run import MODEL_VERSION
from model.targets import TargetSpec
from persistence.drafts import Draft
from persistence.facilitator import StoreFacilitator
from persistence.guards import FILES, KEY_GUARD, KeyGuard, StoreFileChanged
from persistence.queries import StoreReads
from persistence.records import (
    STATUS_CLOSED,
    STATUS_OPEN,
    Submission,
    SubmitResult,
    Workshop,
    dumps,
    measures_json,
    utcnow,
    workshop_from_row,
)
from persistence.schema import (
    SCHEMA_VERSION,
    SchemaTooNewError,
    configure_engine,
    metadata,
    migrate,
    read_schema_version,
    schema_version_table,
    submissions,
    workshop_query,
    workshops,
)
from persistence.submit import StoreSubmit
from persistence.validation import (
    CODE_ALPHABET,
    CODE_LENGTH,
    KDF,
    MAX_GROUP_CHARS,
    MAX_KEY_CHARS,
    MAX_NAME_CHARS,
    WorkshopError,
    check_new_workshop,
    clean_text,
    code_or_none,
    group_key,
    group_name,
    hash_key,
    key_matches,
    new_code,
    new_device,
    new_key_columns,
    new_token,
    normalize_code,
    validate_levers,
    validate_measure_ids,
)

__all__ = [
    "CODE_ALPHABET", "CODE_LENGTH", "KDF", "MAX_GROUP_CHARS", "MAX_KEY_CHARS", "MAX_NAME_CHARS", "SCHEMA_VERSION",
    "STATUS_CLOSED", "STATUS_OPEN", "Draft", "KeyGuard", "SchemaTooNewError", "StoreFileChanged", "Submission",
    "SubmitResult", "Workshop", "WorkshopError", "WorkshopStore", "clean_text", "configure_engine", "group_key",
    "group_name", "hash_key", "metadata", "new_code", "new_device", "new_token", "normalize_code",
    "schema_version_table", "submissions", "validate_levers", "validate_measure_ids", "workshops",
]


class WorkshopStore(StoreFacilitator, StoreSubmit, StoreReads):
    """Workshop storage on a SQLAlchemy engine (thread-safe; share one per engine)."""

    def __init__(self, engine: Engine, registry: Registry | None = None, guard: KeyGuard | None = None) -> None:
        self.engine = configure_engine(engine)
        self.registry = registry or load_registry()
        self.guard = guard or KEY_GUARD
        db = engine.url.database if engine.dialect.name == "sqlite" else None
        #: The SQLite file, watched for deletion or replacement (None: PostgreSQL or in-memory).
        self.path = None if not db or db == ":memory:" or db.startswith("file:") else str(db)

    # ----- transactions
    @contextmanager
    def _tx(self, write: bool = False) -> Iterator[Connection]:
        """One transaction; a SQLite file that vanished or was replaced is refused before and after.

        A failed SQLite transaction empties the pool: a connection opened while the file was
        read-only (or missing its directory) stays read-only, so the next call opens a fresh one
        and the store recovers once the fault is gone.
        """
        if self.path:
            FILES.check(self.path)
        try:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(klimat_ws_write=True)
                with conn.begin():
                    yield conn
        except sa.exc.DBAPIError:
            if self.path:
                self.engine.dispose()
            raise
        if self.path:
            FILES.check(self.path)  # the file went away during the transaction: not acknowledged
            FILES.remember(self.path)

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
                        base_levers: Mapping[str, float] | None = None,
                        measures: Sequence[OwnMeasure] = ()) -> tuple[Workshop, str]:
        """Create a workshop; returns it and the facilitator key (shown once, stored only hashed).

        ``base_levers`` may be partial; missing levers take the kommun's defaults. ``measures`` are
        the kommun's own measures the groups start from (each group may keep or drop each one).

        Raises
        ------
        WorkshopError
            See :func:`persistence.validation.check_new_workshop`; ``bad_measures`` for more than
            the model allows or a repeated measure id.
        """
        clean, code_k, opened, base = check_new_workshop(self.registry, name, kommun, target, policy, horizon,
                                                         open_levers, base_levers)
        try:
            check_measure_list(measures)
        except MeasureError as exc:
            raise WorkshopError("bad_measures") from exc
        key, key_columns = new_key_columns()
        row = {"name": clean, "kommun": code_k, "target_json": dumps(asdict(target)), "policy": policy,
               "horizon": int(horizon), "open_levers_json": dumps(list(opened)),
               "base_levers_json": dumps(base), "status": STATUS_OPEN, "model_version": MODEL_VERSION,
               "created_at": utcnow(), "closed_at": None, "measures": measures_json(measures), **key_columns}
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

    def _find(self, code: Any) -> RowMapping | None:
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

    def _key_row(self, conn: Connection, code: str, key: str, *, lock: bool = False) -> RowMapping:
        """The workshop row if ``key`` is its facilitator key; WorkshopError otherwise."""
        q = workshop_query(code)
        row = conn.execute(q.with_for_update() if lock else q).mappings().first()
        if row is None:
            raise WorkshopError("not_found")
        if not key_matches(row, key):
            raise WorkshopError("bad_key")
        return row
