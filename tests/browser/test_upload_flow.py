"""The analyst's whole flow in Chromium: sign in, upload a bad file (report), upload a good one
(preview), publish with a note, and see the new numbers on the Targets page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard import ingest, metrics
from dashboard.auth import ENV_VAR, hash_password
from dashboard.export import to_csv_bytes
from dashboard.loading import load_csv_tables
from dashboard.schema import table_spec
from dashboard.store import LocalStore

from .conftest import block_other_requests, free_port, screenshot, start_server, stop_server, wait_for_app

PASSWORD = "correct horse battery staple"
EDITOR = "Kim Analyst"


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A server with an editor password configured (the shared `server` is read-only)."""
    store = tmp_path_factory.mktemp("upload_flow") / "store"
    port = free_port()
    process = start_server(store, port, {ENV_VAR: hash_password(PASSWORD)})
    yield f"http://127.0.0.1:{port}", store
    stop_server(process)


@pytest.fixture
def app_page(browser: Browser, editor_server) -> Iterator[tuple[Page, list[str]]]:
    base, _ = editor_server
    context = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="en-GB")
    external: list[str] = []
    block_other_requests(context, (base, "data:", "blob:"), external)
    page = context.new_page()
    yield page, external
    context.close()


def progress_with_new_quarter(value: float) -> pd.DataFrame:
    frame = load_csv_tables()["progress"].copy()
    extra = frame[frame["target_id"] == "T1"].iloc[[0]].assign(period_end=pd.Timestamp("2021-12-31"),
                                                               region_id=None, value=value)
    return pd.concat([frame, extra], ignore_index=True)


def t1_achieved(progress: pd.DataFrame) -> str:
    summary = metrics.target_summary(load_csv_tables()["targets"], progress).set_index("target_id")
    return f"{summary.at['T1', 'achieved']:,.0f}"


def t1_card(page: Page):
    return page.locator("[data-testid='stMetric']").filter(has_text="Achieved (cases)").first


@pytest.mark.browser
def test_upload_preview_publish_and_see_it_on_the_targets_page(app_page, editor_server, tmp_path):
    page, external = app_page
    base, store_root = editor_server
    page.goto(f"{base}/targets?lang=en")
    wait_for_app(page)
    before = t1_achieved(load_csv_tables()["progress"])
    expect(t1_card(page).locator("[data-testid='stMetricValue']")).to_have_text(before)

    page.goto(f"{base}/data?lang=en&table=progress")
    wait_for_app(page)
    expect(page.locator("input[type='file']")).to_have_count(0)  # no upload before signing in
    page.get_by_label("Editor name (recorded in the version history)").fill(EDITOR)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    expect(page.get_by_text(f"Signed in as editor {EDITOR}.")).to_be_visible()
    page.get_by_role("tab", name="Upload & publish").click()

    bad = tmp_path / "bad_progress.csv"
    bad.write_bytes(b"target_id,period_end,region_id,value,illustrative\r\nT9,2018-03-31,US,-1,true\r\n")
    page.locator("input[type='file']").set_input_files(str(bad))
    wait_for_app(page)
    expect(page.get_by_text("bad_progress.csv: 2 problem(s); it cannot be published.", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Publish as a new version")).to_have_count(0)
    screenshot(page, "data_upload_rejected")

    good = tmp_path / "progress_q4.csv"
    new_progress = progress_with_new_quarter(150.0)
    good.write_bytes(to_csv_bytes(ingest.labelled(new_progress, table_spec("progress"), "ko")))
    page.locator("input[type='file']").set_input_files(str(good))
    wait_for_app(page)
    expect(page.get_by_text("progress_q4.csv: passed all checks.", exact=False)).to_be_visible()
    added = page.locator("[data-testid='stMetric']").filter(has_text="Rows added")
    expect(added.locator("[data-testid='stMetricValue']")).to_have_text("1")
    expect(page.get_by_text("What publishing would change")).to_be_visible()
    expect(page.get_by_text("Effect on the headline figures")).to_be_visible()
    screenshot(page, "data_upload_preview")

    page.get_by_label("Note (what changes and why)").fill("Q4 2021 results")
    page.get_by_role("button", name="Publish as a new version").click()
    wait_for_app(page)
    expect(page.get_by_text("version 2 published", exact=False)).to_be_visible()
    screenshot(page, "data_published")
    info = LocalStore(store_root).history("progress")[0]
    assert (info.version, info.editor, info.note) == (2, EDITOR, "Q4 2021 results")

    page.goto(f"{base}/targets?lang=en")
    wait_for_app(page)
    after = t1_achieved(new_progress)
    assert after != before
    expect(t1_card(page).locator("[data-testid='stMetricValue']")).to_have_text(after)
    screenshot(page, "targets_after_publish")
    assert external == []
