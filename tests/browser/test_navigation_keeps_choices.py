"""Switching pages in the sidebar keeps the session's language and filters.

Found by the load test (benchmarks/load.py): Streamlit drops the query string when the sidebar
navigation switches pages, and the app used to read the missing `?lang=` as "back to Korean".
"""

import pytest

from .conftest import wait_for_app


@pytest.mark.browser
def test_language_and_filter_survive_sidebar_navigation(page):
    browser_page, log = page
    browser_page.goto(f"{log.base_url}/?lang=ko")
    wait_for_app(browser_page)
    browser_page.locator("[data-testid='stSidebar'] [data-testid='stRadio'] label").filter(
        has_text="English").first.click()
    wait_for_app(browser_page)
    region = browser_page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").nth(1)
    region.locator("input").click()
    browser_page.locator("[role='option']").filter(has_text="Southeast Asia").first.click()
    browser_page.keyboard.press("Escape")
    wait_for_app(browser_page)
    for link in ("pillars", "regions", ""):
        browser_page.locator(f"[data-testid='stSidebarNav'] a[href$='/{link}']").first.click()
        wait_for_app(browser_page)
        assert "lang=en" in browser_page.url, browser_page.url
        assert "region=SEA" in browser_page.url, browser_page.url
        heading = browser_page.locator("h1").first.inner_text()
        assert not any("\uac00" <= ch <= "\ud7a3" for ch in heading), heading
    assert log.external == []
