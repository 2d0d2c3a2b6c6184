"""The upload size limit is enforced by the server itself and explained to the editor.

The server is started with DASHBOARD_MAX_UPLOAD_MB=1 (passed by `dashboard.serve` as
--server.maxUploadSize). An editor signs in and uploads a small file through the page; the
browser's own upload request is then replayed with a 2 MB body (bypassing any check in the
page's JavaScript): Streamlit's upload endpoint answers 413 and the app never sees the bytes.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from dashboard.auth import ENV_VAR, hash_password
from dashboard.paths import DATA_DIR

from .conftest import free_port, screenshot, start_server, stop_server, wait_for_app

PASSWORD = "upload limit test password"
WRONG = "a wrong guess of the password"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    env = {"DASHBOARD_MAX_UPLOAD_MB": "1", ENV_VAR: hash_password(PASSWORD)}
    process = start_server(tmp_path_factory.mktemp("limit_store"), port, extra_env=env)
    yield f"http://127.0.0.1:{port}", process
    stop_server(process)


def _csv(size: int) -> bytes:
    head = (DATA_DIR / "pillars.csv").read_bytes()
    return head + b"#" * max(0, size - len(head))


@pytest.mark.browser
def test_server_refuses_an_upload_over_the_configured_limit(browser: Browser, limited_server, tmp_path):
    limited_server, process = limited_server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        page = context.new_page()
        uploads = []
        page.on("request", lambda request: uploads.append(request)
                if "/_stcore/upload_file/" in request.url and request.method == "PUT" else None)
        page.goto(f"{limited_server}/data?lang=en&table=pillars")
        wait_for_app(page)
        page.get_by_label("Editor name").fill("Limit Tester")
        page.get_by_label("Password", exact=True).fill(WRONG)
        page.get_by_role("button", name="Sign in").click()
        wait_for_app(page)
        assert page.get_by_text("Wrong password").count() == 1
        page.get_by_label("Editor name").fill("Limit Tester")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        wait_for_app(page)
        page.get_by_role("tab", name="Upload & publish").click()
        dropzone = page.locator("[data-testid='stFileUploaderDropzone']")
        dropzone.wait_for()
        # The limit is explained where the file is chosen.
        assert "1MB" in dropzone.inner_text().replace(" ", "") or "1 MB" in dropzone.inner_text()

        small = tmp_path / "pillars.csv"
        small.write_bytes(_csv(0))
        page.locator("input[type='file']").set_input_files(str(small))
        page.locator("[data-testid='stFileChip']").first.wait_for()
        wait_for_app(page)
        assert uploads, "the browser made no upload request"
        request = uploads[-1]
        headers = {k: v for k, v in request.all_headers().items() if k.lower() in ("x-xsrftoken", "cookie")}

        def replay(size: int) -> int:
            reply = context.request.put(request.url, headers=headers, multipart={
                "file": {"name": "pillars.csv", "mimeType": "text/csv", "buffer": _csv(size)}})
            return reply.status

        assert replay(MB // 2) == 204  # under the limit: accepted (so the replay itself is valid)
        assert replay(2 * MB) == 413   # over the limit: refused by the server
        screenshot(page, "upload_limit")
        # Neither password is in the URL or the page source ...
        for secret in (PASSWORD, WRONG):
            assert secret not in page.url and secret not in page.content()
    finally:
        context.close()
    # ... nor in the server's log, which does record the failed sign-in (by editor name).
    stop_server(process)
    log = process.log_path.read_text(errors="replace")  # start_server sends the output there
    assert "failed editor sign-in" in log
    assert PASSWORD not in log and WRONG not in log
