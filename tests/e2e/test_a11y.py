"""Accessibility in a real browser: axe-core on every page, levers by keyboard alone, ``<html lang>``.

axe-core is pinned in tests/e2e/package-lock.json (``npm ci --prefix tests/e2e``) and injected
with ``page.add_script_tag``. Every page is scanned with axe's default rules (WCAG 2.0–2.2 A/AA
and best practices); violations with impact "serious" or "critical" fail the test, and all of
them, by impact, are printed at the end of the run and saved to ``test-artifacts/a11y.json``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.pagehelpers import APP_TIMEOUT_MS, assert_no_exception, open_page, url_params, wait_for_app
from ui.text.i18n import t

pytestmark = pytest.mark.e2e

IMPACTS = ("critical", "serious", "moderate", "minor")
FAILING = ("critical", "serious")
METRIC = "[data-testid='stMetricValue']"

_AXE_RUN = """async () => {
    const r = await axe.run(document, {resultTypes: ['violations']});
    return {version: axe.version, violations: r.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags, nodes: v.nodes.length,
        targets: v.nodes.slice(0, 8).map(n => n.target.join(' ')),
        html: v.nodes.slice(0, 3).map(n => n.html.slice(0, 200)),
        summary: v.nodes.length ? v.nodes[0].failureSummary.slice(0, 300) : ''}))};
}"""


def wait_for_page_css(page: Any) -> None:
    """The app's page-wide CSS has applied and the script has finished, so axe sees the final colours.

    The CSS (ui/style.py: caption contrast) arrives with the first run's elements; on a loaded machine a
    scan could start before it applied, or while a rerun fades the page, and report Streamlit's default grey.
    """
    wait_for_app(page)
    page.wait_for_function(
        "(() => { const c = document.querySelector(\"[data-testid='stCaptionContainer']\");"
        " return !c || getComputedStyle(c).color === 'rgb(77, 85, 99)'; })()", timeout=30_000)


def wait_for_charts(page: Any) -> None:
    """Every Vega chart has drawn (axe should see the rendered SVG, not an empty container)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stVegaLiteChart']\")]"
        ".every(e => e.querySelector('svg.marks, canvas'))", timeout=APP_TIMEOUT_MS)


def _prepare_compare(page: Any) -> None:
    """Two scenarios, so the chart and the tables are on the page too."""
    from ui.scenario.levers import presets

    page.locator(".st-key-cmp_add_current").get_by_role("button", name=t("compare.add_current", "sv")).click()
    wait_for_app(page)
    name = presets()["klimatkontrakt"].name["sv"]
    page.locator(".st-key-cmp_add_preset_klimatkontrakt").get_by_role("button", name=name).click()
    wait_for_app(page)
    expect(page.locator("[class*='st-key-cmp_rm_']")).to_have_count(2)


def _prepare_optimiser(page: Any) -> None:
    """Run the optimiser once, so its results are scanned as well."""
    page.locator(".st-key-opt_run").get_by_role("button").click()
    wait_for_app(page)
    page.locator(".st-key-opt_apply").wait_for(timeout=APP_TIMEOUT_MS)


#: (report name, address, what to do before the scan).
PAGES: list[tuple[str, str, Callable[[Any], None] | None]] = [
    (t("page.scenario", "sv"), "/", lambda p: p.locator(METRIC).first.wait_for()),
    (t("page.compare", "sv"), "/compare", _prepare_compare),
    (t("page.uncertainty", "sv"), "/uncertainty", None),
    (t("page.what_it_takes", "sv"), "/what-it-takes", _prepare_optimiser),
    (t("page.workshop", "sv"), "/ws", None),
    (t("page.data_method", "sv"), "/data-och-metod", None),
    (t("page.followup", "sv"), "/uppfoljning", None),
]


def run_axe(page: Any, axe_script: Any) -> dict[str, Any]:
    """Inject axe-core and return its violations, summarised."""
    page.add_script_tag(path=str(axe_script))
    raw = page.evaluate(_AXE_RUN)
    violations = sorted(raw["violations"], key=lambda v: (IMPACTS.index(v["impact"] or "minor"), v["id"]))
    by_impact = {imp: sum(1 for v in violations if v["impact"] == imp) for imp in IMPACTS}
    return {"url": page.url, "axe": raw["version"], "by_impact": by_impact, "violations": violations}


