"""Translation lookup for the dashboard (Swedish default, English optional).

Catalogs live in ``ui/text/locales/<lang>.toml``. Nested tables and quoted dotted keys are
both flattened to dotted keys, so ``[sector] transport = "…"`` and
``"sector.transport" = "…"`` are the same key. Templates use ``str.format`` fields:
``t("headline.net", "sv", year=2030)``.

Design choices (see notes/streamlit-1.67.md §7):

* No ``gettext.install()``: it is process-global and every Streamlit session shares
  the process. Callers pass the session's language explicitly.
* No function called ``_``: Streamlit code often rebinds ``_`` (``_, col, _ = st.columns(3)``).
* Lookups never raise: chosen language → Swedish → the key itself. A bad or missing
  format argument returns the unformatted template rather than crashing a page.
* Stable ASCII ids (``sector.transport``) are used in the model, URLs and widget options;
  translation happens only at display time.
"""

from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from model.registry import ACTORS, POLICIES
from model.target_defs import TARGET_IDS as _MODEL_TARGET_IDS

LOCALES_DIR = Path(__file__).with_name("locales")
DEFAULT_LANG = "sv"
SUPPORTED_LANGS: tuple[str, ...] = ("sv", "en")

# SMHI main-sector names (Nationella emissionsdatabasen, as in data/*.csv) → catalog ids.
SMHI_SECTOR_IDS: dict[str, str] = {
    "Transporter": "transport",
    "Jordbruk": "agriculture",
    "Arbetsmaskiner": "machinery",
    "Produktanvändning (inkl. lösningsmedel)": "product_use",
    "Avfall (inkl.avlopp)": "waste",
    "Egen uppvärmning av bostäder och lokaler": "heating",
    "El och fjärrvärme": "electricity_heat",
    "Industri (energi + processer)": "industry",
    "Utrikes transporter": "international_transport",
}
# Not an SMHI sector: removals are reported separately from gross emissions.
REMOVALS_ID = "removals"
SECTOR_IDS: tuple[str, ...] = (*SMHI_SECTOR_IDS.values(), REMOVALS_ID)

# Actor and national fuel-policy ids: the registry's [model] table (one home).
ACTOR_IDS: tuple[str, ...] = ACTORS
POLICY_IDS: tuple[str, ...] = POLICIES
# Target ids: the model's own list (one home), in the order the sidebar offers them.
TARGET_IDS: tuple[str, ...] = _MODEL_TARGET_IDS


def _squash(name: str) -> str:
    # SMHI spells "inkl.avlopp" without a space while other sources add one; compare
    # names without whitespace or case so both spellings resolve.
    return "".join(name.split()).casefold()


_SECTOR_LOOKUP: dict[str, str] = {_squash(k): v for k, v in SMHI_SECTOR_IDS.items()}
_SECTOR_LOOKUP.update({_squash(v): v for v in SECTOR_IDS})
_SECTOR_LOOKUP.update({_squash("Upptag"): REMOVALS_ID, _squash("Removals"): REMOVALS_ID})


def normalize_lang(lang: str | None) -> str:
    """Return a supported language code for any user/browser value.

    Parameters
    ----------
    lang : str or None
        e.g. "sv", "SV", "sv-SE", "en_GB", "EN". None or unknown → Swedish.

    Returns
    -------
    str
        "sv" or "en".
    """
    code = (lang or DEFAULT_LANG).replace("_", "-").split("-")[0].strip().lower()
    return code if code in SUPPORTED_LANGS else DEFAULT_LANG


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, full + "."))
        else:
            flat[full] = str(value)
    return flat


@functools.cache
def catalog(lang: str) -> Mapping[str, str]:
    """Parsed, flattened catalog for one language (cached for the process lifetime).

    Parameters
    ----------
    lang : str
        Language code; normalised with :func:`normalize_lang`.

    Returns
    -------
    Mapping[str, str]
        Dotted key → template. Empty if the file is missing or unreadable, so the
        translator degrades to the fallback chain instead of crashing the app.
    """
    code = normalize_lang(lang)
    # The main catalog plus per-feature catalogs "<feature>.<lang>.toml", so each page's
    # strings live next to each other and pages can be translated independently.
    flat: dict[str, str] = {}
    for path in [LOCALES_DIR / f"{code}.toml", *sorted(LOCALES_DIR.glob(f"*.{code}.toml"))]:
        try:
            with path.open("rb") as fh:
                flat.update(_flatten(tomllib.load(fh)))
        except (OSError, tomllib.TOMLDecodeError):
            continue
    # Read-only view: the cached dict is shared by every session in the process.
    return MappingProxyType(flat)


def clear_cache() -> None:
    """Drop cached catalogs and translators (after editing a .toml in development)."""
    catalog.cache_clear()
    translator.cache_clear()


