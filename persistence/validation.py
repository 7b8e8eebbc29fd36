"""Workshop input checks: user text, join codes, client tokens, facilitator keys and lever values.

Pure Python (no database, never imports Streamlit); used by :mod:`persistence.store`, which
re-exports the public names. Errors the user can fix raise :class:`WorkshopError` with an i18n key
(``workshop.error.<key>``).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from model.codec import default_state
from model.data import load_dataset
from model.kommuner import find_kommun
from model.registry import HORIZONS, POLICIES, Registry, load_registry
from model.scenario import ScenarioFileError
from model.scenario_parse import check_lever_value
from model.targets import TargetSpec
from model.workshop_names import name_key, shows_nothing

if TYPE_CHECKING:
    from sqlalchemy.engine import RowMapping

    from persistence.records import Workshop

#: Join-code alphabet without look-alikes (no I, L, O, 0, 1).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_NAME_CHARS = 80
MAX_GROUP_CHARS = 40
MAX_KEY_CHARS = 100
#: scrypt parameters (n, r, p): about 16 MiB and a few tens of ms per check.
KDF = ("scrypt", 2 ** 14, 8, 1)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}


class WorkshopError(ValueError):
    """A problem the user can fix; ``key`` is an i18n key under ``workshop.error.``."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key, self.params = key, params
        super().__init__(f"{key}: {params}" if params else key)


# --------------------------------------------------------------------------- names and codes
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
    """Grouping key of a group name (:func:`model.workshop_names.name_key` of the cleaned name).

    Case, width, spacing, invisible characters and Cyrillic/Greek look-alikes do not make a new
    group; two different long names never share a key.
    """
    return name_key(clean_text(name, MAX_GROUP_CHARS))


def group_name(text: Any) -> str:
    """A group name as typed, cleaned for display; WorkshopError if it is empty, invisible or too long.

    Raises
    ------
    WorkshopError
        ``group_empty`` (nothing visible: only spaces, invisible or combining characters) or
        ``group_too_long`` (more than :data:`MAX_GROUP_CHARS` characters; refused rather than
        cut, so two long names never merge into one group).
    """
    name = clean_text(text, 10 * MAX_GROUP_CHARS)
    if shows_nothing(name):
        raise WorkshopError("group_empty")
    if len(name) > MAX_GROUP_CHARS:
        raise WorkshopError("group_too_long", n=MAX_GROUP_CHARS)
    return name


def normalize_code(code: Any) -> str:
    """A join code as typed ("abc-d23 ", "ABCD23") -> "ABCD23"; WorkshopError if impossible."""
    raw = re.sub(r"[\s\-_.]", "", str(code or ""))[:2 * CODE_LENGTH].upper()
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        raise WorkshopError("bad_code")
    return raw


def code_or_none(code: Any) -> str | None:
    """:func:`normalize_code`, or None for a malformed code (for reads that answer "nothing")."""
    try:
        return normalize_code(code)
    except WorkshopError:
        return None


def new_code() -> str:
    """A random join code (31^6, about 887 million possibilities)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_token() -> str:
    """A client token for idempotent submission."""
    return secrets.token_hex(16)


def new_device() -> str:
    """A random device token (22 URL-safe characters, 128 bits): names a participant's draft."""
    return secrets.token_urlsafe(16)


