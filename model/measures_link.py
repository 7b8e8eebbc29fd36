"""Own measures in a share link: the ``om`` field's text, and reading it back without raising.

:func:`encode_measures` writes ``"<version>.<base64url(zlib(JSON rows))>"``; :func:`decode_measures`
returns the valid measures and a :class:`model.measures.Notice` for everything it dropped.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

from model.measures import (
    LINK_VERSION,
    MAX_LINK_CHARS,
    MAX_LINK_JSON_BYTES,
    MAX_MEASURES,
    MeasureError,
    Notice,
    OwnMeasure,
    shown,
)
from model.measures_parse import check_measure_list, measure_from_dict
from model.registry import load_registry

_FIELDS = ("id", "name_sv", "name_en", "target", "unit", "effect", "start", "full", "shape", "actor",
           "cost", "uncertainty", "src_sv", "src_en", "url", "accessed", "assumption")


def encode_measures(measures: Sequence[OwnMeasure]) -> str:
    """Share-link text for measures: ``"<version>.<base64url(zlib(JSON rows))>"``; "" for none.

    Raises
    ------
    MeasureError
        ``too_many`` or ``link_too_long`` (the UI then offers the profile download).
    """
    if not measures:
        return ""
    check_measure_list(measures)
    rows = [[m.id, m.name_sv, m.name_en, m.stream if m.stream is not None else "@" + str(m.sector), m.unit,
             m.effect, m.start, m.full, m.shape, m.actor,
             list(m.cost_sek_per_t) if m.cost_sek_per_t else None, list(m.uncertainty),
             m.source.sv, m.source.en, m.source.url, m.source.accessed, m.source.assumption] for m in measures]
    data = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text = f"{LINK_VERSION}." + base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")
    if len(text) > MAX_LINK_CHARS:
        raise MeasureError("measures", len(text), "link_too_long", max=MAX_LINK_CHARS)
    return text


def _row_to_dict(row: Any) -> dict[str, Any]:
    if not isinstance(row, list) or len(row) != len(_FIELDS):
        raise MeasureError("measure", shown(row), "not_table")
    f = dict(zip(_FIELDS, row, strict=True))
    raw: dict[str, Any] = {"id": f["id"], "name": {"sv": f["name_sv"], "en": f["name_en"]}, "unit": f["unit"],
                           "effect": f["effect"], "start": f["start"], "full": f["full"], "shape": f["shape"],
                           "actor": f["actor"], "uncertainty": f["uncertainty"]}
    target = f["target"]
    if isinstance(target, str) and target.startswith("@"):
        raw["sector"] = target[1:]
    else:
        raw["stream"] = target
    if f["cost"] is not None:
        raw["cost_sek_per_t"] = f["cost"]
    src = {"sv": f["src_sv"], "en": f["src_en"], "assumption": f["assumption"]}
    src.update({k: f[k] for k in ("url", "accessed") if f[k] is not None})
    raw["source"] = src
    return raw


def _body(text: str) -> tuple[Any, Notice | None]:
    version, sep, body = text.partition(".")
    if not sep or not re.fullmatch(r"[0-9]{1,4}", version, re.ASCII):
        return None, Notice("measures.link_corrupt", {"reason": "format"})
    if int(version) != LINK_VERSION:
        return None, Notice("measures.link_version", {"version": version, "supported": LINK_VERSION})
    if not re.fullmatch(r"[A-Za-z0-9_-]+", body, re.ASCII):
        return None, Notice("measures.link_corrupt", {"reason": "characters"})
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, MAX_LINK_JSON_BYTES)
        if inflater.unconsumed_tail:
            return None, Notice("measures.link_too_long", {"max": MAX_LINK_JSON_BYTES})
        if not inflater.eof:
            return None, Notice("measures.link_corrupt", {"reason": "truncated"})
        return json.loads(data.decode("utf-8")), None
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError, RecursionError):
        return None, Notice("measures.link_corrupt", {"reason": "content"})


def decode_measures(text: Any, streams: Iterable[str] | None = None) -> tuple[list[OwnMeasure], list[Notice]]:
    """Measures from share-link text; never raises.

    Returns the valid measures and a notice for everything dropped: ``measures.link_corrupt``
    (``reason``), ``measures.link_version``, ``measures.link_too_long``, ``measures.too_many``
    (the first :data:`MAX_MEASURES` are kept), ``measures.invalid`` (``index``, ``field``,
    ``error_key``, ``value``) and ``measures.duplicate`` (``index``, ``id``).
    """
    if text is None or text == "":
        return [], []
    if not isinstance(text, str):
        return [], [Notice("measures.link_corrupt", {"reason": "format"})]
    if len(text) > MAX_LINK_CHARS:
        return [], [Notice("measures.link_too_long", {"max": MAX_LINK_CHARS})]
    rows, notice = _body(text)
    if notice is not None:
        return [], [notice]
    if not isinstance(rows, list):
        return [], [Notice("measures.link_corrupt", {"reason": "content"})]
    notices: list[Notice] = []
    if len(rows) > MAX_MEASURES:
        notices.append(Notice("measures.too_many", {"max": MAX_MEASURES, "count": len(rows)}))
        rows = rows[:MAX_MEASURES]
    stream_ids = tuple(streams) if streams is not None else load_registry().stream_ids
    out: list[OwnMeasure] = []
    for i, row in enumerate(rows):
        try:
            m = measure_from_dict(_row_to_dict(row), f"measure[{i}]", stream_ids)
        except MeasureError as exc:
            notices.append(Notice("measures.invalid", {"index": i, "field": exc.field, "error_key": exc.key,
                                                       "value": exc.params["value"]}))
            continue
        if any(o.id == m.id for o in out):
            notices.append(Notice("measures.duplicate", {"index": i, "id": m.id}))
            continue
        out.append(m)
    return out, notices
