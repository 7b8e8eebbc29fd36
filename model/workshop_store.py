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

Errors the user can fix raise :class:`WorkshopError` with an i18n key
(``workshop.error.<key>``); database failures propagate as SQLAlchemy errors
(the UI shows them as "the workshop database cannot be reached").
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from model.codec import default_state
from model.data import find_kommun, load_dataset
from model.registry import POLICIES, Registry, load_registry
from model.run import MODEL_VERSION
from model.scenario import HORIZONS, Scenario, ScenarioFileError, check_lever_value
from model.targets import TargetSpec

SCHEMA_VERSION = 1
#: Join-code alphabet without look-alikes (no I, L, O, 0, 1).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_NAME_CHARS = 80
MAX_GROUP_CHARS = 40
MAX_KEY_CHARS = 100
STATUS_OPEN, STATUS_CLOSED = "open", "closed"
#: scrypt parameters (n, r, p): about 16 MiB and a few tens of ms per check.
KDF = ("scrypt", 2 ** 14, 8, 1)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_PG_LOCK_ID = 0x4B4C_5753  # "KLWS": pg_advisory_xact_lock key for schema migration
_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}

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
    sa.UniqueConstraint("client_token", name="uq_workshop_submissions_token"),
    sa.Index("ix_workshop_submissions_group", "workshop_code", "group_key", "id"),
)


class WorkshopError(ValueError):
    """A problem the user can fix; ``key`` is an i18n key under ``workshop.error.``."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key, self.params = key, params
        super().__init__(f"{key}: {params}" if params else key)


class SchemaTooNewError(RuntimeError):
    """The database was migrated by a newer version of the app."""


@dataclass(frozen=True)
class Workshop:
    """One workshop as stored (no key material)."""

    code: str
    name: str
    kommun: str
    target: TargetSpec
    policy: str
    horizon: int
    open_levers: tuple[str, ...]
    base_levers: dict[str, float]
    status: str
    model_version: str
    created_at: _dt.datetime
    closed_at: _dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        """True while the workshop accepts submissions."""
        return self.status == STATUS_OPEN

    def scenario(self, levers: Mapping[str, float] | None = None, scenario_id: str = "workshop") -> Scenario:
        """A model scenario with the workshop's kommun, policy, horizon and target."""
        return Scenario(levers=dict(levers if levers is not None else self.base_levers), kommun=self.kommun,
                        national_policy=self.policy, horizon=self.horizon, target=self.target, id=scenario_id)


@dataclass(frozen=True)
class Submission:
    """One stored submission (``levers`` holds every lever)."""

    id: int
    workshop_code: str
    group_name: str
    group_key: str
    levers: dict[str, float]
    created_at: _dt.datetime
    client_token: str
    archived: bool = False


@dataclass(frozen=True)
class SubmitResult:
    """Outcome of :meth:`WorkshopStore.submit`; ``created`` is False for a repeated token."""

    submission: Submission
    created: bool
    group_count: int = field(default=1)


# --------------------------------------------------------------------------- pure helpers
def clean_text(text: Any, max_chars: int) -> str:
    """User text made safe to store: NFC, no control/format/bidi characters, one-spaced, cut to length."""
    value = unicodedata.normalize("NFC", "" if text is None else str(text))
    kept = []
    for ch in value:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r\v\f" or cat == "Zs":
            kept.append(" ")
        elif cat in ("Cc", "Cs", "Co", "Cn") or ord(ch) in _BIDI or (cat == "Cf" and ch != "\u200d"):
            continue
        else:
            kept.append(ch)
    return " ".join("".join(kept).split())[:max_chars].strip()


def group_key(name: str) -> str:
    """Grouping key of a group name: case and width differences do not make a new group."""
    return unicodedata.normalize("NFKC", clean_text(name, MAX_GROUP_CHARS)).casefold()[:4 * MAX_GROUP_CHARS]


