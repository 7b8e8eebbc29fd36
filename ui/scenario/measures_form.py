"""The own-measure form's logic: its draft, the mapping the model validates, errors, callbacks.

Widgets are drawn by :mod:`ui.scenario.measures`; this module holds what they write and read.
Form widgets have language-neutral keys (``om.f.<field>``); choice widgets with translated option
labels get a key per language (``om.f.target.sv``, see ui/state/settings.py) and are seeded from the draft,
so an edit survives a language switch. Validation is the model's
(:func:`model.measures_parse.measure_from_dict`): its error names a field, the message goes under that
field in the user's language, and nothing changes on an error.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from model.data import SECTORS
from model.measures import MeasureError, OwnMeasure
from model.measures_parse import first_year, measure_from_dict
from model.profiles import ProfileError, load_profile, profile_to_toml, with_measures
from model.profiles_parse import profile_from_text
from model.registry import RAMP_SHAPES, load_registry
from ui import state
from ui.notices import message_params
from ui.render import safe_text
from ui.text.fmt import fmt_number
from ui.text.i18n import ACTOR_IDS, actor_label, sector_label, t

F = "om.f."
EDITING, ERROR, MSG, UPLOAD_N = "_om_editing", "_om_error", "_om_msg", "_om_upload_n"
#: Streamlit's smallest per-widget upload limit (whole MB); the real bound is the profile's 64 KiB.
MAX_UPLOAD_MB = 1
#: Form defaults: a measure starting after the last inventory year and in full effect by 2030
#: (the dashboard's default horizon); the user sets both.
DEFAULT_FULL = 2030
#: Form fields whose value does not depend on the language (text and number inputs, a checkbox).
PLAIN = ("name_sv", "name_en", "effect", "start", "full", "cost_lo", "cost_hi", "unc_lo", "unc_hi",
         "src_sv", "src_en", "url", "assumption")
#: Choice fields: option ids whose labels are translated (keyed per language).
CHOICES = ("target", "unit", "shape", "actor")


def _targets() -> list[str]:
    """Option ids of "acts on": a stream id, or "@" + an SMHI sector for the whole sector."""
    return [s.id for s in load_registry().streams] + ["@" + s for s in SECTORS]


def options(field: str) -> list[str]:
    return {"target": _targets(), "unit": ["t", "pct"], "shape": list(RAMP_SHAPES),
            "actor": list(ACTOR_IDS)}[field]


def _target_label(opt: str, lang: str) -> str:
    if opt.startswith("@"):
        return t("measures.target_label.sector", lang, sector=sector_label(opt[1:], lang))
    sector = next(s.sector for s in load_registry().streams if s.id == opt)
    return t("measures.target_label.stream", lang, sector=sector_label(sector, lang),
             stream=t(f"measures.stream.{opt}", lang))


def choice_label(field: str, opt: str, lang: str) -> str:
    if field == "target":
        return _target_label(opt, lang)
    if field == "unit":
        return t(f"measures.unit.{opt}", lang)
    if field == "shape":
        return t(f"data_page.ramp.{opt}", lang)
    return actor_label(opt, lang)


def widget_key(field: str, lang: str) -> str:
    return f"{F}{field}.{lang}" if field in CHOICES else F + field


# ------------------------------------------------------------------ the draft (form values)
def defaults() -> dict[str, Any]:
    return {"name_sv": "", "name_en": "", "target": _targets()[0], "unit": "t", "effect": "",
            "start": first_year() + 1, "full": DEFAULT_FULL, "shape": "linear", "actor": "kommun",
            "cost_lo": "", "cost_hi": "", "unc_lo": 100.0, "unc_hi": 100.0, "src_sv": "", "src_en": "",
            "url": "", "assumption": False}


def _draft_of(m: OwnMeasure) -> dict[str, Any]:
    cost = m.cost_sek_per_t
    return {"name_sv": m.name_sv, "name_en": "" if m.name_en == m.name_sv else m.name_en,
            "target": m.stream if m.stream is not None else "@" + str(m.sector), "unit": m.unit,
            "effect": _num_text(m.effect), "start": m.start, "full": m.full,
            "shape": m.shape, "actor": m.actor,
            "cost_lo": "" if cost is None else _num_text(cost[0]),
            "cost_hi": "" if cost is None else _num_text(cost[1]),
            "unc_lo": round(m.uncertainty[0] * 100, 6), "unc_hi": round(m.uncertainty[1] * 100, 6),
            "src_sv": m.source.sv, "src_en": "" if m.source.en == m.source.sv else m.source.en,
            "url": m.source.url or "", "assumption": m.source.assumption}


def _seed_form(draft: dict[str, Any]) -> None:
    """Put a draft into the form's widgets (every language's choice keys, so a switch keeps it)."""
    state.remember("_om_draft", dict(draft))
    for f in PLAIN:
        state.remember(F + f, draft[f])
    for f in CHOICES:
        for lg in ("sv", "en"):
            state.remember(widget_key(f, lg), draft[f])


def _form_values(lang: str) -> dict[str, Any]:
    out = {f: state.recall(F + f) for f in PLAIN}
    out.update({f: state.recall(widget_key(f, lang)) for f in CHOICES})
    return out


def _slug(name: str, taken: set[str]) -> str:
    """A measure id from its name ("Biogas i Örsundsbro" -> "biogas-i-orsundsbro"), unique in ``taken``."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:28] or "atgard"
    mid, n = base, 2
    while mid in taken:
        mid, n = f"{base}-{n}", n + 1
    return mid