def check_token(token: Any, key: str = "bad_token") -> str:
    """``token`` if it is a well-formed client or device token; WorkshopError(``key``) otherwise."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise WorkshopError(key)
    return token


# --------------------------------------------------------------------------- facilitator keys
def hash_key(key: str, salt: bytes, kdf: Sequence[Any] = KDF) -> bytes:
    """scrypt hash of a facilitator key."""
    name, n, r, p = kdf
    if name != "scrypt":
        raise ValueError(f"unknown kdf {name!r}")
    return hashlib.scrypt(str(key).strip().encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p),
                          maxmem=64 * 1024 * 1024, dklen=32)


def new_key_columns() -> tuple[str, dict[str, str]]:
    """A new facilitator key and the columns that store it (kdf, salt and hash; never the key)."""
    key = secrets.token_urlsafe(12)
    salt = secrets.token_bytes(16)
    return key, {"key_kdf": ":".join(map(str, KDF)), "key_salt": salt.hex(), "key_hash": hash_key(key, salt).hex()}


def key_matches(row: RowMapping, key: Any) -> bool:
    """True if ``key`` is the facilitator key stored in the workshop ``row`` (constant-time compare)."""
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_CHARS:
        return False
    try:
        name, n, r, p = str(row["key_kdf"]).split(":")
        digest = hash_key(key, bytes.fromhex(row["key_salt"]), (name, int(n), int(r), int(p)))
        return hmac.compare_digest(digest, bytes.fromhex(row["key_hash"]))
    except ValueError:
        return False


# --------------------------------------------------------------------------- levers and settings
def lever_value(reg: Registry, lid: str, value: Any) -> float:
    """:func:`model.scenario_parse.check_lever_value` raising ``WorkshopError("bad_lever_value")``."""
    try:
        checked = check_lever_value(reg, lid, value)
    except ScenarioFileError as exc:
        raise WorkshopError("bad_lever_value", lever=lid, value=str(value)[:40]) from exc
    lv = reg.lever(lid)
    # Within the registry's tolerance but off the grid (300.0001): stored on the grid, so the
    # slider that later shows it (the Scenario page via "Öppna") gets a value it accepts.
    snapped = lv.min + round((checked - lv.min) / lv.step) * lv.step
    return round(min(lv.max, max(lv.min, snapped)), 9)


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
        val = lever_value(reg, lid, value)
        if lid not in ws.open_levers and abs(val - out[lid]) > 1e-9:
            raise WorkshopError("lever_closed", lever=lid)
        out[lid] = val
    return out


def validate_measure_ids(ws: Workshop, ids: Any) -> tuple[str, ...]:
    """The workshop measures a group kept, in the workshop's order (duplicates dropped).

    Raises
    ------
    WorkshopError
        ``bad_measures`` (not a list of texts) or ``unknown_measure`` (an id the workshop does not have).
    """
    if isinstance(ids, (str, bytes)) or not isinstance(ids, Sequence | set | frozenset) or len(ids) > 200:
        raise WorkshopError("bad_measures")
    known = set(ws.measure_ids)
    for mid in ids:
        if not isinstance(mid, str):
            raise WorkshopError("bad_measures")
        if mid not in known:
            raise WorkshopError("unknown_measure", measure=mid[:40])
    kept = set(ids)
    return tuple(mid for mid in ws.measure_ids if mid in kept)


def check_new_workshop(reg: Registry, name: str, kommun: str, target: TargetSpec, policy: str, horizon: int,
                       open_levers: Sequence[str], base_levers: Mapping[str, float] | None,
                       ) -> tuple[str, str, tuple[str, ...], dict[str, float]]:
    """The settings of a new workshop, checked: (clean name, kommun code, open levers in registry
    order, every lever's base value with missing ones at the kommun's defaults).

    Raises
    ------
    WorkshopError
        ``name_empty``, ``bad_kommun``, ``bad_target``, ``unknown_lever``, ``no_open_levers``
        or ``bad_lever_value``.
    """
    clean = clean_text(name, MAX_NAME_CHARS)
    if shows_nothing(clean):
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
        raise WorkshopError("unknown_lever", lever=str(min(unknown))[:40])
    opened = tuple(lid for lid in reg.lever_ids if lid in wanted)
    if not opened:
        raise WorkshopError("no_open_levers")
    base = dict(default_state(code_k, reg=reg).levers)
    for lid, value in (base_levers or {}).items():
        if lid not in reg.lever_ids:
            raise WorkshopError("unknown_lever", lever=str(lid)[:40])
        base[lid] = lever_value(reg, lid, value)
    return clean, code_k, opened, base
