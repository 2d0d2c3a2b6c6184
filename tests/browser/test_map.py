"""The partner-regions map in Chromium with every non-app request blocked: shapes drawn, no request
leaves the app, a click on a country filters the table beside the map."""

from __future__ import annotations

import re

import pytest

from dashboard.loading import load_csv_tables
from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser

COUNTRY_PATHS = ".js-plotly-plot .geo path.choroplethlocation"
HANGUL = re.compile(r"[\uac00-\ud7a3]")

#: A point inside the filled shape of `iso` (scanning its bounding box from the bottom, away from
#: the hub marker in Hanoi), in page coordinates; the path itself sits under Plotly's drag layer,
#: so the click goes to the point, as a user's would.
POINT_IN_COUNTRY = """(iso) => {
  const path = Array.from(document.querySelectorAll('.js-plotly-plot .geo path.choroplethlocation'))
    .find(p => p.__data__ && p.__data__.loc === iso);
  if (!path) return null;
  const box = path.getBBox(), svg = path.ownerSVGElement, matrix = path.getScreenCTM();
  for (let j = 11; j > 0; j--) for (let i = 1; i < 12; i++) {
    const pt = svg.createSVGPoint();
    pt.x = box.x + box.width * i / 12; pt.y = box.y + box.height * j / 12;
    if (path.isPointInFill(pt)) { const s = pt.matrixTransform(matrix); return {x: s.x, y: s.y}; }
  }
  return null;
}"""

TABLE_CODES = """() => Array.from(document.querySelectorAll("[data-testid='stDataFrame']"))[0]
    .querySelectorAll('tbody tr').length ? Array.from(document.querySelectorAll("[data-testid='stDataFrame']")[0]
    .querySelectorAll('tbody tr')).map(r => r.querySelector('td') && r.querySelector('td').innerText) : []"""


def table_codes_once(page, condition: str) -> list[str]:
    """The table's country codes once the JavaScript `condition` over `codes` holds: the grid
    redraws a moment after the caption above it, so reading it at once can see the old rows."""
    page.wait_for_function(f"() => {{ const codes = ({TABLE_CODES})(); return {condition}; }}",
                           timeout=30_000)
    return page.evaluate(TABLE_CODES)


@pytest.fixture(scope="module")
def partner_count() -> int:
    countries = load_csv_tables(reference_only=True)["countries"]
    return int((~countries["is_origin"].astype(bool)).sum())


def open_regions(page, server: str, query: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 1700})
    page.goto(f"{server}/regions?{query}")
    wait_for_app(page)
    page.wait_for_selector(COUNTRY_PATHS, timeout=45_000)
    page.wait_for_timeout(500)


def legend_texts(page) -> list[str]:
    return page.eval_on_selector_all(".js-plotly-plot .legend .legendtext", "els => els.map(e => e.textContent)")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_map_draws_every_partner_offline_in_both_languages(page, server, partner_count, lang):
    browser_page, log = page
    geometry = []
    browser_page.on("response", lambda r: geometry.append((r.url, r.status)) if "topojson" in r.url else None)
    open_regions(browser_page, server, f"lang={lang}")
    drawn = browser_page.eval_on_selector_all(COUNTRY_PATHS, "els => els.map(e => e.__data__.loc)")
    assert len(drawn) >= partner_count >= 60
    assert {"VNM", "SGP", "MLT", "MDV", "PRK", "KOR", "USA"} <= set(drawn)
    # world view at 50m, the Korean Peninsula inset at 110m: each file fetched once, from the app
    assert sorted((url.rsplit("/", 1)[-1], status) for url, status in geometry) == [("world_110m.json", 200),
                                                                                   ("world_50m.json", 200)]
    assert all(url.startswith(server) for url, _ in geometry)
    legend = legend_texts(browser_page)
    if lang == "ko":
        assert {"대한민국 (기점)", "동남아", "협력 벨트", "해외 협력 거점"} <= set(legend)
        assert not any(re.search(r"[A-Za-z]{4,}", text) for text in legend), legend
    else:
        assert {"Republic of Korea (origin)", "Southeast Asia", "Cooperation belts"} <= set(legend)
        assert not any(HANGUL.search(text) for text in legend), legend
    screenshot(browser_page, f"regions_map_{lang}")
    assert log.external == [] and log.failed == []


def test_click_on_a_country_filters_the_table_and_clear_resets_it(page, server):
    browser_page, log = page
    open_regions(browser_page, server, "lang=en")
    assert len(table_codes_once(browser_page, "codes.length > 1")) > 1
    point = browser_page.evaluate(POINT_IN_COUNTRY, "VNM")
    assert point is not None
    browser_page.mouse.move(point["x"], point["y"])
    browser_page.mouse.click(point["x"], point["y"])
    browser_page.wait_for_url(re.compile(r"[?&]sel=VNM\b"), timeout=30_000)
    browser_page.get_by_text("Countries shown: 1", exact=True).wait_for(timeout=30_000)
    wait_for_app(browser_page)
    assert table_codes_once(browser_page, "codes.length === 1") == ["VNM"]
    assert browser_page.get_by_text("Selected: Viet Nam").is_visible()
    outline = browser_page.eval_on_selector_all(
        COUNTRY_PATHS, "els => els.filter(e => parseFloat(getComputedStyle(e).strokeWidth) > 2).map(e => e.__data__.loc)")
    assert outline == ["VNM"]
    screenshot(browser_page, "regions_map_clicked_en")

    browser_page.get_by_role("button", name="Clear selection").click()
    browser_page.get_by_text("Countries shown: 64", exact=True).wait_for(timeout=30_000)
    assert "sel=" not in browser_page.url

    # the same click with "a click on the map selects: region" selects Southeast Asia
    browser_page.locator("[data-testid='stButtonGroup'] button", has_text="Region").click()
    wait_for_app(browser_page)
    point = browser_page.evaluate(POINT_IN_COUNTRY, "VNM")
    browser_page.mouse.move(point["x"], point["y"])
    browser_page.mouse.click(point["x"], point["y"])
    browser_page.wait_for_url(re.compile(r"[?&]sel=SEA\b"), timeout=30_000)
    browser_page.get_by_text("Countries shown: 10", exact=True).wait_for(timeout=30_000)
    assert {"VNM", "THA", "IDN"} <= set(table_codes_once(browser_page, "codes.includes('VNM')"))
    assert log.external == [] and log.failed == []


def test_link_with_selection_and_measure_reopens_the_view_in_korean(page, server):
    browser_page, log = page
    open_regions(browser_page, server, "lang=ko&sel=SEA&measure=activities")
    browser_page.get_by_text("표시 국가: 10개", exact=True).wait_for(timeout=30_000)
    colour_bar = browser_page.eval_on_selector_all(".js-plotly-plot .colorbar .cbtitle text",
                                                   "els => els.map(e => e.textContent).join(' ')")
    assert "협력 활동 건수" in colour_bar and "2018–2021" in colour_bar
    codes = table_codes_once(browser_page, "codes.includes('VNM')")
    assert "VNM" in codes and "FRA" not in codes
    screenshot(browser_page, "regions_map_measure_ko")
    assert log.external == [] and log.failed == []
