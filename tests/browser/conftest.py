"""Shared browser fixtures: one Streamlit server per test session, Debian's chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from dashboard.serve import free_port, server_command, stop_server, wait_until_healthy

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def start_server(store: Path, port: int, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `python -m dashboard.serve` on loopback; its output goes to <store>.server.log."""
    env = {**os.environ, "DASHBOARD_STORE": str(store), **(extra_env or {})}
    log_path = Path(f"{store}.server.log")
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(server_command(port), cwd=ROOT, env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT)
    process.log_path = log_path  # type: ignore[attr-defined]
    if wait_until_healthy(process, port, timeout=60):
        return process
    process.kill()
    raise RuntimeError("the Streamlit server did not start: " + log_path.read_text(errors="replace"))


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    """Base URL of a Streamlit server running the app on a fresh store."""
    port = free_port()
    process = start_server(tmp_path_factory.mktemp("store"), port)
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian chromium not found at {CHROMIUM}; `make test` installs it with apt")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def block_other_requests(context, allowed: tuple[str, ...], blocked: list[str]) -> None:
    """Let through the requests whose URL starts with one of `allowed`; abort and record the rest."""
    def guard(route):
        url = route.request.url
        if url.startswith(allowed):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", guard)


class RequestLog:
    """Requests the page made, split into the app's own and any other host (which are blocked)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.external: list[str] = []
        self.failed: list[str] = []


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[tuple[Page, RequestLog]]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ko-KR")
    log = RequestLog(server)
    block_other_requests(context, (server, server.replace("127.0.0.1", "localhost"), "data:", "blob:"),
                         log.external)
    page = context.new_page()
    page.on("requestfailed", lambda request: log.failed.append(f"{request.url} {request.failure}"))
    yield page, log
    context.close()


def wait_for_app(page: Page, timeout: float = 45_000) -> None:
    """Wait until the script run has finished, no skeleton is left and every Plotly chart has drawn."""
    page.wait_for_selector("[data-testid='stApp'] h1", timeout=timeout)
    page.wait_for_function(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            if (!app || app.getAttribute('data-test-script-state') === 'running') return false;
            if (document.querySelector("[data-testid='stStatusWidget'], [data-testid='stSkeleton']")) return false;
            const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
            return Array.from(charts).every(c => c.querySelector('.js-plotly-plot .main-svg'));
        }""",
        timeout=timeout,
    )
    page.wait_for_timeout(400)


def screenshot(page: Page, name: str, *, whole: bool = True) -> Path:
    """Save tests/screenshots/<name>.png; `whole` grows the viewport to the app's full height first
    (Streamlit scrolls inside its main container, so a plain full-page shot would cut it off)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    original = page.viewport_size
    if whole and original:
        height = page.evaluate(
            """() => Math.max(...Array.from(document.querySelectorAll('[data-testid="stMain"], section, body'))
                       .map(e => e.scrollHeight))""")
        page.set_viewport_size({"width": original["width"], "height": min(int(height) + 40, 9000)})
        page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    if whole and original:
        page.set_viewport_size(original)
    return path
