"""Links reopen the view: a slide link and a filtered page link in a fresh browser context, the
browser's Back/Forward through slides, and the "copy link to this view" button."""

from __future__ import annotations

import re

import pytest

from .conftest import screenshot, wait_for_app
from .test_briefing import settle

FILTERED = "/targets?lang=en&region=SEA&years=2019-2021"


def slide_title(page) -> str:
    return page.locator(".st-key-bp_slide .bp-title").inner_text()


def shows(page, number: int, title: str, charts: int = 0) -> bool:
    """Wait until slide `number` titled `title` is shown and settled; True then."""
    page.wait_for_function("(title) => document.querySelector('.st-key-bp_slide .bp-title')?.textContent === title",
                           arg=title, timeout=30_000)
    settle(page, number, charts=charts)
    return slide_title(page) == title


@pytest.mark.browser
def test_slide_link_restores_the_slide_and_back_forward_work(page):
    browser_page, log = page  # a fresh browser context
    browser_page.set_viewport_size({"width": 1280, "height": 720})
    browser_page.goto(f"{log.base_url}/briefing?slide=4&lang=en")
    wait_for_app(browser_page)
    assert shows(browser_page, 4, "Global cooperation belts", charts=1)
    assert browser_page.evaluate("() => document.documentElement.scrollHeight <= innerHeight")
    browser_page.locator(".st-key-bp_prev button").click()
    assert shows(browser_page, 3, "The strategy's 4 pillars")
    assert re.search(r"[?&]slide=3(&|$)", browser_page.url) and "lang=en" in browser_page.url
    browser_page.keyboard.press("ArrowLeft")
    assert shows(browser_page, 2, "Vision: S&T/ICT fused with diplomacy") and "slide=2" in browser_page.url
    browser_page.go_back()
    assert shows(browser_page, 3, "The strategy's 4 pillars") and "slide=3" in browser_page.url
    browser_page.go_back()
    assert shows(browser_page, 4, "Global cooperation belts", charts=1) and "slide=4" in browser_page.url
    browser_page.go_forward()
    assert shows(browser_page, 3, "The strategy's 4 pillars") and "slide=3" in browser_page.url
    # The language button on the slide: the URL follows, and Back returns to English.
    browser_page.locator(".st-key-bp_lang button").click()
    assert shows(browser_page, 3, "4대 전략 목표") and "lang=ko" in browser_page.url
    browser_page.go_back()
    assert shows(browser_page, 3, "The strategy's 4 pillars") and "lang=en" in browser_page.url
    assert log.external == [] and log.failed == []


def _filters_shown(page) -> dict:
    sidebar = page.locator("[data-testid='stSidebar']")
    region = sidebar.locator("[data-testid='stMultiSelect']").filter(
        has=page.locator("[data-testid='stWidgetLabel']", has_text="Region"))
    chips = region.locator("[data-tag] span[title]").all_inner_texts()
    thumbs = sidebar.locator("[data-testid='stSlider'] input[type='range']")
    return {"regions": chips, "years": [thumbs.nth(i).get_attribute("value") for i in range(thumbs.count())],
            "title": page.locator("h1").first.inner_text()}


@pytest.mark.browser
def test_filtered_page_link_restores_the_view_and_copy_link_gives_it(page, browser):
    browser_page, log = page
    browser_page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=log.base_url)
    browser_page.goto(log.base_url + FILTERED)
    wait_for_app(browser_page)
    shown = _filters_shown(browser_page)
    assert shown == {"regions": ["Southeast Asia"], "years": ["2019", "2021"], "title": "Targets and progress"}
    assert "region=SEA" in browser_page.url and "years=2019-2021" in browser_page.url
    assert "/targets" in browser_page.url
    # "Copy link to this view" copies the address as it is now.
    share = browser_page.locator("[data-testid='stSidebar'] .share-button")
    share.click()
    field = browser_page.locator("[data-testid='stSidebar'] .share-url")
    field.wait_for(state="visible")
    copied = field.input_value()
    assert copied == browser_page.url
    assert browser_page.evaluate("() => navigator.clipboard.readText()") == copied
    assert browser_page.locator("[data-testid='stSidebar'] .share-status").inner_text() == "Link copied"
    screenshot(browser_page, "deep_link_targets_filtered")
    # The copied link in another fresh context (another person opening it) shows the same view.
    other = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        other_page = other.new_page()
        other_page.goto(copied)
        wait_for_app(other_page)
        assert _filters_shown(other_page) == shown
    finally:
        other.close()
    assert log.external == [] and log.failed == []


@pytest.mark.browser
def test_a_clicked_tab_goes_into_the_link_and_back_returns(page):
    browser_page, log = page
    browser_page.goto(f"{log.base_url}/targets?lang=en")
    wait_for_app(browser_page)
    tabs = browser_page.get_by_role("tab")
    assert tabs.nth(0).get_attribute("aria-selected") == "true"
    assert re.search(r"[?&]target=T1(&|$)", browser_page.url)
    tabs.nth(2).click()
    browser_page.wait_for_url(re.compile(r"[?&]target=T3(&|$)"), timeout=30_000)
    wait_for_app(browser_page)
    assert browser_page.locator(".st-key-targets_line_T3 .js-plotly-plot").count() == 1
    link = browser_page.url

    fresh = browser_page.context.new_page()  # the link in another tab opens the same tab
    try:
        fresh.goto(link)
        wait_for_app(fresh)
        assert fresh.get_by_role("tab").nth(2).get_attribute("aria-selected") == "true"
        assert fresh.locator(".st-key-targets_line_T3 .js-plotly-plot").count() == 1
    finally:
        fresh.close()

    browser_page.go_back()
    browser_page.wait_for_url(re.compile(r"[?&]target=T1(&|$)"), timeout=30_000)
    wait_for_app(browser_page)
    assert tabs.nth(0).get_attribute("aria-selected") == "true"
    assert browser_page.locator(".st-key-targets_line_T1 .js-plotly-plot").count() == 1
    assert log.external == [] and log.failed == []
