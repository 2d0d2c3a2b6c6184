"""Hostile data in real Chromium: every page, both languages, a store full of payloads.

Nothing may execute (no dialog), nothing may be fetched from another host, no script, event
handler, iframe or `javascript:` link from data may reach the DOM, and the 5,000-character
strings must not push the page wider than the window.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from dashboard.ui.layout import PAGES
from hostile_data import EVIL_HOST, hostile_store

from .conftest import SCREENSHOTS, block_other_requests, free_port, start_server, stop_server, wait_for_app

PATHS = [("" if index == 0 else path) for index, (_, path, _, _) in enumerate(PAGES)]
SHOWS_TEXT = {"", "pillars", "regions", "targets", "dna", "pyeongchang"}

DOM_CHECK = """() => {
    const found = [];
    for (const el of document.querySelectorAll('script')) {
        if ((el.textContent || '').includes('alert(') || (el.src || '').includes('evil')) found.push('script: ' + el.outerHTML.slice(0, 80));
    }
    for (const el of document.querySelectorAll('*')) {
        for (const attr of el.getAttributeNames()) {
            const value = el.getAttribute(attr) || '';
            if (attr.startsWith('on') && value.includes('alert')) found.push('handler: ' + el.outerHTML.slice(0, 80));
            if (!['href', 'src', 'xlink:href', 'action', 'formaction'].includes(attr)) continue;
            if (value.trim().toLowerCase().startsWith('javascript:')) found.push('js link: ' + el.outerHTML.slice(0, 120));
            else if (value.includes('evil.example')) {
                // Markdown autolinks a bare URL written in the data: the link shows its own address
                // (not disguised) and opens in a new tab without referrer. Anything else is an injection.
                const text = (el.textContent || '').trim();
                const norm = s => { try { return decodeURI(s); } catch (e) { return s; } };
                const visibleUrl = el.tagName === 'A' && attr === 'href'
                    && (norm(text) === norm(value) || norm(text) + '/' === norm(value));
                if (!visibleUrl) found.push('link: ' + el.outerHTML.slice(0, 120));
            }
        }
    }
    for (const el of document.querySelectorAll('iframe, object, embed')) {
        if (!(el.src || '').startsWith(location.origin)) found.push('frame: ' + el.outerHTML.slice(0, 80));
    }
    for (const el of document.querySelectorAll('img')) {
        const src = el.getAttribute('src') || '';
        if (src === 'x' || src.includes('evil')) found.push('img: ' + el.outerHTML.slice(0, 80));
    }
    return found;
}"""

OVERFLOW_CHECK = """() => {
    const main = document.querySelector("[data-testid='stMain']");
    const block = document.querySelector("[data-testid='stMainBlockContainer']");
    return {
        page: document.documentElement.scrollWidth - window.innerWidth,
        main: main ? main.scrollWidth - main.clientWidth : null,
        block: block ? block.scrollWidth - block.clientWidth : null,
    };
}"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("hostile_browser_store")
    hostile_store(root)
    port = free_port()
    process = start_server(root, port)
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


class Watch:
    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.external: list[str] = []
        self.errors: list[str] = []


@pytest.fixture(scope="module")
def watched(browser: Browser, hostile_server: str) -> Iterator[tuple[dict[str, Page], Watch]]:
    """One tab per language, loaded side by side (the server serves both sessions at once)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watch = Watch()

    def on_dialog(dialog):
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    block_other_requests(context, (hostile_server, "data:", "blob:"), watch.external)
    pages = {}
    for lang in ("ko", "en"):
        pages[lang] = context.new_page()
        pages[lang].on("dialog", on_dialog)
        pages[lang].on("pageerror", lambda error: watch.errors.append(str(error)))
    yield pages, watch
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", PATHS)
def test_hostile_data_stays_inert(watched, hostile_server, path):
    pages, watch = watched
    for lang, page in pages.items():
        page.goto(f"{hostile_server}/{path}?lang={lang}")
    for lang, page in pages.items():
        wait_for_app(page)
        assert page.locator("[data-testid='stException']").count() == 0
        # Hover the first chart so Plotly draws a hover label from the data.
        plots = page.locator(".js-plotly-plot")
        if plots.count():
            plots.first.scroll_into_view_if_needed()
            plots.first.hover(timeout=5_000)
            page.wait_for_timeout(300)
        assert page.evaluate(DOM_CHECK) == [], lang
        overflow = page.evaluate(OVERFLOW_CHECK)
        assert overflow["page"] <= 1 and (overflow["main"] or 0) <= 1 and (overflow["block"] or 0) <= 1, \
            (lang, overflow)
        if path in SHOWS_TEXT:
            text = page.locator("[data-testid='stMain']").inner_text()
            # Shown literally, as text: the escaping keeps the payload visible instead of dropping it.
            assert "<script>alert(1)</script>" in text or "<img src=x onerror=alert(1)>" in text \
                or "javascript:alert(1)" in text, f"no payload text visible on /{path} ({lang})"
        # The top of the page only: the 5,000-character words make these pages very tall.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"hostile_{path or 'overview'}_{lang}.png"))
    assert watch.dialogs == []
    assert [url for url in watch.external if EVIL_HOST in url] == []
    assert watch.external == []
    assert watch.errors == []