@pytest.mark.parametrize("name,path,prepare", PAGES, ids=[p[1].strip("/") or "scenario" for p in PAGES])
def test_page_has_no_serious_axe_violations(page: Any, axe_script: Any, a11y_results: dict[str, Any],
                                            shot: Callable[..., Any], name: str, path: str,
                                            prepare: Callable[[Any], None] | None) -> None:
    open_page(page, path)
    if prepare:
        prepare(page)
    wait_for_charts(page)
    assert_no_exception(page)
    wait_for_page_css(page)
    shot(page)
    result = run_axe(page, axe_script)
    a11y_results[name] = result
    bad = [v for v in result["violations"] if v["impact"] in FAILING]
    assert not bad, f"{name}: " + "; ".join(
        f"[{v['impact']}] {v['id']} on {v['nodes']} element(s), e.g. {v['html'][0] if v['html'] else ''} "
        f"({v['summary'][:160]})" for v in bad)


# ----------------------------------------------------------------- keyboard only


def test_levers_work_by_keyboard_alone(page: Any, shot: Callable[..., Any]) -> None:
    """Tab from the top of the page to the first lever, then arrow keys and End change it."""
    open_page(page, "/", METRIC)
    page.locator("body").focus()
    active = "document.activeElement"
    page.keyboard.press("Tab")
    if page.evaluate(f"{active}.matches('a[href=\"#stMain\"]')"):
        page.keyboard.press("Enter")  # Streamlit's skip link: straight to the main content
    for presses in range(1, 120):  # noqa: B007 - the count is printed after the loop
        if page.evaluate(f"{active}.matches(\"input[type='range']\")"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("no lever slider is reachable with Tab")
    label = page.evaluate(f"{active}.getAttribute('aria-label')")
    start = float(page.evaluate(f"{active}.value"))
    step = float(page.evaluate(f"{active}.step") or 1)
    page.keyboard.press("ArrowRight")
    wait_for_app(page)
    assert page.evaluate(f"{active}.matches(\"input[type='range']\")"), "focus stays on the lever after the rerun"
    assert page.evaluate(f"{active}.getAttribute('aria-label')") == label
    assert float(page.evaluate(f"{active}.value")) == pytest.approx(start + step)
    before = url_params(page.url)
    page.keyboard.press("End")
    wait_for_app(page)
    top = float(page.evaluate(f"{active}.max"))
    assert float(page.evaluate(f"{active}.value")) == pytest.approx(top)
    assert url_params(page.url) != before, "the new value reaches the share link"
    shot(page)
    print(f"keyboard: {presses} Tab presses to the first lever ({label})")


# ----------------------------------------------------------------- <html lang>


def _html_lang(page: Any) -> str:
    return str(page.evaluate("document.documentElement.lang"))


def test_html_lang_follows_the_language(page: Any, new_context: Callable[..., Any],
                                        shot: Callable[..., Any]) -> None:
    """lang="sv" for the Swedish interface, "en" for English: from the link and after switching.

    Streamlit's index.html says ``<html lang="en">`` whatever the content (streamlit#15726);
    ``asgi.py`` (``serving/html_lang.py``) rewrites it per request and keeps it in step with the
    language switch.
    """
    response = page.goto("/")
    wait_for_app(page)
    assert 'lang="sv"' in response.text()[:2000], "the server sends Swedish for a link without lang"
    assert _html_lang(page) == "sv"
    page.get_by_test_id("stSidebar").get_by_role("radio", name="EN", exact=True).click()
    wait_for_app(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "switched-en")
    page.get_by_test_id("stTopNavLink").filter(has_text=t("page.data_method", "en")).first.click()
    wait_for_app(page)
    assert _html_lang(page) == "en", "a page switch keeps the language"
    page.get_by_test_id("stSidebar").get_by_role("radio", name="SV", exact=True).click()
    wait_for_app(page)
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    english = new_context().new_page()
    response = english.goto("/?lang=en")
    wait_for_app(english)
    assert 'lang="en"' in response.text()[:2000], "an English link is English from the first byte"
    assert _html_lang(english) == "en"
    expect(english.get_by_test_id("stMetricLabel").first).to_contain_text(t("results.metric.net", "en", year=2030))
    shot(english, "link-en")
