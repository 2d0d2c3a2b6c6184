"""Every page in real Chromium, both languages: no exception, every chart drawn, no outside request."""

import pytest

from dashboard.ui.layout import PAGES

from .conftest import screenshot, wait_for_app

MIN_CHARTS = {"": 1, "pillars": 2, "regions": 1, "targets": 4, "dna": 1, "pyeongchang": 1}
PATHS = [("" if index == 0 else path) for index, (_, path, _, _) in enumerate(PAGES)]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("path", PATHS)
def test_page_renders_offline(page, path, lang):
    browser_page, log = page
    browser_page.goto(f"{log.base_url}/{path}?lang={lang}")
    wait_for_app(browser_page)
    assert browser_page.locator("[data-testid='stException']").count() == 0
    plots = browser_page.locator(".js-plotly-plot")
    assert plots.count() == browser_page.locator("[data-testid='stPlotlyChart']").count()
    assert plots.count() >= MIN_CHARTS.get(path, 0), f"/{path} shows {plots.count()} charts"
    for index in range(plots.count()):
        plot = plots.nth(index)
        traces = plot.evaluate("el => (el.data || []).length")
        drawn = plot.evaluate(
            "el => el.querySelectorAll('.trace, path.choroplethlocation, .slice, .sankey-node, .hm, image').length")
        assert traces > 0 and drawn > 0, f"chart {index} on /{path} is empty"
    heading = browser_page.locator("h1").first.inner_text()
    has_hangul = any("\uac00" <= ch <= "\ud7a3" for ch in heading)
    assert has_hangul == (lang == "ko"), heading
    screenshot(browser_page, f"page_{path or 'overview'}_{lang}")
    assert log.external == [], log.external
    assert log.failed == [], log.failed
