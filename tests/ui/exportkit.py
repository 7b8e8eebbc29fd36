"""Shared pieces of the export tests: one scenario run, its share link and its brief, PNG and PDF readers."""
from __future__ import annotations

import datetime as dt
import io
import struct
from pathlib import Path
from urllib.parse import urlencode

from model.codec import LinkState, encode
from model.run import ScenarioResult

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 29)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _url(result: ScenarioResult, lang: str = "sv") -> str:
    sc = result.scenario
    state = LinkState(result.kommun.code, lang, sc.national_policy, sc.horizon, sc.target,
                      dict(result.lever_values))
    return "https://klimatvagar.example.se/?" + urlencode(encode(state))


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def _flat(text: str) -> str:
    """Whitespace-normalised text (NBSP and line breaks become single spaces)."""
    return " ".join(text.replace("\u00a0", " ").split())


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


