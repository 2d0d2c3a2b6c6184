"""Presenter mode in Chromium: every slide, both languages, 1280x720 and 1920x1080, no Streamlit
chrome, no scrolling or overflow, projector type sizes, Korean in the app's own font; and the
exported HTML pack opened from disk with the network blocked."""

from __future__ import annotations

import pytest

from dashboard import pack, slides
from dashboard.loading import load_csv_tables

from .conftest import SCREENSHOTS, block_other_requests, screenshot, wait_for_app

VIEWPORTS = ((1920, 1080), (1280, 720))
CHROME = ("stSidebar", "stSidebarCollapsedControl", "stExpandSidebarButton", "stHeader", "stToolbar",
          "stMainMenu", "stAppDeployButton", "stDecoration", "stStatusWidget")
TOTAL = slides.slide_count()

# Layout facts of the current view, measured in the page.
MEASURE = """(chrome) => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const shown = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.display === 'none' || style.visibility === 'hidden') return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const name = (el) => el.tagName + (el.getAttribute('data-testid') ? '#' + el.getAttribute('data-testid') : '')
      + (el.getAttribute('class') ? '.' + String(el.getAttribute('class')).split(' ').slice(0, 2).join('.') : '')
      + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  const visibleChrome = chrome.filter(id => Array.from(document.querySelectorAll(`[data-testid="${id}"]`)).some(shown));
  if (Array.from(document.querySelectorAll('footer')).some(shown)) visibleChrome.push('footer');
  const slide = document.querySelector('.st-key-bp_slide');
  const box = slide.getBoundingClientRect();
  const overflow = [], clipped = [], small = [];
  // HTML elements and SVG roots/texts (not SVG internals such as clipped map paths).
  const candidates = document.querySelectorAll('[data-testid="stMain"] *:not(svg *), [data-testid="stMain"] svg text');
  for (const el of candidates) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.left < -1 || r.top < -1 || r.right > vw + 1 || r.bottom > vh + 1) overflow.push(name(el));
    if (slide.contains(el)) {
      if (r.left < box.left - 1 || r.top < box.top - 1 || r.right > box.right + 1 || r.bottom > box.bottom + 1)
        clipped.push(name(el));
      const ownText = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (ownText && size < 18) small.push(name(el) + ' ' + size + 'px');
    }
  }
  const title = slide.querySelector('.bp-title');
  const bar = document.querySelector('.st-key-bp_bar').getBoundingClientRect();
  const charts = Array.from(slide.querySelectorAll('.js-plotly-plot'));
  const cards = Array.from(slide.querySelectorAll('.bp-card')).map(c => c.getBoundingClientRect().bottom);
  const barBox = document.querySelector('.st-key-bp_bar');
  const share = document.querySelector('.st-key-share_briefing [data-testid="stBidiComponentIsolated"]');
  const shareButton = share && share.shadowRoot && share.shadowRoot.querySelector('button');
  const heights = Array.from(barBox.querySelectorAll('button, a')).filter(shown)
      .map(b => Math.round(b.getBoundingClientRect().height));
  if (shareButton) heights.push(Math.round(shareButton.getBoundingClientRect().height));
  return {
    scrollHeight: document.scrollingElement.scrollHeight, scrollWidth: document.scrollingElement.scrollWidth,
    innerHeight: vh, innerWidth: vw, chrome: visibleChrome, overflow: overflow.slice(0, 10),
    clipped: clipped.slice(0, 10), small: small.slice(0, 10),
    titleSize: parseFloat(getComputedStyle(title).fontSize), titleFont: getComputedStyle(title).fontFamily,
    title: title.textContent, barBelowSlide: bar.bottom > box.top + 1,
    charts: charts.length, drawn: charts.filter(c => c.querySelector('.main-svg')).length,
    svgTexts: slide.querySelectorAll('svg text').length, notes: document.querySelectorAll('.bp-notes').length,
    cardsReach: cards.length ? (Math.max(...cards) - box.top) / box.height : null,
    barKbd: Array.from(barBox.querySelectorAll('kbd')).filter(shown).length, barHeights: heights,
  };
}"""


