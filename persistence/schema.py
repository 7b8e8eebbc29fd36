"""Workshop database schema: tables, migrations and the SQLite transaction hooks.

SQLAlchemy Core only (never imports Streamlit); :mod:`persistence.store` re-exports the public
names. SQLite (the embedded default) and PostgreSQL are supported.

* :func:`migrate` creates or migrates the tables inside the caller's write transaction: idempotent,
  and safe when several processes start at once (PostgreSQL advisory lock; SQLite write lock).
* :func:`configure_engine` makes SQLite transactional for DDL and takes the write lock up front
  (``BEGIN IMMEDIATE``) for write transactions, with WAL, foreign keys and a busy timeout.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from persistence.records import utcnow
from persistence.validation import CODE_LENGTH, MAX_GROUP_CHARS, MAX_NAME_CHARS

SCHEMA_VERSION = 3
_PG_LOCK_ID = 0x4B4C_5753  # "KLWS": pg_advisory_xact_lock key for schema migration

metadata = sa.MetaData()
schema_version_table = sa.Table(
    "workshop_schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)
workshops = sa.Table(
    "workshops", metadata,
    sa.Column("code", sa.String(CODE_LENGTH), primary_key=True),
    sa.Column("name", sa.String(MAX_NAME_CHARS), nullable=False),
    sa.Column("kommun", sa.String(8), nullable=False),
    sa.Column("target_json", sa.Text, nullable=False),
    sa.Column("policy", sa.String(32), nullable=False),
    sa.Column("horizon", sa.Integer, nullable=False),
    sa.Column("open_levers_json", sa.Text, nullable=False),
    sa.Column("base_levers_json", sa.Text, nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("model_version", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("key_kdf", sa.String(40), nullable=False),
    sa.Column("key_salt", sa.String(64), nullable=False),
    sa.Column("key_hash", sa.String(128), nullable=False),
    # The kommun's own measures the workshop started from (JSON list of model.measures.measure_to_dict; NULL: none).
    sa.Column("measures", sa.Text, nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed')", name="ck_workshops_status"),
)
submissions = sa.Table(
    "workshop_submissions", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("workshop_code", sa.String(CODE_LENGTH), sa.ForeignKey("workshops.code", ondelete="CASCADE"),
              nullable=False),
    sa.Column("group_name", sa.String(MAX_GROUP_CHARS), nullable=False),
    sa.Column("group_key", sa.String(4 * MAX_GROUP_CHARS), nullable=False),
    sa.Column("levers_json", sa.Text, nullable=False),
    sa.Column("client_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("archived", sa.Boolean, nullable=False, default=False),
    # Version 2: the participant's device (None for rows stored before it, or by API callers).
    sa.Column("device_token", sa.String(64), nullable=True),
    # Ids of the workshop's own measures the group kept (JSON list; NULL: stored before schema 3, none).
    sa.Column("measures_json", sa.Text, nullable=True),
    sa.UniqueConstraint("client_token", name="uq_workshop_submissions_token"),
    sa.Index("ix_workshop_submissions_group", "workshop_code", "group_key", "id"),
)
#: Version 2: a participant's unsent settings, one row per device (survives reloads and crashes).
drafts = sa.Table(
    "workshop_drafts", metadata,
    sa.Column("device_token", sa.String(64), primary_key=True),
    sa.Column("workshop_code", sa.String(CODE_LENGTH), sa.ForeignKey("workshops.code", ondelete="CASCADE"),
              nullable=False),
    sa.Column("group_name", sa.String(MAX_GROUP_CHARS), nullable=False),
    sa.Column("levers_json", sa.Text, nullable=False),
    sa.Column("client_token", sa.String(64), nullable=False),
    sa.Column("measures_json", sa.Text, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)


class SchemaTooNewError(RuntimeError):
    """The database was migrated by a newer version of the app."""


def workshop_query(code: str) -> sa.Select[Any]:
    """SELECT the workshop row with join code ``code`` (already normalised)."""
    return sa.select(workshops).where(workshops.c.code == code)


# --------------------------------------------------------------------------- SQLite setup
def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_begin(conn: Connection) -> None:
    """Take over BEGIN from the sqlite3 driver (transactional DDL, IMMEDIATE writes)."""
    fairy = conn.connection
    if not fairy.info.get("klimat_ws_ready"):
        dbapi = fairy.dbapi_connection
        # A connection checked out of the pool always holds its driver connection; None only after close.
        assert dbapi is not None
        dbapi.isolation_level = None  # the driver no longer emits BEGIN itself
        cur = dbapi.cursor()
        try:
            cur.execute("PRAGMA busy_timeout = 30000")
            cur.execute("PRAGMA foreign_keys = ON")
            mode = cur.execute("PRAGMA journal_mode").fetchone()
            if mode and str(mode[0]).lower() not in ("wal", "memory"):
                cur.execute("PRAGMA journal_mode = WAL")
        finally:
            cur.close()
        fairy.info["klimat_ws_ready"] = True
    write = conn.get_execution_options().get("klimat_ws_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def configure_engine(engine: Engine) -> Engine:
    """Install the SQLite transaction hooks on ``engine`` (once; a no-op for other databases)."""
    if _is_sqlite(engine) and not event.contains(engine, "begin", _sqlite_begin):
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def insert_ignore(conn: Connection, values: dict[str, Any]) -> Any:
    """INSERT … ON CONFLICT (client_token) DO NOTHING for SQLite and PostgreSQL."""
    name = conn.dialect.name
    # Any: the two dialects' Insert classes share on_conflict_do_nothing but no base class that declares it.
    stmt: Any
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        stmt = pg_insert(submissions)
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        stmt = sqlite_insert(submissions)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {name!r}")
    return (stmt.values(**values).on_conflict_do_nothing(index_elements=["client_token"])
            .returning(submissions.c.id))


# --------------------------------------------------------------------------- versions
def _max_version(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.max(schema_version_table.c.version))).scalar() or 0)


def read_schema_version(conn: Connection) -> int:
    """The schema version in the database (0 if none)."""
    if not sa.inspect(conn).has_table(schema_version_table.name):
        return 0
    return _max_version(conn)


def migrate(conn: Connection) -> int:
    """Create or migrate the tables in the caller's write transaction; returns the version now there.

    Raises
    ------
    SchemaTooNewError
        If the database was migrated by a newer version of the app.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
    schema_version_table.create(conn, checkfirst=True)
    current = _max_version(conn)
    if current > SCHEMA_VERSION:
        raise SchemaTooNewError(f"schema {current} > {SCHEMA_VERSION}")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        _MIGRATIONS[version](conn)
        conn.execute(sa.insert(schema_version_table).values(version=version, applied_at=utcnow()))
    return max(current, SCHEMA_VERSION)


