"""Participants' drafts and group claims, on a connection inside the store's transaction.

Pure Python on SQLAlchemy Core (never imports Streamlit); :class:`persistence.store.WorkshopStore`
wraps these in transactions.

A draft is what a participant's device has on screen (group name, open lever values, the own
measures kept) and the
client token of that version of the settings. It is stored under the device token, which lives in
the participant's URL, so a reload, a dropped connection or a server crash loses nothing: the
new session reads the draft back, and because the token comes with it, a submission retried
after a crash finds the row it already wrote instead of writing a second one.
"""
from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from persistence.records import aware, dumps, ids_from_json, ids_json, utcnow
from persistence.schema import drafts, submissions
from persistence.validation import new_token


@dataclass(frozen=True)
class Draft:
    """A participant's unsent settings (``levers`` holds the open levers only)."""

    device: str
    workshop_code: str
    group_name: str
    levers: dict[str, float]
    token: str
    updated_at: _dt.datetime
    #: Ids of the workshop's own measures kept on screen (None: a draft from before schema 3, all kept).
    measures: tuple[str, ...] | None = None


def _upsert(conn: Connection, values: dict[str, Any]) -> Any:
    name = conn.dialect.name
    # Any: the two dialects' Insert classes share excluded/on_conflict_do_update but no base class that declares them.
    stmt: Any
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        stmt = pg_insert(drafts).values(**values)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        stmt = sqlite_insert(drafts).values(**values)
    update = {k: stmt.excluded[k] for k in values if k != "device_token"}
    return stmt.on_conflict_do_update(index_elements=["device_token"], set_=update)


def read_draft(conn: Connection, device: str) -> Draft | None:
    """The draft stored for ``device`` (None if there is none)."""
    row = conn.execute(sa.select(drafts).where(drafts.c.device_token == device)).mappings().first()
    if row is None:
        return None
    return Draft(device=row["device_token"], workshop_code=row["workshop_code"], group_name=row["group_name"],
                 levers={k: float(v) for k, v in json.loads(row["levers_json"]).items()},
                 token=row["client_token"], updated_at=aware(row["updated_at"]),
                 measures=None if row.get("measures_json") is None else ids_from_json(row["measures_json"]))


def write_draft(conn: Connection, device: str, code: str, group_name: str,
                levers: Mapping[str, float], measures: Sequence[str] = ()) -> Draft:
    """Store the device's settings; the token changes only when the settings do.

    The same settings saved again keep their token, so a retry of the same version is
    recognised; any change of name, lever or workshop gets a new token (a new submission).
    """
    old = read_draft(conn, device)
    levers = {k: float(v) for k, v in sorted(levers.items())}
    kept = tuple(measures)
    same = old is not None and (old.workshop_code, old.group_name, old.levers, old.measures) == (
        code, group_name, levers, kept)
    token = old.token if same and old is not None else new_token()
    now = utcnow()
    if not same:
        conn.execute(_upsert(conn, {"device_token": device, "workshop_code": code, "group_name": group_name,
                                    "levers_json": dumps(levers), "client_token": token,
                                    "updated_at": now, "measures_json": ids_json(kept)}))
    return Draft(device, code, group_name, levers, token, now if not same or old is None else old.updated_at,
                 kept)


def claimed_by_other(conn: Connection, code: str, gkey: str, device: str) -> str | None:
    """The name of group ``gkey`` if other devices submitted to it and ``device`` never did; else None.

    Rows without a device (stored before devices were recorded) count as another device.
    """
    s = submissions
    rows = conn.execute(sa.select(s.c.group_name, s.c.device_token).where(
        s.c.workshop_code == code, s.c.group_key == gkey, s.c.archived.is_(False)).order_by(s.c.id)).all()
    if not rows or any(dev == device for _, dev in rows):
        return None
    return str(rows[0][0])
