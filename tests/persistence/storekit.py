"""Plain helpers of the workshop storage tests: the engine-factory type, injection strings and a
workshop maker. The fixtures (``engine_factory``, ``store``) live in tests/persistence/conftest.py."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from model.registry import load_registry
from model.targets import TargetSpec
from persistence.store import WorkshopStore

REG = load_registry()
OPEN = ("ev_cars", "car_traffic", "dh_fossil_free")
INJECTIONS = [
    "Robert'); DROP TABLE workshop_submissions;--",
    "<script>alert('x')</script>",
    "**fet** [länk](javascript:alert(1)) <img src=x onerror=alert(1)>",
    '=HYPERLINK("http://evil.example","klicka")',
    "%s %(x)s :param ? $1 \\' \"",
    "Grupp 🌍 Åsa & Örjan",
]

EngineFactory = Callable[[], sa.Engine]


def _create(store: WorkshopStore, **kw: Any) -> tuple[Any, str]:
    args: dict[str, Any] = {"name": "Enköping workshop", "kommun": "0381", "target": TargetSpec(),
                            "open_levers": OPEN}
    args.update(kw)
    return store.create_workshop(**args)
