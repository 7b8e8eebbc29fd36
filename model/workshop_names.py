"""Group names: what is shown (as typed) and what is compared (normalised and confusable-folded).

Pure Python (never imports Streamlit or a database library). Two names are the same group when
their :func:`name_key` is equal: Unicode compatibility forms (NFKC), case (casefold), spacing,
invisible format characters (zero-width joiner, soft hyphen, variation selectors) and the common
Cyrillic and Greek look-alikes of Latin letters make no difference. The key is built from the
whole cleaned name, and a long key keeps a digest of its full text, so two long names that differ
only at the end never merge (``"㎯" * 27 + "A"`` and ``… + "B"``: NFKC turns each ㎯ into "mm²"
and a plain cut at 160 characters would drop the last letter).
"""
from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

#: Longest stored grouping key (the ``group_key`` column holds 160 characters).
MAX_KEY_CHARS = 160
_DIGEST_CHARS = 16

#: Cyrillic and Greek letters that look like Latin ones, after casefold (lower case).
#: Upper-case look-alikes are covered because casefold runs first (А -> а -> a).
_CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "ë", "з": "3", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "ï", "ј": "j", "һ": "h", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "ɡ": "g",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "n", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "y", "χ": "x", "ϲ": "c", "ϳ": "j",
}
_FOLD = str.maketrans(_CONFUSABLES)
#: Characters that render as nothing although Unicode does not class them as format characters.
_BLANKS = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x180E, 0x034F}


def _invisible(ch: str) -> bool:
    """True for characters that show nothing on their own (format, combining, blank fillers)."""
    cat = unicodedata.category(ch)
    code = ord(ch)
    return (cat in ("Cf", "Cc", "Mn", "Me", "Zs", "Zl", "Zp") or code in _BLANKS
            or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or ch.isspace())


def shows_nothing(name: Any) -> bool:
    """True when a name has no visible character (only spaces, invisible or combining marks)."""
    return not any(not _invisible(ch) for ch in str(name or ""))


def _fold(text: str) -> str:
    value = unicodedata.normalize("NFKC", text).casefold()
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cf"
                    and not (0xFE00 <= ord(ch) <= 0xFE0F) and ord(ch) not in _BLANKS)
    value = value.translate(_FOLD)
    # NFKC once more: folding may have produced a sequence with a composed form.
    return " ".join(unicodedata.normalize("NFKC", value).split())


def name_key(name: Any) -> str:
    """The comparison key of a group name (at most :data:`MAX_KEY_CHARS` characters).

    Parameters
    ----------
    name : Any
        A group name, cleaned for display (see :func:`persistence.validation.clean_text`).

    Returns
    -------
    str
        NFKC, casefolded, invisible characters removed, spaces collapsed, Cyrillic/Greek
        look-alikes folded to Latin. Longer keys are cut and end in ``~`` and a SHA-256
        digest of the whole key, so different names keep different keys.
    """
    key = _fold(str(name or ""))
    if len(key) <= MAX_KEY_CHARS:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:_DIGEST_CHARS]
    return key[:MAX_KEY_CHARS - _DIGEST_CHARS - 1] + "~" + digest