def _migrate_1(conn: Connection) -> None:
    """Version 1: workshops and submissions (a fresh database gets the latest columns at once)."""
    workshops.create(conn, checkfirst=True)
    submissions.create(conn, checkfirst=True)


def _migrate_2(conn: Connection) -> None:
    """Version 2: the device of a submission, drafts, and group keys with confusable folding.

    Existing rows get the new key of their stored name (the key is derived data; the name is
    kept as typed), so groups that only differed by look-alike letters now share a row.
    """
    from model.workshop_names import name_key

    cols = {c["name"] for c in sa.inspect(conn).get_columns(submissions.name)}
    if "device_token" not in cols:
        conn.execute(sa.text("ALTER TABLE workshop_submissions ADD COLUMN device_token VARCHAR(64)"))
    drafts.create(conn, checkfirst=True)
    rows = conn.execute(sa.select(submissions.c.id, submissions.c.group_name, submissions.c.group_key)).all()
    for sid, name, old in rows:
        new = name_key(name)
        if new != old:
            conn.execute(sa.update(submissions).where(submissions.c.id == sid).values(group_key=new))


def _add_column(conn: Connection, table: sa.Table, name: str, ddl: str) -> None:
    """ALTER TABLE … ADD COLUMN unless the column is there (a fresh database already has it)."""
    if name not in {c["name"] for c in sa.inspect(conn).get_columns(table.name)}:
        conn.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {name} {ddl}"))


def _migrate_3(conn: Connection) -> None:
    """Version 3: own measures. A workshop keeps the measures it started from, a submission and a
    draft the ids of those the group kept. Existing rows get NULL (they had no own measures)."""
    _add_column(conn, workshops, "measures", "TEXT")
    _add_column(conn, submissions, "measures_json", "TEXT")
    _add_column(conn, drafts, "measures_json", "TEXT")


_MIGRATIONS = {1: _migrate_1, 2: _migrate_2, 3: _migrate_3}