def measure_raw(values: dict[str, Any], measure_id: str) -> dict[str, Any]:
    """The form's values as the mapping :func:`model.measures_parse.measure_from_dict` validates.

    One name or one source text is enough: the other language gets the same text. Percent fields
    of the uncertainty become shares of the effect; empty cost fields mean "not known". Effect and
    cost are typed as text, so "5 000" and "12,5" work as a Swedish user writes them (a browser's
    number field shows and takes a decimal point only).
    """
    name_sv = str(values.get("name_sv") or "").strip()
    name_en = str(values.get("name_en") or "").strip() or name_sv
    src_sv = str(values.get("src_sv") or "").strip()
    src_en = str(values.get("src_en") or "").strip() or src_sv
    target = str(values.get("target") or "")
    raw: dict[str, Any] = {"id": measure_id, "name": {"sv": name_sv, "en": name_en}, "unit": values.get("unit"),
                           "effect": _parse_number(values.get("effect")), "start": _int(values.get("start")),
                           "full": _int(values.get("full")), "shape": values.get("shape"),
                           "actor": values.get("actor")}
    raw["sector" if target.startswith("@") else "stream"] = target[1:] if target.startswith("@") else target
    lo, hi = _parse_number(values.get("cost_lo")), _parse_number(values.get("cost_hi"))
    if lo is not None or hi is not None:
        raw["cost_sek_per_t"] = [lo if lo is not None else hi, hi if hi is not None else lo]
    unc = [values.get("unc_lo"), values.get("unc_hi")]
    raw["uncertainty"] = [u / 100.0 if isinstance(u, (int, float)) else u for u in unc]
    source: dict[str, Any] = {"sv": src_sv, "en": src_en}
    if values.get("url"):
        source["url"] = str(values["url"]).strip()
    if values.get("assumption"):
        source["assumption"] = True
    raw["source"] = source
    return raw


def _num_text(x: float) -> str:
    # Plain digits (no thousands separator) so the text field reads back in either language.
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _parse_number(text: Any) -> Any:
    """A typed number ("1 234,5", "1,234.5", "800") as float; "" as None; anything else as typed.

    The text is returned unchanged when it is no number, so the model's validation names it.
    """
    raw = str(text or "").strip().replace("\u00a0", "").replace(" ", "")
    if not raw:
        return None
    if "," in raw and "." in raw:
        raw = raw.replace(",", "")  # English thousands separator
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return str(text)[:40]


def _int(x: Any) -> Any:
    return int(x) if isinstance(x, float) and x.is_integer() else x


#: Which form field an error's path points at ("measure.source.url" -> "url").
_FIELD_OF = {"name": "name_sv", "name.sv": "name_sv", "name.en": "name_en", "stream": "target", "sector": "target",
             "unit": "unit", "effect": "effect", "start": "start", "full": "full", "shape": "shape",
             "actor": "actor", "cost_sek_per_t": "cost_hi", "uncertainty": "unc_hi", "source": "src_sv",
             "source.sv": "src_sv", "source.en": "src_en", "source.url": "url", "source.accessed": "src_sv",
             "source.assumption": "assumption", "id": "name_sv"}
_LABEL_OF = {"cost_hi": "cost", "unc_hi": "unc", "name_sv": "name", "src_sv": "source"}


def error_slot(exc: MeasureError) -> str:
    """The form field a validation error belongs to ("form" for the list as a whole)."""
    path = exc.field.split(".", 1)[1] if "." in exc.field else ""
    return _FIELD_OF.get(path, "form")


def _typed(slot: str, values: dict[str, Any]) -> Any:
    """What the user typed in a form field (the model's value may be converted: shares, pairs)."""
    if slot == "cost_hi":
        return [_parse_number(values.get("cost_lo")), _parse_number(values.get("cost_hi"))]
    if slot == "unc_hi":
        return [values.get("unc_lo"), values.get("unc_hi")]
    return _parse_number(values.get(slot)) if slot == "effect" else values.get(slot)


