"""What a visitor sees in Chromium: page loads, interaction round trips, websocket bytes, server RSS.

Driven by `benchmarks.pages` (not run on its own). One app server (`benchmarks.serve`, which adds
the floor page and logs every script run) on the given store; Debian's chromium via Playwright.

Timing uses the page's own clock. An init script records, with `performance.now()`, the last
DOM mutation (hover labels excluded), the last one inside a Plotly chart, and the last
keydown/pointerdown. The page is *idle* once the script run is over, no skeleton or status widget
is left, every chart has drawn, and nothing has changed for QUIET_MS; then

* first visit: navigation start -> last DOM mutation (`render_ms`) and -> last chart mutation
  (`last_chart_ms`), in a new browser context (empty cache, a new session), so the download and
  parse of Streamlit's JavaScript (and of its 4.7 MB Plotly bundle on a chart page) are included;
* in-app navigation (`nav_ms`): from the chart floor page, a click on the page's sidebar link ->
  last DOM mutation (what an official clicking around waits for);
* interaction: the user's key/pointer event -> last DOM mutation of the resulting rerun; the
  server's share comes from the run log (wall and CPU time of the script runs it caused). "rerun"
  is Streamlit's "r" shortcut: the page rerun with nothing changed, i.e. a warm rerun on the real
  server, including what AppTest leaves out (e.g. Streamlit's post-run work).

The quiet window only decides when to stop waiting; it is never part of a figure.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import CHART_FLOOR, ROOT, PageRef, median, rss_kb
from dashboard.serve import stop_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
QUIET_MS = 400
VIEWPORT = {"width": 1440, "height": 1000}

INIT_SCRIPT = """
(() => {
  const bench = window.__bench = {lastMutation: 0, lastPlot: 0, lastInput: 0, mutations: 0};
  const element = n => (n && n.nodeType === 1 ? n : n && n.parentElement);
  const ignored = e => !!(e && e.closest && e.closest('.hoverlayer, .hoverlabel, [data-testid="stTooltipContent"]'));
  const watch = () => new MutationObserver(records => {
    const now = performance.now();
    for (const r of records) {
      const e = element(r.target);
      if (ignored(e)) continue;
      bench.lastMutation = now; bench.mutations++;
      if (e && e.closest && e.closest('.js-plotly-plot')) bench.lastPlot = now;
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  watch();
  for (const type of ['pointerdown', 'keydown'])
    window.addEventListener(type, () => { bench.lastInput = performance.now(); }, true);
})();
"""

IDLE_JS = """
(quiet) => {
  const bench = window.__bench;
  const app = document.querySelector("[data-testid='stApp']");
  if (!bench || !app || app.getAttribute('data-test-script-state') === 'running') return null;
  if (document.querySelector("[data-testid='stStatusWidget'], [data-testid='stSkeleton']")) return null;
  const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
  if (!Array.from(charts).every(c => c.querySelector('.js-plotly-plot .main-svg'))) return null;
  const now = performance.now();
  if (now - bench.lastMutation < quiet) return null;
  return {now, lastMutation: bench.lastMutation, lastPlot: bench.lastPlot, lastInput: bench.lastInput,
          charts: charts.length, nodes: document.getElementsByTagName('*').length};
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    run_log: Path
    _read: int = 0

    def new_runs(self) -> list[dict]:
        """Script runs logged since the last call."""
        try:
            with self.run_log.open(encoding="utf-8") as handle:
                handle.seek(self._read)
                text = handle.read()
                self._read = handle.tell()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def rss_kb(self) -> int | None:
        return rss_kb(self.process.pid)

    def stop(self) -> None:
        stop_server(self.process)


def start_server(store: Path, workdir: Path) -> Server:
    port = free_port()
    run_log = workdir / f"runs-{port}.jsonl"
    env = {**os.environ, "DASHBOARD_STORE": str(store), "BENCH_RUN_LOG": str(run_log)}
    output = (workdir / f"server-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.serve", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return Server(process, f"http://127.0.0.1:{port}", run_log)
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"the benchmark server did not start; see {output.name}")


@dataclass
class Traffic:
    received: int = 0
    sent: int = 0
    frames: int = 0

    def attach(self, page) -> None:
        def on_socket(ws):
            if "_stcore/stream" not in ws.url:
                return
            ws.on("framereceived", self._received)
            ws.on("framesent", self._sent)
        page.on("websocket", on_socket)

    def _received(self, payload) -> None:
        self.received += len(payload)
        self.frames += 1

    def _sent(self, payload) -> None:
        self.sent += len(payload)


def wait_idle(page, timeout_s: float, since_input: bool = False) -> dict | None:
    """Poll until idle; with `since_input`, also until something changed after the last input."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = page.evaluate(IDLE_JS, QUIET_MS)
        if state and (not since_input or state["lastMutation"] > state["lastInput"]):
            return state
        page.wait_for_timeout(50)
    return None


def url(server: Server, ref: PageRef, lang: str) -> str:
    return f"{server.base_url}/{ref.url_path}?lang={lang}"


@dataclass
class PageLoad:
    render_ms: float | None
    last_chart_ms: float | None
    ws_in: int
    ws_out: int
    charts: int
    nodes: int
    server_ms: float
    error: str | None = None


def load_page(browser, server: Server, ref: PageRef, lang: str, timeout_s: float):
    """A first visit: new context, navigate, wait until idle. Returns (PageLoad, context, page, traffic)."""
    context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    traffic = Traffic()
    traffic.attach(page)
    server.new_runs()
    try:
        page.goto(url(server, ref, lang), wait_until="commit", timeout=timeout_s * 1000)
        state = wait_idle(page, timeout_s)
    except Exception as exc:  # noqa: BLE001 - a failed load is a result
        return PageLoad(None, None, traffic.received, traffic.sent, 0, 0, 0.0, f"{type(exc).__name__}: {exc}"[:200]), \
            context, page, traffic
    runs = server.new_runs()
    if state is None:
        return PageLoad(None, None, traffic.received, traffic.sent, 0, 0, sum(r["ms"] for r in runs),
                        "timeout"), context, page, traffic
    return PageLoad(state["lastMutation"], state["lastPlot"] or None, traffic.received, traffic.sent,
                    state["charts"], state["nodes"], sum(r["ms"] for r in runs)), context, page, traffic


@dataclass
class Round:
    ms: float | None
    server_ms: float
    runs: int
    ws_in: int
    error: str | None = None
    server_cpu_ms: float = 0.0


def interact(page, server: Server, traffic: Traffic, action: Callable[[], None], timeout_s: float) -> Round:
    """Do `action` (ending with the user's key/pointer event) and time it until idle again."""
    wait_idle(page, timeout_s)
    server.new_runs()
    before = traffic.received
    try:
        action()
    except NotOnThisPage as exc:
        return Round(None, 0.0, 0, 0, str(exc))
    except Exception as exc:  # noqa: BLE001 - the control did not work, say so
        return Round(None, 0.0, 0, 0, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"[:200])
    state = wait_idle(page, timeout_s, since_input=True)
    runs = server.new_runs()
    if state is None:
        return Round(None, sum(r["ms"] for r in runs), len(runs), traffic.received - before, "no change")
    if not runs:
        return Round(None, 0.0, 0, traffic.received - before, "no rerun")
    return Round(state["lastMutation"] - state["lastInput"], sum(r["ms"] for r in runs), len(runs),
                 traffic.received - before, server_cpu_ms=sum(r["cpu_ms"] for r in runs))


# ------------------------------------------------------------------------------ interactions

class NotOnThisPage(LookupError):
    """The page does not offer this interaction (e.g. no sidebar in presenter mode)."""


def _sidebar_multiselect(page, index: int):
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input[role='combobox']:visible")
    if box.count() <= index:
        raise NotOnThisPage("n/a: no sidebar filter on this page")
    return box.nth(index)


def filter_add(page) -> None:
    """Choose the first pillar in the sidebar filter (type its id, Enter)."""
    box = _sidebar_multiselect(page, 0)
    box.click(timeout=3000)
    box.type("P1", delay=20)
    page.wait_for_timeout(150)
    box.press("Enter")


def filter_remove(page) -> None:
    """Remove the chosen pillar again (Backspace in the filter)."""
    box = _sidebar_multiselect(page, 0)
    box.click(timeout=3000)
    page.wait_for_timeout(100)
    box.press("Backspace")


def rerun(page) -> None:
    """Streamlit's "r" shortcut: rerun the page with nothing changed (a warm rerun on the real server)."""
    page.mouse.click(VIEWPORT["width"] // 2, 60)  # focus the page, away from any input or chart
    page.keyboard.press("r")


def language(target: str) -> Callable:
    names = {"en": "English", "ko": "한국어"}

    def switch(page) -> None:
        option = page.locator("[data-testid='stRadioOption']:visible", has_text=names[target])
        if not option.count():  # the presenter view has a language button instead
            option = page.get_by_role("button", name=names[target], exact=True)
        if not option.count():
            raise NotOnThisPage("n/a: no language switch on this page")
        option.first.click(timeout=3000)
    return switch


def next_slide(page) -> None:
    """The briefing's "next slide" button, or the Right arrow key it also answers to."""
    button = page.get_by_role("button", name=re.compile(r"다음|next|→|›|▶", re.IGNORECASE))
    if button.count():
        button.first.click(timeout=3000)
    else:
        page.locator("body").press("ArrowRight")


# A point inside the largest visible country of the first map (Plotly geo finds the location under
# the pointer itself, so the point must be inside the country's shape, not just its bounding box).
_MAP_POINT_JS = """() => {
  const paths = Array.from(document.querySelectorAll('.js-plotly-plot path.choroplethlocation'));
  const boxes = paths.map(p => [p, p.getBoundingClientRect()]).filter(([p, b]) => b.width * b.height > 0)
                     .sort((a, b) => b[1].width * b[1].height - a[1].width * a[1].height);
  for (const [p, b] of boxes.slice(0, 40)) {
    const inverse = p.getScreenCTM().inverse();
    for (let i = 1; i < 8; i++) for (let j = 1; j < 8; j++) {
      const x = b.x + b.width * i / 8, y = b.y + b.height * j / 8;
      if (p.isPointInFill(new DOMPoint(x, y).matrixTransform(inverse))) return [x, y];
    }
  }
  return null;
}"""


def map_click(page) -> None:
    """Click inside the largest country of the first map on the page."""
    point = page.evaluate(_MAP_POINT_JS)
    if point is None:
        raise NotOnThisPage("n/a: no map on this page")
    page.mouse.move(*point)
    page.wait_for_timeout(100)
    page.mouse.click(*point)


def interactions_for(ref: PageRef) -> list[tuple[str, Callable]]:
    """The typical interactions of a page: filters and language everywhere, plus its own."""
    steps: list[tuple[str, Callable]] = [("rerun", rerun), ("rerun", rerun), ("rerun", rerun),
                                         ("filter", filter_add), ("filter", filter_remove),
                                         ("language", language("en")), ("language", language("ko"))]
    if ref.name == "briefing":
        steps.append(("next_slide", next_slide))
    if ref.name == "regions":
        steps.append(("map_click", map_click))
    return steps


# ------------------------------------------------------------------------------------- main

@dataclass
class BrowserResult:
    pages: dict[str, dict] = field(default_factory=dict)
    memory: dict = field(default_factory=dict)
    cold_first_load: dict = field(default_factory=dict)
    elapsed_s: float = 0.0


def _load_summary(loads: list[PageLoad]) -> dict:
    ok = [l for l in loads if l.error is None]
    return {
        "render_ms": median(l.render_ms for l in ok),
        "last_chart_ms": median(l.last_chart_ms for l in ok),
        "ws_in_bytes": median(l.ws_in for l in ok),
        "ws_out_bytes": median(l.ws_out for l in ok),
        "charts": max((l.charts for l in ok), default=0),
        "dom_nodes": median(l.nodes for l in ok),
        "load_server_ms": median(l.server_ms for l in ok),
        "loads": len(ok),
        "load_errors": sorted({l.error for l in loads if l.error}),
    }


def measure(store: Path, pages: list[PageRef], workdir: Path, *, lang: str = "ko", loads: int = 3,
            rounds: int = 3, sessions: int = 10, timeout_s: float = 60.0, first_visits: bool = True,
            log=print) -> BrowserResult:
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    result = BrowserResult()
    server = start_server(store, workdir)
    try:
        time.sleep(1.0)
        result.memory["rss_start_kb"] = server.rss_kb()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                _measure_pages(browser, server, pages, result, lang=lang, loads=loads, rounds=rounds,
                               timeout_s=timeout_s, log=log, first_visits=first_visits)
                result.memory["rss_after_pages_kb"] = server.rss_kb()
                if sessions:
                    _measure_sessions(browser, server, pages, result, lang=lang, sessions=sessions,
                                      timeout_s=timeout_s, log=log)
            finally:
                browser.close()
    finally:
        server.stop()
    result.elapsed_s = round(time.perf_counter() - started, 1)
    return result


def navigate(page, server: Server, ref: PageRef, timeout_s: float) -> Round:
    """Click the page's link in the sidebar navigation and time it until idle (an in-app page switch)."""
    href = f"{server.base_url}/{ref.url_path}"

    def click() -> None:
        link = page.locator(f"[data-testid='stSidebarNav'] a[href='{href}']")
        if not link.count():
            raise NotOnThisPage("n/a: no navigation link")
        link.first.click(timeout=3000)
    return interact(page, server, Traffic(), click, timeout_s)


def _measure_pages(browser, server: Server, pages: list[PageRef], result: BrowserResult, *, lang: str,
                   loads: int, rounds: int, timeout_s: float, log, first_visits: bool = True) -> None:
    """Per page: a first visit (new context, direct URL) if `first_visits`; `loads` in-app
    navigations to it from the chart floor (Plotly bundle already loaded, as when an official clicks
    around); then `rounds` of its interactions. All but the first visits share one browser tab."""
    load, context, _page, _traffic = load_page(browser, server, pages[0], lang, timeout_s)
    context.close()  # the very first visit after the server started: every cache cold
    result.cold_first_load = {"page": pages[0].name, **load.__dict__}
    log(f"  browser cold first load of {pages[0].name}: {load.render_ms} ms")
    start = next((p for p in pages if p.name == CHART_FLOOR), pages[0])
    tab_load, tab_context, tab, traffic = load_page(browser, server, start, lang, timeout_s)
    try:
        for ref in pages:
            entry: dict = {}
            if first_visits:
                first, context, _page, _traffic = load_page(browser, server, ref, lang, timeout_s)
                context.close()
                entry.update(_load_summary([first]))
            navs: list[Round] = []
            for _ in range(loads):
                if ref.name != start.name:
                    back = navigate(tab, server, start, timeout_s)
                    if back.error:
                        tab.goto(url(server, start, lang), wait_until="commit", timeout=timeout_s * 1000)
                        wait_idle(tab, timeout_s)
                navs.append(navigate(tab, server, ref, timeout_s))
            ok = [r for r in navs if r.error is None]
            entry.update({"nav_ms": median(r.ms for r in ok), "nav_server_ms": median(r.server_ms for r in ok),
                          "nav_n": len(ok), "nav_errors": sorted({r.error for r in navs if r.error})})
            if not ok:  # make sure the tab shows the page before its interactions
                tab.goto(url(server, ref, lang), wait_until="commit", timeout=timeout_s * 1000)
                wait_idle(tab, timeout_s)
            timings: dict[str, list[Round]] = {}
            for _ in range(rounds):
                for name, action in interactions_for(ref):
                    timings.setdefault(name, []).append(
                        interact(tab, server, traffic, lambda a=action: a(tab), timeout_s=min(timeout_s, 20)))
            for name, values in timings.items():
                ok = [r for r in values if r.error is None]
                entry[f"{name}_ms"] = median(r.ms for r in ok)
                entry[f"{name}_server_ms"] = median(r.server_ms for r in ok)
                entry[f"{name}_server_cpu_ms"] = median(r.server_cpu_ms for r in ok)
                entry[f"{name}_ws_bytes"] = median(r.ws_in for r in ok)
                entry[f"{name}_n"] = len(ok)
                errors = sorted({r.error for r in values if r.error})
                if errors:
                    entry[f"{name}_errors"] = errors
            if ref.name == "briefing" or any(e.startswith("n/a") for e in entry.get("filter_errors", [])):
                # presenter mode hides the sidebar (and its navigation): start again from the chart floor
                tab.goto(url(server, start, lang), wait_until="commit", timeout=timeout_s * 1000)
                wait_idle(tab, timeout_s)
            result.pages[ref.name] = entry
            shown = {k: (round(v) if isinstance(v, float) else v) for k, v in entry.items()
                     if k in ("render_ms", "nav_ms", "ws_in_bytes", "rerun_ms", "rerun_server_ms", "filter_ms",
                              "language_ms", "next_slide_ms", "map_click_ms")
                     or (k.endswith("_errors") and v)}
            log(f"  browser {ref.name}: {shown}")
    finally:
        tab_context.close()


def _measure_sessions(browser, server: Server, pages: list[PageRef], result: BrowserResult, *, lang: str,
                      sessions: int, timeout_s: float, log) -> None:
    """N sessions opened at once (spread over the pages), RSS once they have settled, then closed."""
    before = server.rss_kb()
    opened = []
    for index in range(sessions):
        context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        page.goto(url(server, pages[index % len(pages)], lang), wait_until="commit", timeout=timeout_s * 1000)
        opened.append((context, page))
    settled = sum(wait_idle(page, timeout_s) is not None for _, page in opened)
    time.sleep(1.0)
    result.memory.update({"sessions": sessions, "sessions_settled": settled, "rss_before_sessions_kb": before,
                          "rss_with_sessions_kb": server.rss_kb()})
    for context, _ in opened:
        context.close()
    time.sleep(5.0)
    result.memory["rss_after_close_kb"] = server.rss_kb()
    log(f"  browser memory: {result.memory}")