def normalize_code(code: Any) -> str:
    """A join code as typed ("abc-d23 ", "ABCD23") -> "ABCD23"; WorkshopError if impossible."""
    raw = re.sub(r"[\s\-_.]", "", str(code or ""))[:2 * CODE_LENGTH].upper()
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        raise WorkshopError("bad_code")
    return raw


def new_code() -> str:
    """A random join code (31^6, about 887 million possibilities)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_token() -> str:
    """A client token for idempotent submission."""
    return secrets.token_hex(16)


def hash_key(key: str, salt: bytes, kdf: Sequence[Any] = KDF) -> bytes:
    """scrypt hash of a facilitator key."""
    name, n, r, p = kdf
    if name != "scrypt":
        raise ValueError(f"unknown kdf {name!r}")
    return hashlib.scrypt(str(key).strip().encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p),
                          maxmem=64 * 1024 * 1024, dklen=32)


def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _aware(value: Any) -> Any:
    if isinstance(value, _dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=_dt.timezone.utc)  # SQLite returns naive UTC
    return value


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def validate_levers(ws: Workshop, levers: Mapping[str, Any], reg: Registry | None = None) -> dict[str, float]:
    """Every lever for a submission: the workshop's base values with the submitted open levers.

    Raises
    ------
    WorkshopError
        ``bad_levers`` (not a mapping), ``unknown_lever``, ``bad_lever_value`` (outside the
        registry's range or step) or ``lever_closed`` (a closed lever differs from the base).
    """
    reg = reg or load_registry()
    if not isinstance(levers, Mapping) or len(levers) > len(reg.levers):
        raise WorkshopError("bad_levers")
    out = {lid: float(ws.base_levers[lid]) for lid in reg.lever_ids}
    for lid, value in levers.items():
        if not isinstance(lid, str) or lid not in reg.lever_ids:
            raise WorkshopError("unknown_lever", lever=str(lid)[:40])
        try:
            val = check_lever_value(reg, lid, value)
        except ScenarioFileError as exc:
            raise WorkshopError("bad_lever_value", lever=lid, value=str(value)[:40]) from exc
        if lid not in ws.open_levers and abs(val - out[lid]) > 1e-9:
            raise WorkshopError("lever_closed", lever=lid)
        out[lid] = val
    return out


# --------------------------------------------------------------------------- SQLite setup
def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_begin(conn: Connection) -> None:
    """Take over BEGIN from the sqlite3 driver (transactional DDL, IMMEDIATE writes)."""
    fairy = conn.connection
    if not fairy.info.get("klimat_ws_ready"):
        dbapi = fairy.dbapi_connection
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


# --------------------------------------------------------------------------- the store
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
            if not sa.inspect(conn).has_table(schema_version_table.name):
                return 0
            return int(conn.execute(sa.select(sa.func.max(schema_version_table.c.version))).scalar() or 0)

    def ensure_schema(self) -> int:
        """Create or migrate the tables; idempotent and safe under concurrent starts.

        Returns
        -------
        int
            The schema version now in the database.
        """
        with self._tx(write=True) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
            schema_version_table.create(conn, checkfirst=True)
            current = int(conn.execute(sa.select(sa.func.max(schema_version_table.c.version))).scalar() or 0)
            if current > SCHEMA_VERSION:
                raise SchemaTooNewError(f"schema {current} > {SCHEMA_VERSION}")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                _MIGRATIONS[version](conn)
                conn.execute(sa.insert(schema_version_table).values(version=version, applied_at=_utcnow()))
            return max(current, SCHEMA_VERSION)

    # ----- workshops
    def create_workshop(self, name: str, kommun: str, target: TargetSpec, policy: str = "current_law",
                        horizon: int = 2030, open_levers: Sequence[str] = (),
                        base_levers: Mapping[str, float] | None = None) -> tuple[Workshop, str]:
        """Create a workshop; returns it and the facilitator key (shown once, stored only hashed).

        ``base_levers`` may be partial; missing levers take the kommun's defaults.
        """
        reg = self.registry
        clean = clean_text(name, MAX_NAME_CHARS)
        if not clean:
            raise WorkshopError("name_empty")
        try:
            code_k = find_kommun(str(kommun)[:40]).code
        except LookupError as exc:
            raise WorkshopError("bad_kommun") from exc
        try:
            target.validate(load_dataset().inventory_years)
        except (ValueError, AttributeError) as exc:
            raise WorkshopError("bad_target") from exc
        if policy not in POLICIES or int(horizon) not in HORIZONS:
            raise WorkshopError("bad_target")
        wanted = set(open_levers)
        if unknown := wanted - set(reg.lever_ids):
            raise WorkshopError("unknown_lever", lever=str(sorted(unknown)[0])[:40])
        opened = tuple(lid for lid in reg.lever_ids if lid in wanted)
        if not opened:
            raise WorkshopError("no_open_levers")
        base = dict(default_state(code_k, reg=reg).levers)
        for lid, value in (base_levers or {}).items():
            if lid not in reg.lever_ids:
                raise WorkshopError("unknown_lever", lever=str(lid)[:40])
            try:
                base[lid] = check_lever_value(reg, lid, value)
            except ScenarioFileError as exc:
                raise WorkshopError("bad_lever_value", lever=lid, value=str(value)[:40]) from exc
        key = secrets.token_urlsafe(12)
        salt = secrets.token_bytes(16)
        row = {"name": clean, "kommun": code_k, "target_json": _dumps(asdict(target)), "policy": policy,
               "horizon": int(horizon), "open_levers_json": _dumps(list(opened)),
               "base_levers_json": _dumps(base), "status": STATUS_OPEN, "model_version": MODEL_VERSION,
               "created_at": _utcnow(), "closed_at": None, "key_kdf": ":".join(map(str, KDF)),
               "key_salt": salt.hex(), "key_hash": hash_key(key, salt).hex()}
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

    def get_workshop(self, code: str) -> Workshop | None:
        """The workshop with this join code, or None (also for a malformed code)."""
        try:
            code = normalize_code(code)
        except WorkshopError:
            return None
        with self._tx() as conn:
            row = conn.execute(sa.select(workshops).where(workshops.c.code == code)).mappings().first()
        return None if row is None else self._workshop(row)

    def _workshop(self, row: Mapping[str, Any]) -> Workshop:
        t = json.loads(row["target_json"])
        base = {k: float(v) for k, v in json.loads(row["base_levers_json"]).items()}
        for lid, value in default_state(row["kommun"], reg=self.registry).levers.items():
            base.setdefault(lid, value)  # a lever added to the registry after the workshop
        return Workshop(code=row["code"], name=row["name"], kommun=row["kommun"], target=TargetSpec(**t),
                        policy=row["policy"], horizon=int(row["horizon"]),
                        open_levers=tuple(json.loads(row["open_levers_json"])), base_levers=base,
                        status=row["status"], model_version=row["model_version"],
                        created_at=_aware(row["created_at"]), closed_at=_aware(row["closed_at"]))

    def _key_row(self, conn: Connection, code: str, key: str, *, lock: bool = False) -> Mapping[str, Any]:
        """The workshop row if ``key`` is its facilitator key; WorkshopError otherwise."""
        q = sa.select(workshops).where(workshops.c.code == code)
        row = conn.execute(q.with_for_update() if lock else q).mappings().first()
        if row is None:
            raise WorkshopError("not_found")
        if not _key_matches(row, key):
            raise WorkshopError("bad_key")
        return row

    def verify_key(self, code: str, key: str) -> bool:
        """True if ``key`` is the facilitator key of workshop ``code``."""
        try:
            code = normalize_code(code)
        except WorkshopError:
            return False
        with self._tx() as conn:
            row = conn.execute(sa.select(workshops).where(workshops.c.code == code)).mappings().first()
        return row is not None and _key_matches(row, key)

    def set_status(self, code: str, key: str, status: str) -> Workshop:
        """Close (``"closed"``) or reopen (``"open"``) a workshop; needs the facilitator key."""
        if status not in (STATUS_OPEN, STATUS_CLOSED):
            raise WorkshopError("bad_status")
        code = normalize_code(code)
        with self._tx(write=True) as conn:
            self._key_row(conn, code, key, lock=True)
            conn.execute(sa.update(workshops).where(workshops.c.code == code).values(
                status=status, closed_at=_utcnow() if status == STATUS_CLOSED else None))
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
        if not isinstance(token, str) or not _TOKEN.match(token):
            raise WorkshopError("bad_token")
        gkey = group_key(name)
        with self._tx(write=True) as conn:
            row = conn.execute(sa.select(workshops).where(workshops.c.code == code)
                               .with_for_update(read=True)).mappings().first()
            if row is None:
                raise WorkshopError("not_found")
            ws = self._workshop(row)
            existing = self._by_token(conn, token)
            if existing is None:
                if not ws.is_open:
                    raise WorkshopError("closed")
                values = validate_levers(ws, levers, self.registry)
                stmt = _insert_ignore(conn, {
                    "workshop_code": code, "group_name": name, "group_key": gkey,
                    "levers_json": _dumps(values), "client_token": token, "created_at": _utcnow(),
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
        return None if row is None else _submission(row)

    def latest(self, code: str) -> list[Submission]:
        """The latest submission of every group on the board (archived ones excluded), by group name."""
        try:
            code = normalize_code(code)
        except WorkshopError:
            return []
        s = submissions
        newest = (sa.select(sa.func.max(s.c.id).label("id"))
                  .where(s.c.workshop_code == code, s.c.archived.is_(False))
                  .group_by(s.c.group_key).subquery())
        q = sa.select(s).join(newest, s.c.id == newest.c.id).order_by(s.c.group_key)
        with self._tx() as conn:
            return [_submission(r) for r in conn.execute(q).mappings()]

    def history(self, code: str, group_name: str | None = None, *,
                include_archived: bool = False) -> list[Submission]:
        """Submissions in the order they arrived (one group's, or all)."""
        try:
            code = normalize_code(code)
        except WorkshopError:
            return []
        s = submissions
        q = sa.select(s).where(s.c.workshop_code == code)
        if group_name is not None:
            q = q.where(s.c.group_key == group_key(group_name))
        if not include_archived:
            q = q.where(s.c.archived.is_(False))
        with self._tx() as conn:
            return [_submission(r) for r in conn.execute(q.order_by(s.c.id)).mappings()]

    def counts(self, code: str) -> tuple[int, int]:
        """(groups on the board, submissions on the board)."""
        try:
            code = normalize_code(code)
        except WorkshopError:
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
        return self._workshop(row), [_submission(r) for r in rows]


def _key_matches(row: Mapping[str, Any], key: Any) -> bool:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_CHARS:
        return False
    try:
        name, n, r, p = str(row["key_kdf"]).split(":")
        digest = hash_key(key, bytes.fromhex(row["key_salt"]), (name, int(n), int(r), int(p)))
        return hmac.compare_digest(digest, bytes.fromhex(row["key_hash"]))
    except ValueError:
        return False


def _submission(row: Mapping[str, Any]) -> Submission:
    return Submission(id=int(row["id"]), workshop_code=row["workshop_code"], group_name=row["group_name"],
                      group_key=row["group_key"],
                      levers={k: float(v) for k, v in json.loads(row["levers_json"]).items()},
                      created_at=_aware(row["created_at"]), client_token=row["client_token"],
                      archived=bool(row["archived"]))


def _insert_ignore(conn: Connection, values: dict[str, Any]) -> Any:
    """INSERT … ON CONFLICT (client_token) DO NOTHING for SQLite and PostgreSQL."""
    name = conn.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {name!r}")
    return (insert(submissions).values(**values).on_conflict_do_nothing(index_elements=["client_token"])
            .returning(submissions.c.id))


def _migrate_1(conn: Connection) -> None:
    """Version 1: workshops and submissions."""
    workshops.create(conn, checkfirst=True)
    submissions.create(conn, checkfirst=True)


_MIGRATIONS = {1: _migrate_1}
