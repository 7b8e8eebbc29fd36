"""Workshop records: what :class:`persistence.store.WorkshopStore` hands out, and row conversion.

Pure Python on SQLAlchemy rows (never imports Streamlit); :mod:`persistence.store` re-exports the public names.
"""
from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import RowMapping

from model.codec import default_state
from model.measures import OwnMeasure, measure_to_dict
from model.measures_parse import measure_from_dict
from model.registry import Registry
from model.scenario import Scenario
from model.targets import TargetSpec

STATUS_OPEN, STATUS_CLOSED = "open", "closed"


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
    #: The kommun's own measures the workshop started from; each group keeps or drops each one.
    measures: tuple[OwnMeasure, ...] = ()

    @property
    def is_open(self) -> bool:
        """True while the workshop accepts submissions."""
        return self.status == STATUS_OPEN

    @property
    def measure_ids(self) -> tuple[str, ...]:
        """Ids of the workshop's own measures, in the facilitator's order."""
        return tuple(m.id for m in self.measures)

    def kept_measures(self, ids: Iterable[str] | None = None) -> tuple[OwnMeasure, ...]:
        """The workshop's measures whose ids are in ``ids`` (None: all of them), in the workshop's order."""
        if ids is None:
            return self.measures
        wanted = set(ids)
        return tuple(m for m in self.measures if m.id in wanted)

    def scenario(self, levers: Mapping[str, float] | None = None, scenario_id: str = "workshop",
                 measure_ids: Iterable[str] | None = None) -> Scenario:
        """A model scenario with the workshop's kommun, policy, horizon, target and the kept measures."""
        return Scenario(levers=dict(levers if levers is not None else self.base_levers), kommun=self.kommun,
                        national_policy=self.policy, horizon=self.horizon, target=self.target, id=scenario_id,
                        measures=self.kept_measures(measure_ids))


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
    #: Ids of the workshop's own measures this group kept (a subset of ``Workshop.measure_ids``).
    measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubmitResult:
    """Outcome of :meth:`WorkshopStore.submit`; ``created`` is False for a repeated token."""

    submission: Submission
    created: bool
    group_count: int = field(default=1)


# --------------------------------------------------------------------------- row conversion
def utcnow() -> _dt.datetime:
    """The current time, timezone-aware UTC (every stored timestamp)."""
    return _dt.datetime.now(_dt.UTC)


def aware(value: Any) -> Any:
    """A timestamp read back from the database, made timezone-aware (SQLite returns naive UTC)."""
    if isinstance(value, _dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=_dt.UTC)
    return value


def dumps(value: Any) -> str:
    """Canonical JSON for a stored column (sorted keys, UTF-8, no NaN)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def measures_json(measures: Iterable[OwnMeasure]) -> str | None:
    """The ``workshops.measures`` column: a JSON list of measure mappings (None when there are none)."""
    rows = [measure_to_dict(m) for m in measures]
    return dumps(rows) if rows else None


def measures_from_json(text: str | None, registry: Registry) -> tuple[OwnMeasure, ...]:
    """Measures from the ``workshops.measures`` column (validated again: the model may have changed)."""
    if not text:
        return ()
    return tuple(measure_from_dict(raw, f"measure[{i}]", registry.stream_ids)
                 for i, raw in enumerate(json.loads(text)))


def ids_json(ids: Iterable[str]) -> str:
    """A submission's or draft's kept measure ids as stored (JSON list)."""
    return dumps(list(ids))


def ids_from_json(text: str | None) -> tuple[str, ...]:
    """Kept measure ids as stored (NULL, from before schema 3: none)."""
    return tuple(str(x) for x in json.loads(text)) if text else ()


def workshop_from_row(row: RowMapping, registry: Registry) -> Workshop:
    """A :class:`Workshop` from its ``workshops`` row (levers added to the registry later get defaults)."""
    t = json.loads(row["target_json"])
    base = {k: float(v) for k, v in json.loads(row["base_levers_json"]).items()}
    for lid, value in default_state(row["kommun"], reg=registry).levers.items():
        base.setdefault(lid, value)  # a lever added to the registry after the workshop
    return Workshop(code=row["code"], name=row["name"], kommun=row["kommun"], target=TargetSpec(**t),
                    policy=row["policy"], horizon=int(row["horizon"]),
                    open_levers=tuple(json.loads(row["open_levers_json"])), base_levers=base,
                    status=row["status"], model_version=row["model_version"],
                    created_at=aware(row["created_at"]), closed_at=aware(row["closed_at"]),
                    measures=measures_from_json(row.get("measures"), registry))


def submission_from_row(row: RowMapping) -> Submission:
    """A :class:`Submission` from its ``workshop_submissions`` row."""
    return Submission(id=int(row["id"]), workshop_code=row["workshop_code"], group_name=row["group_name"],
                      group_key=row["group_key"],
                      levers={k: float(v) for k, v in json.loads(row["levers_json"]).items()},
                      created_at=aware(row["created_at"]), client_token=row["client_token"],
                      archived=bool(row["archived"]), measures=ids_from_json(row.get("measures_json")))