def typed_text(value: Any, slot: str, lang: str) -> str:
    """A typed value for an error message, in the language's number format ("150", "2 500,5")."""
    if isinstance(value, list):
        return "–".join(typed_text(v, slot, lang) for v in value)
    if value is None or value == "":
        return t("measures.editor.empty", lang)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"”{value}”" if lang == "sv" else f"“{value}”"
    if slot in ("start", "full"):
        return str(int(value))
    return fmt_number(value, 0 if float(value).is_integer() else 2, lang)


def error_text(key: str, params: dict[str, Any], lang: str, slot: str = "form") -> str:
    """A model error (``measure.*``/``profile.*`` key and parameters) as one sentence in ``lang``."""
    p = message_params({k: v for k, v in params.items() if k != "typed"}, lang)
    if "typed" in params:
        p["value"] = safe_text(typed_text(params["typed"], slot, lang))
    if lang == "en" and "allowed_en" in params:
        p["allowed"] = safe_text(params["allowed_en"])
    allowed = t(key, lang, **p)
    if key.startswith("profile."):
        return t("measures.profile.error", lang, file=p.get("file", ""), field=p.get("field", ""),
                 value=p.get("value", ""), allowed=allowed)
    if slot == "form":
        return t("measures.error.form", lang, allowed=allowed)
    label = t(f"measures.field.{_LABEL_OF.get(slot, slot)}", lang)
    return t("measures.error.field", lang, field=label, value=p.get("value", ""), allowed=allowed)


# ------------------------------------------------------------------ callbacks
def submit(lang: str) -> None:
    values = _form_values(lang)
    editing = state.recall(EDITING)
    taken = {m.id for m in state.measures() if m.id != editing}
    mid = editing if editing else _slug(str(values.get("name_sv") or ""), taken)
    try:
        m = measure_from_dict(measure_raw(values, mid), "measure")
        state.upsert_measure(m, editing)
    except MeasureError as exc:
        slot = error_slot(exc)
        params = dict(exc.params)
        if slot != "form":
            params["typed"] = _typed(slot, values)
        state.remember(ERROR, {"slot": slot, "key": exc.key, "params": params})
        state.remember("_om_draft", values)
        return
    state.forget(ERROR)
    state.remember(MSG, ("measures.editor.saved" if editing else "measures.editor.added", {"name": m.name(lang)}))
    state.forget(EDITING)
    _seed_form(defaults())


def cancel() -> None:
    state.forget(EDITING)
    state.forget(ERROR)
    _seed_form(defaults())


def edit(measure_id: str) -> None:
    m = next((x for x in state.measures() if x.id == measure_id), None)
    if m is not None:
        state.remember(EDITING, m.id)
        state.forget(ERROR)
        _seed_form(_draft_of(m))


def remove(measure_id: str, lang: str) -> None:
    m = next((x for x in state.measures() if x.id == measure_id), None)
    state.remove_measure(measure_id)
    if state.recall(EDITING) == measure_id:
        cancel()
    if m is not None:
        state.remember(MSG, ("measures.editor.removed", {"name": m.name(lang)}))


def toggle_profile(key: str, m: OwnMeasure) -> None:
    try:
        if state.recall(key):
            state.upsert_measure(m)
        else:
            state.remove_measure(m.id)
    except MeasureError as exc:
        state.remember(key, False)
        state.remember(ERROR, {"slot": "form", "key": exc.key, "params": dict(exc.params)})


def profile_download(code: str) -> bytes:
    """The kommun's profile with the own measures in force, as the TOML a user downloads (UTF-8)."""
    return profile_to_toml(with_measures(load_profile(code), state.measures())).encode("utf-8")


def upload(key: str, lang: str) -> None:
    f = state.recall(key)
    if f is None:
        return
    state.remember(UPLOAD_N, state.recall(UPLOAD_N, 0) + 1)  # a fresh, empty uploader on the next run
    try:
        profile = profile_from_text(f.getvalue(), str(f.name)[:80], state.get("kommun"))
        state.set_measures(profile.measures)
    except ProfileError as exc:
        state.remember(ERROR, {"slot": "file", "key": exc.key, "params": dict(exc.params)})
        return
    except MeasureError as exc:  # the file is valid but its measures do not fit in a share link
        state.remember(ERROR, {"slot": "file", "key": exc.key, "params": dict(exc.params)})
        return
    state.forget(ERROR)
    state.remember(MSG, ("measures.profile.uploaded", {"name": str(f.name)[:80], "n": len(profile.measures)}))
