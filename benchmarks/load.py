"""Load test: many concurrent browser sessions switching pages, languages and filters.

    python -m benchmarks.load --driver browser [--sessions 25] [--duration 60] [--think 1.0] [--out PATH]

`python -m benchmarks.load` without `--driver browser` runs the websocket protocol driver
instead (benchmarks/load_protocol.py): its sessions cost the shared CPU almost nothing, so it
measures the server; this browser driver also measures 25 Chromium renderers on the same cores.

Starts the app (`python -m dashboard.serve`) on a free loopback port with a fresh store, opens
`--sessions` Playwright contexts in one headless Chromium (Debian's, as the browser tests use),
loads the overview in each, then for `--duration` seconds every session repeats: pick an action
(switch page, switch language, change the pillar or region filter), do it, wait until the server
says the script run finished, wait for the page to settle, think for ~`--think` seconds.
Not part of the test suite (`make load` runs it).

Figures (printed, and written to benchmarks/results/load.json):
* sessions, interactions, errors (timeouts, exceptions shown on the page, failed or outside
  requests, JavaScript errors, lost connections) with samples;
* interaction latency, median and p95, three ways: server (the browser's rerun request leaving
  over the websocket -> the run's `script_finished` message arriving: queueing, script run and
  transfer), click -> `script_finished` arrived, and click -> page settled (charts drawn). The
  last two include the time the test browsers need for input and drawing, which on this machine
  share the server's two cores with 25 renderers;
* lost actions: the test browser could not find, click or type into the widget, or never sent
  the rerun request, within 30 s (a renderer starved of CPU); reported apart from app errors,
  which are counted from the moment the request left the browser;
* server and machine CPU (from /proc) during the load;
* server memory from /proc/<pid>/status: idle, with one warmed-up session, peak during the load
  (sampled every 0.2 s, and the kernel's VmHWM), after the load; memory per extra session =
  (peak - one session) / (sessions - 1).

Only loopback addresses are used (the server binds 127.0.0.1; any other request is aborted and
counted as an error). Session count and duration are bounded (<= 60 sessions, <= 600 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from urllib.parse import parse_qs, urlparse
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.loadcommon import (MAX_DURATION, MAX_SESSIONS, NAV_PATHS, RESULTS, ROOT, TARGETS, TIMEOUT_S,
                                   MemorySampler, cpu_seconds, machine_busy_seconds, proc_status,
                                   script_runs, start_server, stop_server, summary)
from dashboard.serve import free_port

# The protocol driver (default) measures the server; the browser driver measures whole browsers.
DRIVERS = ("protocol", "browser")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--disable-renderer-backgrounding",
                 "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"]

SETTLED_JS = """(charts) => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.getAttribute('data-test-script-state') === 'running') return false;
    if (document.querySelector("[data-testid='stStatusWidget']")) return false;
    if (!charts) return true;
    const plots = document.querySelectorAll('.js-plotly-plot');
    return Array.from(plots).every(p => p.querySelector('.main-svg'));
}"""
# With --no-draw-charts the test browsers keep every chart element (the server builds and sends
# each figure as usual) but do not draw it: 25 Plotly renderers would otherwise take the two
# cores the server runs on, which real users' browsers, on their own machines, do not.
HIDE_CHARTS_JS = """document.addEventListener('DOMContentLoaded', () => {
    const style = document.createElement('style');
    style.textContent = "[data-testid='stPlotlyChart'] { display: none !important; }";
    document.head.appendChild(style);
});"""


# --------------------------------------------------------------------------- sessions


@dataclass
class Stats:
    server: dict[str, list[float]] = field(default_factory=dict)  # kind -> ms
    delivered: dict[str, list[float]] = field(default_factory=dict)
    settled: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)

    def add(self, kind: str, server_ms: float, delivered_ms: float, settled_ms: float) -> None:
        self.server.setdefault(kind, []).append(server_ms)
        self.delivered.setdefault(kind, []).append(delivered_ms)
        self.settled.setdefault(kind, []).append(settled_ms)

    def clear_latencies(self) -> None:
        self.server.clear()
        self.delivered.clear()
        self.settled.clear()
        self.misses.clear()


class Session:
    def __init__(self, number: int, base: str, stats: Stats, seed: int, draw_charts: bool = True):
        self.number, self.base, self.stats = number, base, stats
        self.draw_charts = draw_charts
        self.random = random.Random(seed * 7919 + number)
        self.finished = asyncio.Event()  # a script run finished (ForwardMsg script_finished)
        self.sent = asyncio.Event()  # the browser sent a rerun request (BackMsg rerun_script)
        self.sent_at: float | None = None
        self.finished_at = 0.0
        self.path = ""
        self.lang = "ko"
        self.page = None
        self.context = None

    def error(self, text: str) -> None:
        self.stats.errors.append(f"session {self.number}: {text}")

    def _frame(self, payload) -> None:
        """A message from the server: note when a script run finished."""
        if isinstance(payload, (bytes, bytearray)) and len(payload) < 512:
            from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

            try:
                message = ForwardMsg.FromString(bytes(payload))
            except Exception:  # noqa: BLE001 - not a ForwardMsg we care about
                return
            if message.WhichOneof("type") == "script_finished":
                if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.error("script compile error")
                if message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    self.finished_at = time.perf_counter()
                    self.finished.set()

    def _sent(self, payload) -> None:
        """A message to the server: note when the browser asked for a rerun (after a click)."""
        if isinstance(payload, (bytes, bytearray)) and self.sent_at is None:
            from streamlit.proto.BackMsg_pb2 import BackMsg

            try:
                message = BackMsg.FromString(bytes(payload))
            except Exception:  # noqa: BLE001
                return
            if message.WhichOneof("type") == "rerun_script":
                self.sent_at = time.perf_counter()
                self.sent.set()

    def expect_run(self) -> None:
        self.finished.clear()
        self.sent.clear()
        self.sent_at = None

    async def open(self, browser) -> None:
        self.context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="ko-KR")

        async def guard(route):
            url = route.request.url
            if url.startswith((self.base, "data:", "blob:")):
                await route.continue_()
            else:
                self.error(f"outside request blocked: {url[:100]}")
                await route.abort()

        await self.context.route("**/*", guard)
        if not self.draw_charts:
            await self.context.add_init_script(HIDE_CHARTS_JS)
        self.page = await self.context.new_page()
        self.page.on("websocket", lambda ws: (ws.on("framereceived", self._frame), ws.on("framesent", self._sent),
                                              ws.on("close", lambda _: self._closed())))
        self.page.on("pageerror", lambda exc: self.error(f"page error: {str(exc)[:200]}"))
        self.page.on("requestfailed", lambda request: self.error(
            f"request failed: {request.url[:100]} {request.failure}")
            if request.url.startswith(self.base) and "/_stcore/stream" not in request.url else None)
        started = time.perf_counter()
        self.expect_run()
        await self.page.goto(f"{self.base}/?lang={self.lang}")
        await asyncio.wait_for(self.finished.wait(), TIMEOUT_S * 2)
        await self.page.wait_for_function(SETTLED_JS, arg=self.draw_charts, timeout=TIMEOUT_S * 2000)
        self.stats.loads.append((time.perf_counter() - started) * 1000)

    def _closed(self) -> None:
        if not getattr(self, "closing", False):
            self.error("websocket closed by the server")

    async def close(self) -> None:
        self.closing = True
        if self.context is not None:
            await self.context.close()

    # ------------------------------------------------------------------- actions

    async def click(self, locator) -> None:
        """A plain mouse click at the element's centre, as a person would do it.

        (Playwright's actionability checks sometimes wait forever for a sidebar widget to be
        "stable" while the page is otherwise idle; the mouse click is what a user does anyway.)
        """
        await locator.scroll_into_view_if_needed(timeout=TIMEOUT_S * 1000)
        box = await locator.bounding_box(timeout=TIMEOUT_S * 1000)
        if box is None:
            raise LookupError("element not visible")
        await self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    async def goto(self, target: str) -> None:
        """Click the sidebar link of page `target` ("" is the overview)."""
        links = self.page.locator("[data-testid='stSidebarNav'] a")
        for index in range(await links.count()):
            link = links.nth(index)
            href = (await link.get_attribute("href") or "").split("?")[0].rstrip("/")
            if href.rsplit("/", 1)[-1] == target or (target == "" and href == self.base.rstrip("/")):
                await self.click(link)
                self.path = target
                return
        raise LookupError(f"no sidebar link to /{target}")

    async def _switch_page(self) -> None:
        await self.goto(self.random.choice([p for p in NAV_PATHS if p != self.path]))

    async def _switch_language(self) -> None:
        self.lang = "en" if self.lang == "ko" else "ko"
        label = "English" if self.lang == "en" else "한국어"
        await self.click(self.page.locator("[data-testid='stSidebar'] [data-testid='stRadio'] label").filter(
            has_text=label).first)

    async def _change_filter(self) -> None:
        """Add a pillar or region to the sidebar filter (keyboard choice), or drop the last one."""
        which = self.random.randrange(2)
        box = self.page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").nth(which)
        # The URL holds the chosen ids (?pillar=P1,P2&region=SEA), so it tells how many are chosen.
        query = parse_qs(urlparse(self.page.url).query).get(("pillar", "region")[which], [""])[0]
        chosen = len([item for item in query.split(",") if item])
        await self.click(box.locator("input"))
        if chosen >= 2:
            await self.page.keyboard.press("Backspace")  # drop the last chosen value
        else:
            await self.page.locator("[role='option']").first.wait_for(timeout=TIMEOUT_S * 1000)
            # The list opens on its "select all" entry; move down to a single value first.
            for _ in range(1 + self.random.randrange(3)):
                await self.page.keyboard.press("ArrowDown")
            await self.page.keyboard.press("Enter")
        await self.page.keyboard.press("Escape")

    async def act(self) -> None:
        kind = self.random.choices(["page", "language", "filter"], weights=[3, 1, 3])[0]
        action = {"page": self._switch_page, "language": self._switch_language, "filter": self._change_filter}[kind]
        where = f"{kind} on /{self.path} ({self.lang})"
        self.expect_run()
        started = time.perf_counter()
        try:
            await action()
            await asyncio.wait_for(self.sent.wait(), TIMEOUT_S)
        except Exception as error:  # noqa: BLE001
            # The browser never sent the rerun request: the test browser could not find, click or
            # type into the widget in time (starved of CPU), so the action never reached the app.
            # Counted and reported apart from the app's errors.
            self.stats.misses.append(f"{where}: {type(error).__name__}")
            return
        try:
            await asyncio.wait_for(self.finished.wait(), TIMEOUT_S)
            delivered = (self.finished_at - started) * 1000
            server = (self.finished_at - self.sent_at) * 1000
            await self.page.wait_for_function(SETTLED_JS, arg=self.draw_charts, timeout=TIMEOUT_S * 1000)
            settled = (time.perf_counter() - started) * 1000
        except Exception as error:  # noqa: BLE001 - every failure is counted, the run goes on
            self.error(f"{where}: {type(error).__name__}: {str(error)[:160]}")
            return
        if await self.page.locator("[data-testid='stException']").count():
            self.error(f"exception shown after {where}")
        self.stats.add(kind, server, delivered, settled)

    async def run_until(self, deadline: float, think: float) -> None:
        while time.monotonic() < deadline:
            await self.act()
            await asyncio.sleep(think * self.random.uniform(0.5, 1.5))


# --------------------------------------------------------------------------- orchestration


async def drive(base: str, server_pid: int, sessions: int, duration: float, think: float, seed: int,
                ramp: float, draw_charts: bool = True) -> dict:
    from playwright.async_api import async_playwright

    stats = Stats()
    memory: dict[str, float] = {"idle_mb": proc_status(server_pid)["VmRSS"]}
    sampler = MemorySampler(server_pid)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            first = Session(0, base, stats, seed, draw_charts)
            await first.open(browser)
            # Warm the server's caches: every page in both languages, then measure one session.
            for _ in range(2):
                first.expect_run()
                await first._switch_language()
                await asyncio.wait_for(first.finished.wait(), TIMEOUT_S)
                for path in NAV_PATHS[1:] + [""]:
                    first.expect_run()
                    await first.goto(path)
                    await asyncio.wait_for(first.finished.wait(), TIMEOUT_S)
                    await first.page.wait_for_function(SETTLED_JS, arg=first.draw_charts, timeout=TIMEOUT_S * 1000)
            memory["one_session_mb"] = proc_status(server_pid)["VmRSS"]
            stats.clear_latencies()
            warm_errors = list(stats.errors)
            sampler.start()
            others = [Session(n, base, stats, seed, draw_charts) for n in range(1, sessions)]
            for session in others:  # staggered arrival
                await session.open(browser)
                await asyncio.sleep(ramp)
            memory["all_open_mb"] = proc_status(server_pid)["VmRSS"]
            deadline = time.monotonic() + duration
            started = time.monotonic()
            window_start = time.time()
            cpu_before, busy_before = cpu_seconds(server_pid), machine_busy_seconds()
            await asyncio.gather(*(s.run_until(deadline, think) for s in [first, *others]))
            elapsed = time.monotonic() - started
            window = (window_start, time.time())
            server_cpu = cpu_seconds(server_pid) - cpu_before
            busy_after = machine_busy_seconds()
            machine_busy = busy_after[0] - busy_before[0]
            machine_total = busy_after[1] - busy_before[1]
            memory["after_load_mb"] = proc_status(server_pid)["VmRSS"]
            status = proc_status(server_pid)
            sampler.stopped.set()
            memory["peak_sampled_mb"] = max(sampler.peak, memory["after_load_mb"], memory["all_open_mb"])
            memory["hwm_mb"] = status["VmHWM"]
            for session in [first, *others]:
                await session.close()
        finally:
            await browser.close()
    server_ms = [v for values in stats.server.values() for v in values]
    delivered = [v for values in stats.delivered.values() for v in values]
    settled = [v for values in stats.settled.values() for v in values]
    peak = memory["peak_sampled_mb"]
    per_session = (peak - memory["one_session_mb"]) / max(1, sessions - 1)
    per_session_open = (memory["after_load_mb"] - memory["one_session_mb"]) / max(1, sessions - 1)
    return {
        "_window": window,
        "sessions": sessions,
        "duration_s": round(elapsed, 1),
        "interactions": len(delivered),
        "interactions_per_s": round(len(delivered) / elapsed, 2) if elapsed else None,
        "errors": len(stats.errors),
        "error_samples": stats.errors[:20],
        "warm_up_errors": len(warm_errors),
        "lost_actions": len(stats.misses),
        "lost_action_samples": stats.misses[:10],
        "latency_server_ms": {**summary(server_ms), "by_kind": {k: summary(v) for k, v in stats.server.items()}},
        "latency_delivered_ms": {**summary(delivered), "by_kind": {k: summary(v) for k, v in stats.delivered.items()}},
        "latency_settled_ms": {**summary(settled), "by_kind": {k: summary(v) for k, v in stats.settled.items()}},
        "first_load_ms": summary(stats.loads),
        "memory_mb": {k: round(v, 1) for k, v in memory.items()},
        "server_cpu": {"seconds": round(server_cpu, 1), "cores_busy": round(server_cpu / elapsed, 2),
                       "ms_per_interaction": round(server_cpu * 1000 / max(1, len(delivered)))},
        "machine_cpu": {"cores_busy": round(machine_busy / elapsed, 2),
                        "of_cores": round(machine_total / elapsed, 2),
                        "other_than_server_cores_busy": round((machine_busy - server_cpu) / elapsed, 2)},
        "mb_per_extra_session": round(per_session, 2),
        "mb_per_extra_session_after_load": round(per_session_open, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """`--driver protocol` (default): websocket sessions (benchmarks.load_protocol); `browser`: this file's."""
    chooser = argparse.ArgumentParser(add_help=False)
    chooser.add_argument("--driver", choices=DRIVERS, default=DRIVERS[0])
    choice, rest = chooser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if choice.driver == "protocol":
        from benchmarks import load_protocol

        return load_protocol.main(rest)
    return browser_main(rest)


