"""Real downloads in a browser: the data page's CSV and every export of the Scenario page.

Each file is checked for what a user would open it with (CSV for Swedish Excel, XLSX, PNG, SVG,
PDF, HTML). Fixtures (``page``, ``scenario_downloads``, ``shot``) in conftest.py.
"""
from __future__ import annotations

import csv
import io
import re
import struct
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DOWNLOADS
from tests.e2e.pagehelpers import assert_no_exception, open_page
from ui.text.i18n import t

pytestmark = pytest.mark.e2e

METRIC = "[data-testid='stMetricValue']"


# ----------------------------------------------------------------- downloads


def _download(page: Any, button: Any) -> tuple[str, bytes]:
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    dl = info.value
    path = DOWNLOADS / dl.suggested_filename
    dl.save_as(str(path))
    return dl.suggested_filename, path.read_bytes()


def _download_button(page: Any, label: str) -> Any:
    return page.get_by_test_id("stDownloadButton").filter(
        has=page.get_by_text(label, exact=True)).first


def test_data_page_csv_download(page: Any, shot: Callable[..., Any]) -> None:
    open_page(page, "/data-och-metod")
    page.get_by_role("tab", name=t("data_page.tab.download", "sv")).click()
    label = t("data_page.download.kommun_inventory", "sv", kommun="Enköping")
    button = _download_button(page, label)
    expect(button).to_be_visible()
    shot(page)
    name, data = _download(page, button)
    assert name == "klimatvagar_utslapp_0381.csv"
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM so Swedish Excel reads å, ä, ö"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == t("data_page.col.year", "sv") and len(rows[0]) >= 10, rows[0]
    years = {r[0] for r in rows[1:]}
    assert {"1990", "2024"} <= years
    assert all(re.fullmatch(r"-?\d+(,\d+)?", v) for r in rows[1:] for v in r[1:] if v), "numbers, decimal comma"


def _check_csv(data: bytes) -> None:
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) > 5 and len(rows[0]) > 2, rows[:2]
    assert "2030" in text


def _check_xlsx(data: bytes) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert len(wb.sheetnames) >= 2, wb.sheetnames
    assert any(ws.max_row > 5 for ws in wb.worksheets)


def _check_png(data: bytes) -> None:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    assert w >= 400 and h >= 200, (w, h)


def _check_svg(data: bytes) -> None:
    assert b"<svg" in data[:2000] and b"</svg>" in data[-200:]


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert 1 <= len(reader.pages) <= 2
    assert "Enköping" in reader.pages[0].extract_text()


def _check_html(data: bytes) -> None:
    text = data.decode("utf-8")
    assert "<html" in text[:500].lower() and "Enköping" in text


SCENARIO_EXPORTS = [("export.csv", _check_csv), ("export.xlsx", _check_xlsx), ("export.png", _check_png),
                    ("export.svg", _check_svg), ("export.brief_pdf", _check_pdf), ("export.brief_html", _check_html)]


@pytest.mark.parametrize("key,check", SCENARIO_EXPORTS, ids=[k.split(".")[1] for k, _ in SCENARIO_EXPORTS])
def test_scenario_page_download(scenario_downloads: Any, key: str, check: Callable[[bytes], None],
                                shot: Callable[..., Any]) -> None:
    page = scenario_downloads
    label = t(key, "sv")
    assert label != key, f"no Swedish label for {key} in ui/text/locales"
    button = _download_button(page, label)
    # Waits for the lazy tab's buttons (up to the page timeout) and fails, naming the label, if absent.
    expect(button, f"the Scenario page has no download button {label!r}").to_be_visible()
    button.scroll_into_view_if_needed()
    shot(page)
    name, data = _download(page, button)
    assert name.startswith("klimatvagar-enkoping-2030"), name
    assert len(data) > 100, f"{name} is empty"
    check(data)
    assert_no_exception(page)
