"""A chart's data table appears when its expander opens, and its CSV downloads on click."""

import pytest

from .conftest import wait_for_app


@pytest.mark.browser
def test_chart_data_opens_and_downloads(page):
    browser_page, log = page
    browser_page.goto(f"{log.base_url}/pyeongchang?lang=en")
    wait_for_app(browser_page)
    expander = browser_page.locator("[data-testid='stExpander']", has_text="Show the data").last
    assert expander.locator("[data-testid='stDataFrame']").count() == 0  # built only when opened
    expander.locator("summary").click()
    table = expander.locator("[data-testid='stDataFrame']")
    table.wait_for(timeout=30_000)
    with browser_page.expect_download(timeout=30_000) as download:
        expander.get_by_role("button", name="Download CSV").click()
    content = download.value.path().read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    header = content[3:].decode("utf-8").splitlines()[0]
    assert "Source" in header or "source" in header, header
    assert len(content.splitlines()) >= 3
    assert log.external == [] and log.failed == [], (log.external, log.failed)