def browser_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load --driver browser",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load after all sessions opened")
    parser.add_argument("--think", type=float, default=3.0, help="mean pause between a session's interactions (s)")
    parser.add_argument("--ramp", type=float, default=0.3, help="pause between opening sessions (s)")
    parser.add_argument("--seed", type=int, default=20171207)
    parser.add_argument("--no-draw-charts", dest="draw_charts", action="store_false",
                        help="test browsers receive every chart but do not draw it (frees the shared CPU)")
    parser.add_argument("--store", type=Path, help="store folder (default: a fresh temporary one)")
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS or not 0 < args.duration <= MAX_DURATION:
        parser.error(f"use 1..{MAX_SESSIONS} sessions and a duration of at most {MAX_DURATION} s")
    if not Path(CHROMIUM).exists():
        parser.error(f"Debian chromium not found at {CHROMIUM} (make browser installs it)")

    with tempfile.TemporaryDirectory(prefix="load-store-") as scratch:
        store = args.store or Path(scratch) / "store"
        run_log = Path(scratch) / "runs.log"
        port = free_port()
        server = start_server(store, port, run_log)
        try:
            result = asyncio.run(drive(f"http://127.0.0.1:{port}", server.pid, args.sessions, args.duration,
                                       args.think, args.seed, args.ramp, args.draw_charts))
        finally:
            stop_server(server)
        result["script_runs"] = script_runs(run_log, result.pop("_window"))

    result["settings"] = {"think_s": args.think, "ramp_s": args.ramp, "seed": args.seed,
                          "browsers_draw_charts": args.draw_charts}
    result["machine"] = {"cpus": os.cpu_count(), "load_avg_after": [round(x, 2) for x in os.getloadavg()],
                         "python": platform.python_version()}
    result["targets"] = TARGETS
    result["meets_targets"] = {
        "errors": result["errors"] == TARGETS["errors"],
        "p95_server": (result["latency_server_ms"]["p95"] or 1e9) < TARGETS["p95_ms"],
        "p95_click_to_delivered": (result["latency_delivered_ms"]["p95"] or 1e9) < TARGETS["p95_ms"],
        "memory": result["mb_per_extra_session"] < TARGETS["mb_per_extra_session"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    d, s, m = result["latency_delivered_ms"], result["latency_settled_ms"], result["memory_mb"]
    print(f"sessions                  {result['sessions']} (one Chromium, {result['duration_s']} s of load)")
    print(f"interactions              {result['interactions']} ({result['interactions_per_s']}/s)")
    print(f"errors                    {result['errors']}")
    for sample in result["error_samples"][:5]:
        print(f"  - {sample}")
    v = result["latency_server_ms"]
    print(f"lost actions              {result['lost_actions']} (the test browser never sent the click/key to the app)")
    print(f"latency, server           median {v['median']} ms, p95 {v['p95']} ms, max {v['max']} ms "
          "(rerun request sent -> script_finished received)")
    for kind, figures in v["by_kind"].items():
        print(f"  {kind:<9}               median {figures['median']} ms, p95 {figures['p95']} ms (n={figures['n']})")
    runs = result["script_runs"]
    print(f"script runs in the server median {runs['wall_ms']['median']} ms, p95 {runs['wall_ms']['p95']} ms wall; "
          f"CPU median {runs['cpu_ms']['median']} ms, p95 {runs['cpu_ms']['p95']} ms (n={runs['wall_ms']['n']})")
    print(f"latency, click -> done    median {d['median']} ms, p95 {d['p95']} ms, max {d['max']} ms")
    print(f"latency, page settled     median {s['median']} ms, p95 {s['p95']} ms (charts drawn; all browsers "
          f"share the server's {os.cpu_count()} cores)")
    print(f"server memory             idle {m['idle_mb']} MB, one session {m['one_session_mb']} MB, "
          f"{result['sessions']} open {m['all_open_mb']} MB, peak {m['peak_sampled_mb']} MB (VmHWM {m['hwm_mb']} MB)")
    c, mc = result["server_cpu"], result["machine_cpu"]
    print(f"server CPU                {c['cores_busy']} cores busy, {c['ms_per_interaction']} ms CPU per interaction; "
          f"machine {mc['cores_busy']} of {mc['of_cores']} cores busy ({mc['other_than_server_cores_busy']} "
          "by the browsers and everything else)")
    print(f"memory per extra session  {result['mb_per_extra_session']} MB at peak, "
          f"{result['mb_per_extra_session_after_load']} MB after the load")
    print(f"targets met               {result['meets_targets']}")
    print(f"written                   {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
