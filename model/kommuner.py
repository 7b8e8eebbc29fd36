"""Kommun look-up by SCB code or name (accent- and case-tolerant), with suggestions when unknown."""
from __future__ import annotations

import difflib
import unicodedata
from functools import lru_cache

from model.data import Dataset, Kommun, load_dataset


class UnknownKommunError(LookupError):
    """No kommun matches a code or name; ``suggestions`` lists the closest names."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query, self.suggestions = query, suggestions
        hint = ", ".join(suggestions) if suggestions else "–"
        super().__init__(f"Okänd kommun {query!r} (unknown kommun). Närmast: {hint}")


def _fold(text: str) -> str:
    """Case- and accent-insensitive key ("Enköping" == "enkoping")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(" kommun", "")


@lru_cache(maxsize=8)
def _name_indexes(ds: Dataset) -> tuple[dict[str, Kommun], dict[str, list[Kommun]]]:
    """Exact (casefolded) and accent-folded name -> kommun(s); built once per dataset."""
    exact = {k.name.casefold(): k for k in ds.kommuner}
    folded: dict[str, list[Kommun]] = {}
    for k in ds.kommuner:
        folded.setdefault(_fold(k.name), []).append(k)
    return exact, folded


def find_kommun(query: str | int, dataset: Dataset | None = None) -> Kommun:
    """Look a kommun up by SCB code ("0381", 381) or by name ("Enköping", "enkoping").

    Raises
    ------
    UnknownKommunError
        With the closest names when nothing matches.
    """
    ds = dataset or load_dataset()
    q = str(query).strip()
    if q.isdigit() and len(q) <= 4:
        code = q.zfill(4)
        try:
            return ds.kommuner[ds.index_of(code)]
        except KeyError:
            pass  # not a code: it may still be a name
    exact, folded = _name_indexes(ds)
    if q.casefold().removesuffix(" kommun") in exact:
        return exact[q.casefold().removesuffix(" kommun")]
    # Accent folding can merge names (Håbo/Habo): accept a folded match only when unique.
    hits = folded.get(_fold(q), [])
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise UnknownKommunError(q, [k.name for k in hits])
    close = difflib.get_close_matches(_fold(q), list(folded), n=5, cutoff=0.5)
    raise UnknownKommunError(q, [folded[c][0].name for c in close])
