"""Scenario files from hostile input: checks before and while the TOML text is parsed.

Any input whatever (binary, huge, nested thousands deep, 400-digit numbers) either becomes a raw
mapping or raises :class:`model.scenario.ScenarioFileError`: :func:`checked_toml` bounds the size,
refuses other encodings, scans the nesting before :mod:`tomllib` recurses into it and words tomllib's
own errors; :func:`mapping_depth` bounds a mapping that did not come from text.
:func:`model.scenario_parse.scenario_from_dict` validates what the mapping holds.
"""
from __future__ import annotations

import re
import tomllib
from typing import Any

from model.scenario import MAX_FILE_BYTES, ScenarioFileError

#: Tables and arrays a valid file nests: 3 (the file, [reasons], a lever's { sv, en }); deeper files are
#: refused before anything recurses into them.
MAX_DEPTH = 4
#: Nesting or dotted parts on one line that the text may show before it is parsed (see _text_nesting).
MAX_TEXT_NESTING = 32
_BOMS = {b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


def _text_nesting(text: str) -> int:
    """Deepest ``[``/``{`` nesting, or most dots on one line, outside strings and comments.

    tomllib recurses per nesting level and is quadratic in dotted-key length (20 000 dotted parts,
    40 kB, take 16 s), so a hostile file is refused on this single linear scan before it is parsed.
    """
    depth = worst = dots = i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            end = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(end)
            while j < n and not text.startswith(end, j) and (len(end) == 3 or text[j] != "\n"):
                j += 2 if c == '"' and text[j] == "\\" else 1
            i = j + len(end)
            continue
        if c == "#":
            i = n if (j := text.find("\n", i)) < 0 else j
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(depth - 1, 0)
        elif c == ".":
            dots += 1
        elif c == "\n":
            dots = 0
        worst = max(worst, depth, dots)
        i += 1
    return worst


def mapping_depth(raw: Any) -> int:
    """Nesting depth of tables and arrays, without recursion (a hostile file can nest thousands deep)."""
    deepest, todo = 0, [(raw, 0)]
    while todo:
        node, d = todo.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, d + 1)
            if deepest > MAX_DEPTH:
                return deepest
            todo.extend((c, d + 1) for c in (node.values() if isinstance(node, dict) else node))
    return deepest


def _toml_error(exc: tomllib.TOMLDecodeError) -> ScenarioFileError:
    # tomllib words its errors in English with the place at the end: "Invalid value (at line 3, column 9)".
    where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    line, column = (int(where[1]), int(where[2])) if where else ("?", "?")
    return ScenarioFileError("(fil)", str(exc), "syntax", line=line, column=column)


def checked_toml(text: str | bytes) -> dict[str, Any]:
    """Scenario TOML text as its raw mapping, checked before and while it is parsed.

    Parameters
    ----------
    text : str or bytes
        At most :data:`model.scenario.MAX_FILE_BYTES` bytes as UTF-8; a UTF-8 byte-order mark (as
        Windows editors write) is accepted.

    Returns
    -------
    dict
        The TOML document, not yet validated (:func:`model.scenario_parse.scenario_from_dict` does that).

    Raises
    ------
    ScenarioFileError
        The only exception, for any input: too big, not UTF-8, not TOML or nested too deep.
    """
    if isinstance(text, str):
        if len(text) > MAX_FILE_BYTES:  # every character is at least one byte: no need to encode it all
            raise ScenarioFileError("(fil)", f"> {MAX_FILE_BYTES} byte", "too_big", max=MAX_FILE_BYTES)
        data = text.encode("utf-8", errors="surrogatepass")
    elif isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
    else:
        raise ScenarioFileError("(fil)", type(text).__name__, "encoding")
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioFileError("(fil)", f"{len(data)} byte", "too_big", max=MAX_FILE_BYTES)
    if data[:2] in _BOMS:
        raise ScenarioFileError("(fil)", _BOMS[data[:2]], "encoding")
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioFileError("(fil)", data[max(0, exc.start - 4):exc.start + 4], "encoding") from exc
    if _text_nesting(text) > MAX_TEXT_NESTING:
        raise ScenarioFileError("(fil)", f"> {MAX_TEXT_NESTING}", "too_deep", max=MAX_DEPTH)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc) from exc
    except RecursionError as exc:  # tomllib recurses once per nested array or inline table
        raise ScenarioFileError("(fil)", f"> {MAX_DEPTH}", "too_deep", max=MAX_DEPTH) from exc
    except ValueError as exc:  # an integer past Python's 4 300-digit conversion limit
        raise ScenarioFileError("(fil)", str(exc)[:60], "syntax", line="?", column="?") from exc
    return raw