def snap(page, name: str) -> None:
    """A viewport screenshot in tests/screenshots/ (not full-page: that resizes the page and redraws the maps)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled")


def counter_is(number: int) -> str:
    return f"""() => Array.from(document.querySelectorAll('[data-testid="stMarkdownContainer"]'))
                    .some(el => el.textContent.trim() === '{number} / {TOTAL}')"""


def settle(page, number: int, *, resized: bool = False, charts: int | None = None) -> None:
    """Wait for slide `number` with its charts drawn; after a resize, for the charts to refit.

    `charts`: how many charts the slide has (waited for: a chart still loading is not yet a plot).
    """
    if charts is not None:
        page.wait_for_function("(n) => document.querySelectorAll('.st-key-bp_slide .js-plotly-plot .main-svg').length"
                               " >= n", arg=charts, timeout=30_000)
    if not resized:
        page.wait_for_function(counter_is(number), timeout=30_000)
        page.wait_for_function("""() => {
            const app = document.querySelector("[data-testid='stApp']");
            return app && app.getAttribute('data-test-script-state') !== 'running'
                && !document.querySelector("[data-testid='stStatusWidget']")
                && !document.querySelector('.st-key-bp_slide .stSkeleton');
        }""", timeout=30_000)
    page.wait_for_function("""() => {
        const plots = Array.from(document.querySelectorAll('.st-key-bp_slide .js-plotly-plot'));
        return plots.every(p => { const svg = p.querySelector('.main-svg'); if (!svg) return false;
            const a = svg.getBoundingClientRect(), b = p.parentElement.getBoundingClientRect();
            return Math.abs(a.width - b.width) < 2 && a.bottom <= window.innerHeight + 1; });
    }""", timeout=10_000)
    page.wait_for_timeout(100)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_slide_fits_the_projector(page, lang):
    browser_page, log = page
    browser_page.set_viewport_size({"width": 1920, "height": 1080})
    deck = slides.build_deck(load_csv_tables(), lang)  # the test server publishes the shipped CSV files
    browser_page.goto(f"{log.base_url}/briefing?slide=1&lang={lang}")
    wait_for_app(browser_page)
    order = list(VIEWPORTS)
    for number in range(1, TOTAL + 1):
        if number > 1:
            # The presenter's keys: arrows and a clicker's PageDown.
            browser_page.keyboard.press("PageDown" if number % 3 == 0 else "ArrowRight")
        for step, (width, height) in enumerate(order):
            if browser_page.viewport_size != {"width": width, "height": height}:
                browser_page.set_viewport_size({"width": width, "height": height})
            settle(browser_page, number, resized=step > 0, charts=len(deck[number - 1].figures))
            facts = browser_page.evaluate(MEASURE, list(CHROME))
            where = f"slide {number} {lang} {width}x{height}"
            assert facts["chrome"] == [], (where, facts["chrome"])
            assert facts["scrollHeight"] <= facts["innerHeight"], (where, facts["scrollHeight"])
            assert facts["scrollWidth"] <= facts["innerWidth"], (where, facts["scrollWidth"])
            assert facts["overflow"] == [], (where, facts["overflow"])
            assert facts["clipped"] == [], (where, facts["clipped"])
            assert not facts["barBelowSlide"], where
            assert facts["titleSize"] >= 32, (where, facts["titleSize"])
            assert facts["small"] == [], (where, facts["small"])
            assert "Noto Sans KR" in facts["titleFont"], facts["titleFont"]
            assert facts["charts"] == facts["drawn"] == len(deck[number - 1].figures), where
            assert facts["notes"] == 0, where  # speaker notes only on the presenter view
            if facts["charts"]:
                assert facts["svgTexts"] > 3, where  # chart text exists, and was size-checked above
            if deck[number - 1].layout in ("cards", "side"):
                # The cards use the height they are given (no half-empty screen under them).
                assert facts["cardsReach"] >= 0.85, (where, facts["cardsReach"])
            # Each arrow once (no shortcut hint next to the icon); "Copy link" as tall as its neighbours.
            assert facts["barKbd"] == 0, where
            assert max(facts["barHeights"]) - min(facts["barHeights"]) <= 1, (where, facts["barHeights"])
            snap(browser_page, f"briefing_{lang}_{number:02d}_{width}x{height}")
        order.reverse()  # next slide starts at the size this one ended with: one resize per slide saved
    assert browser_page.url.endswith(f"slide={TOTAL}&lang={lang}") or f"slide={TOTAL}" in browser_page.url
    if lang == "ko":
        # Korean text is drawn with the app's Noto Sans KR, served by the app itself.
        assert browser_page.evaluate("""() => document.fonts.check('700 40px "Noto Sans KR"', '한국어')""")
        loaded = browser_page.evaluate(
            "() => performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.woff2'))")
        assert any(name.startswith(log.base_url) and "noto-sans-kr-korean" in name for name in loaded), loaded
    assert log.external == [], log.external
    assert log.failed == [], log.failed


@pytest.mark.browser
def test_presenter_view_shows_the_notes(page):
    browser_page, log = page
    browser_page.set_viewport_size({"width": 1440, "height": 900})
    browser_page.goto(f"{log.base_url}/briefing?slide=3&lang=en&notes=1")
    wait_for_app(browser_page)
    settle(browser_page, 3)
    notes = browser_page.locator(".bp-notes")
    assert notes.is_visible()
    assert "Speaker notes" in notes.inner_text() and "Next slide: Global cooperation belts" in notes.inner_text()
    assert browser_page.locator("[data-testid='stSidebar']").is_hidden()
    snap(browser_page, "briefing_notes_view")
    # The notes view has its own way back to the plain slide (no URL editing).
    browser_page.locator(".st-key-bp_notes_off button").click()
    browser_page.wait_for_function("() => !document.querySelector('.bp-notes')", timeout=30_000)
    settle(browser_page, 3)
    assert "notes=" not in browser_page.url and "slide=3" in browser_page.url
    assert browser_page.get_by_role("link", name="Speaker notes").is_visible()
    assert log.external == [] and log.failed == []


@pytest.fixture(scope="module")
def korean_pack(tmp_path_factory) -> tuple[object, pack.PackInfo]:
    """The Korean pack (the harder case: Korean fonts inlined); the English one differs only in text."""
    deck = slides.build_deck(load_csv_tables(), "ko", map_resolution=pack.PACK_MAP_RESOLUTION)
    path = tmp_path_factory.mktemp("pack") / "briefing-ko.html"
    path.write_text(pack.render_pack(deck, "ko"), encoding="utf-8")
    return path, pack.pack_info(deck)


@pytest.mark.browser
def test_pack_opens_from_disk_offline(browser, korean_pack):
    path, info = korean_pack
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, offline=True)
    requests, blocked, failed = [], [], []
    block_other_requests(context, ("file://", "data:"), blocked)
    pack_page = context.new_page()
    pack_page.on("request", lambda request: requests.append(request.url))
    pack_page.on("requestfailed", lambda request: failed.append(f"{request.url} {request.failure}"))
    errors = []
    pack_page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        pack_page.goto(path.as_uri())
        drawn = pack_page.evaluate("() => window.bpReady")
        assert drawn == info.figures
        facts = pack_page.evaluate("""() => ({
            slides: document.querySelectorAll('section.bp-slide').length,
            figures: document.querySelectorAll('.bp-fig').length,
            svgs: Array.from(document.querySelectorAll('.bp-fig')).filter(f => f.querySelector('.main-svg')).length,
            traces: Array.from(document.querySelectorAll('.bp-fig')).map(f => (f.data || []).length),
            maps: Array.from(document.querySelectorAll('.bp-fig')).map(f => f.querySelectorAll('path.choroplethlocation').length)
                   .filter(n => n > 0),
            land: Array.from(document.querySelectorAll('.bp-fig .geo .layer.countries path, .bp-fig .geo .layer.land path')).length,
            korean: document.fonts.check('20px "Noto Sans KR"', '한국'),
        })""")
        assert facts["slides"] == info.slides == 9
        assert facts["figures"] == facts["svgs"] == info.figures
        assert all(count > 0 for count in facts["traces"]), facts["traces"]
        assert len(facts["maps"]) == info.maps == 2 and min(facts["maps"]) >= 20, facts["maps"]
        assert facts["land"] >= 2  # the inlined world geometry was drawn (no fetch)
        assert facts["korean"]  # Noto Sans KR, from the data: URL in the file
        pack_page.locator("#slide-4").scroll_into_view_if_needed()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pack_page.screenshot(path=str(SCREENSHOTS / "pack_ko_slide4.png"))
    finally:
        context.close()
    assert errors == [], errors
    assert blocked == [], blocked
    assert failed == [], failed
    assert all(url.startswith(("file://", "data:")) for url in requests), [u[:80] for u in requests]