class _KeepMissing(dict):
    """Format mapping that leaves unknown ``{fields}`` visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def placeholders(template: str) -> set[str]:
    """Names of the ``{fields}`` in a template (used by the catalog parity test).

    Parameters
    ----------
    template : str
        A catalog string.

    Returns
    -------
    set[str]
        Field names, e.g. ``{"year"}`` for ``"Nettoutsläpp {year}"``.
    """
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name}
    except ValueError:
        return set()


def t(key: str, lang: str | None = DEFAULT_LANG, **kwargs: Any) -> str:
    """Translate a catalog key.

    Parameters
    ----------
    key : str
        Dotted catalog key, e.g. "page.scenario".
    lang : str or None, default "sv"
        Language; unknown values fall back to Swedish.
    **kwargs
        Values for ``{fields}`` in the template. Format numbers with ``ui.text.fmt`` first
        so they carry the right separators and units.

    Returns
    -------
    str
        The translated text; the Swedish text if the key is missing in ``lang``; the key
        itself if it is missing everywhere. Never raises.
    """
    template = catalog(normalize_lang(lang)).get(key)
    if template is None:
        template = catalog(DEFAULT_LANG).get(key, key)
    if not kwargs:
        return template
    try:
        return template.format_map(_KeepMissing(kwargs))
    except (ValueError, IndexError, KeyError, AttributeError, TypeError):
        return template


def tn(key: str, n: int, lang: str | None = DEFAULT_LANG, **kwargs: Any) -> str:
    """Translate a countable phrase: ``<key>.one`` when ``n`` is 1, else ``<key>.other``.

    Swedish and English both have these two forms ("1 rad", "2 rader"). ``n`` is passed to the
    template as ``{n}`` (formatted by the caller when it needs a thousands separator).
    """
    form = "one" if n == 1 else "other"
    return t(f"{key}.{form}", lang, **{"n": n, **kwargs})


@functools.cache
def translator(lang: str | None) -> Callable[..., str]:
    """Return ``translate(key, **kwargs) -> str`` bound to one language.

    Parameters
    ----------
    lang : str or None
        Language of the session.

    Returns
    -------
    Callable[..., str]
        A function with the same fallback rules as :func:`t`. Cached per language, so
        it is cheap to call on every rerun.
    """
    code = normalize_lang(lang)

    def translate(key: str, **kwargs: Any) -> str:
        return t(key, code, **kwargs)

    translate.__doc__ = f"Translate a catalog key into {code!r} (see ui.text.i18n.t)."
    return translate


def sector_id(smhi_name: str) -> str | None:
    """Catalog id for an SMHI sector name, a sector id, or "Upptag".

    Parameters
    ----------
    smhi_name : str
        e.g. "Avfall (inkl.avlopp)" (spacing and case are ignored) or "waste".

    Returns
    -------
    str or None
        e.g. "waste"; None for unknown names.
    """
    return _SECTOR_LOOKUP.get(_squash(str(smhi_name)))


def sector_label(smhi_name: str, lang: str | None = DEFAULT_LANG, *, short: bool = False) -> str:
    """Display name of an SMHI sector.

    Parameters
    ----------
    smhi_name : str
        SMHI sector name as in the data files (or a sector id, or "Upptag").
    lang : str or None, default "sv"
        Language.
    short : bool, default False
        Use the short form meant for legends and narrow axes.

    Returns
    -------
    str
        Translated name; unknown names are returned unchanged.
    """
    sid = sector_id(smhi_name)
    if sid is None:
        return str(smhi_name)
    return t(f"{'sector_short' if short else 'sector'}.{sid}", lang)


def _id_label(prefix: str, ids: tuple[str, ...], value: str, lang: str | None) -> str:
    return t(f"{prefix}.{value}", lang) if value in ids else str(value)


def actor_label(actor: str, lang: str | None = DEFAULT_LANG) -> str:
    """Display name of an actor.

    Parameters
    ----------
    actor : str
        One of ``ACTOR_IDS`` ("kommun", "state_eu", "business", "residents").
    lang : str or None, default "sv"

    Returns
    -------
    str
        e.g. "Kommunen" / "The municipality"; unknown ids are returned unchanged.
    """
    return _id_label("actor", ACTOR_IDS, actor, lang)


def target_label(target: str, lang: str | None = DEFAULT_LANG) -> str:
    """Display name of a target definition.

    Parameters
    ----------
    target : str
        One of ``TARGET_IDS`` (e.g. "klimatneutral_2030").
    lang : str or None, default "sv"

    Returns
    -------
    str
        e.g. "Klimatneutralt 2030"; unknown ids are returned unchanged. The longer
        explanation is under ``target_desc.<id>`` (placeholders differ per target).
    """
    return _id_label("target", TARGET_IDS, target, lang)


def policy_label(policy: str, lang: str | None = DEFAULT_LANG) -> str:
    """Display name of a national reduktionsplikt scenario.

    Parameters
    ----------
    policy : str
        One of ``POLICY_IDS`` (the ``[policy.*]`` ids in model/registry.toml).
    lang : str or None, default "sv"

    Returns
    -------
    str
        e.g. "Gällande lag (6 %)"; unknown ids are returned unchanged.
    """
    return _id_label("policy.reduktionsplikt", POLICY_IDS, policy, lang)
