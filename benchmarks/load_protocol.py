"""Load test over Streamlit's websocket protocol: many sessions switching pages, languages, filters.

    python -m benchmarks.load [--sessions 25] [--duration 60] [--think 3.0] [--out PATH]
    python -m benchmarks.load_protocol ...   (the same driver)

Why not browsers (`python -m benchmarks.load --driver browser`): 25 headless Chromium renderers
take the machine's two cores, so that driver measures the test browsers as much as the server.
Here every session is one websocket to /_stcore/stream (an asyncio task in this process) that
speaks what a browser speaks, so the load costs the machine little besides the server itself.

What a session sends (BackMsg rerun_script; the same as Chromium sends to this app, checked by
decoding a browser session's frames):
* open: query string `lang=ko`, no page (the overview), a browser's context_info;
* page switch: the target's page_script_hash (from the `navigation` message's app_pages) and an
  empty query string (Streamlit's sidebar navigation drops it; the app writes its ids back);
* language switch, filter change: the current page with the address bar's query string (kept
  from `page_info_changed`) changed in `lang`, `pillar` or `region`. The app takes a changed URL
  over its widgets (dashboard.ui.state.url_bound); a browser would send the widget's new value
  instead. Either way the server runs the whole script once. Widget states are sent empty (the
  app's widgets are keyed, their values stay in the session);
* cached_message_hashes: like the browser, a session keeps the large cacheable messages it got
  and lists them, so the server answers with `ref_hash` references, which the session resolves
  (an unknown reference is an error). Entries unused for `global.maxCachedMessageAge` (2)
  finished runs are dropped.

Latency = rerun_script sent -> that run's script_finished received (script run, queueing behind
other sessions' runs, serialisation and transfer). Bytes = websocket payload received in that
span. Errors: an `exception` element in any delta, a compile error or page_not_found, a run of
another page than the one asked for, a lost connection, no script_finished within 30 s. A
session that timed out or lost its connection stops (its later answers could not be told apart).

Server CPU and memory are read from /proc as benchmarks.load does (benchmarks.loadcommon), and
every script run is timed inside the server by the same hook. Only 127.0.0.1 is used; session
count and duration are bounded (<= 60 sessions, <= 600 s).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from benchmarks.loadcommon import (MAX_DURATION, MAX_SESSIONS, NAV_PATHS, RESULTS, ROOT, TARGETS, TIMEOUT_S,
                                   MemorySampler, cpu_seconds, machine_busy_seconds, proc_status, script_runs,
                                   start_server, stop_server, summary)
from dashboard.serve import free_port

KINDS = {"page": 3, "language": 1, "filter": 3}  # weights, as in benchmarks.load
MAX_CACHED_MESSAGE_AGE = 2  # Streamlit's global.maxCachedMessageAge (finished runs)
FINAL = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
         ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


def table_ids(name: str, column: str) -> list[str]:
    """Filter ids from data/<name>.csv (what ?pillar= / ?region= take)."""
    with open(ROOT / "data" / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


FILTER_IDS = {"pillar": table_ids("pillars", "pillar_id"), "region": table_ids("regions", "region_id")}


def with_param(query: str, key: str, value: str) -> str:
    """`query` with `key` set to `value` (other parameters kept in order)."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != key]
    return urlencode([*pairs, (key, value)])


@dataclass
class Run:
    """One rerun request and what the server sent back for it."""

    kind: str
    page: str  # url path asked for
    page_hash: str  # page_script_hash asked for ("" = the default page)
    sent_at: float = 0.0
    finished_at: float = 0.0
    run_id: str | None = None  # from the run's new_session
    ran_hash: str | None = None  # page_script_hash the server ran (`navigation`)
    bytes: int = 0
    elements: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Stats:
    latency: dict[str, list[float]] = field(default_factory=dict)  # kind -> ms
    bytes: dict[str, list[int]] = field(default_factory=dict)  # kind -> bytes received
    errors: list[str] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    pages: dict[str, dict] = field(default_factory=dict)  # url path -> runs, element counts
    refs: int = 0  # ref_hash messages resolved from a session's cache

    def add(self, run: Run) -> None:
        ms = (run.finished_at - run.sent_at) * 1000
        self.latency.setdefault(run.kind, []).append(ms)
        self.bytes.setdefault(run.kind, []).append(run.bytes)
        page = self.pages.setdefault(run.page or "(overview)",
                                     {"runs": 0, "latency": [], "plotly_chart": [], "elements": Counter()})
        page["runs"] += 1
        page["latency"].append(ms)
        page["plotly_chart"].append(run.elements["plotly_chart"])
        page["elements"].update(run.elements)

    def clear_latencies(self) -> None:
        self.latency.clear()
        self.bytes.clear()
        self.pages.clear()


class ProtocolSession:
    """One user: a websocket, the address bar's query string, the browser's message cache."""

    def __init__(self, number: int, port: int, stats: Stats, seed: int):
        self.number, self.port, self.stats = number, port, stats
        self.random = random.Random(seed * 7919 + number)
        self.path = ""  # url path of the page shown
        self.query = ""  # the address bar's query string, as the server last set it
        self.pages: dict[str, str] = {}  # url path -> page_script_hash (from `navigation`)
        self.cache: dict[str, list] = {}  # hash -> [ForwardMsg, finished runs when last used]
        self.finished_runs = 0
        self.run: Run | None = None
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task | None = None
        self.closing = False
        self.dead = False  # lost connection or a timed-out run: this session stops

    def error(self, text: str) -> None:
        self.stats.errors.append(f"session {self.number}: {text}")

    # ------------------------------------------------------------------- receiving

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                self._handle(frame)
        except Exception as error:  # noqa: BLE001 - a lost connection ends up here
            reason = f"{type(error).__name__}: {str(error)[:120]}"
        else:
            reason = "closed by the server"
        if not self.closing:
            self.dead = True
            self.error(f"connection lost ({reason})")
            if self.run is not None:
                self.run.done.set()

    def _handle(self, frame: bytes | str) -> None:
        run = self.run
        if isinstance(frame, str):
            self.error("text frame from the server")
            return
        if run is not None and not run.done.is_set():
            run.bytes += len(frame)
        message = ForwardMsg.FromString(frame)
        kind = message.WhichOneof("type")
        if kind == "ref_hash":
            entry = self.cache.get(message.ref_hash)
            if entry is None:
                self.error(f"reference to a message this session does not hold ({message.ref_hash[:12]})")
                return
            entry[1] = self.finished_runs
            self.stats.refs += 1
            message, kind = entry[0], entry[0].WhichOneof("type")
        elif message.metadata.cacheable and message.hash:
            self.cache[message.hash] = [message, self.finished_runs]
        if kind == "navigation":
            self.pages = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
        elif kind == "page_info_changed":
            self.query = message.page_info_changed.query_string
        if run is None or run.done.is_set():
            return
        if kind == "new_session":
            run.run_id = message.metadata.run.script_run_id
        elif kind == "navigation":  # st.navigation says which page it ran (new_session: which was asked for)
            run.ran_hash = message.navigation.page_script_hash
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element.WhichOneof("type")
            run.elements[element] += 1
            if element == "exception":
                shown = message.delta.new_element.exception
                run.problems.append(f"exception element {shown.type}: {shown.message[:160]}")
        elif kind == "page_not_found":
            run.problems.append(f"page not found: {message.page_not_found.page_name}")
        elif kind == "session_event" and message.session_event.WhichOneof("type") == "script_compilation_exception":
            run.problems.append(f"compile error: {message.session_event.script_compilation_exception.message[:160]}")
        elif kind == "script_finished":
            finished_id = message.metadata.run.script_run_id
            if finished_id and run.run_id and finished_id != run.run_id:
                return  # the end of an earlier run
            if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                run.problems.append("script finished with a compile error")
            if message.script_finished in FINAL:
                run.finished_at = time.perf_counter()
                self._age_cache()
                run.done.set()

    def _age_cache(self) -> None:
        """Drop cached messages unused for MAX_CACHED_MESSAGE_AGE finished runs (as the browser does)."""
        self.finished_runs += 1
        for key in [k for k, (_, used) in self.cache.items() if self.finished_runs - used > MAX_CACHED_MESSAGE_AGE]:
            del self.cache[key]

    # ------------------------------------------------------------------- sending

    async def rerun(self, kind: str, page: str, query: str) -> Run | None:
        """Ask for a run of `page` with `query`; the finished run, or None after an error."""
        if self.dead:
            return None
        page_hash = self.pages.get(page, "") if self.pages else ""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = query
        state.page_script_hash = page_hash
        state.widget_states.SetInParent()
        state.cached_message_hashes.extend(self.cache)
        context = state.context_info
        context.timezone, context.timezone_offset, context.locale = "UTC", 0, "ko-KR"
        context.url, context.color_scheme = f"http://127.0.0.1:{self.port}/{self.path}", "light"
        run = self.run = Run(kind, page, page_hash)
        self.query = query  # the address bar now shows what was asked for; the server corrects it
        where = f"{kind} to /{page} ?{query}"
        run.sent_at = time.perf_counter()
        try:
            await self.ws.send(message.SerializeToString())
            await asyncio.wait_for(run.done.wait(), TIMEOUT_S)
        except Exception as error:  # noqa: BLE001 - every failure is counted, the run goes on
            self.dead = True
            self.error(f"{where}: {type(error).__name__} {str(error)[:120]}".rstrip())
            return None
        if self.dead:
            return None  # the connection dropped while waiting (counted by _read)
        if page_hash and run.ran_hash != page_hash:
            run.problems.append(f"the server ran page {run.ran_hash} instead of {page_hash}")
        for problem in run.problems:
            self.error(f"{where}: {problem}")
        self.path = page
        return run

    async def open(self) -> None:
        self.ws = await connect(f"ws://127.0.0.1:{self.port}/_stcore/stream",
                                subprotocols=[Subprotocol("streamlit")], max_size=None, proxy=None,
                                open_timeout=TIMEOUT_S)
        self.reader = asyncio.create_task(self._read())
        run = await self.rerun("load", "", "lang=ko")
        if run is not None:
            self.stats.loads.append((run.finished_at - run.sent_at) * 1000)

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader

    # ------------------------------------------------------------------- actions

    def _lang(self) -> str:
        return dict(parse_qsl(self.query)).get("lang", "ko")

    async def switch_page(self, target: str | None = None) -> Run | None:
        if target is None:
            target = self.random.choice([p for p in NAV_PATHS if p != self.path])
        return await self.rerun("page", target, "")

    async def switch_language(self) -> Run | None:
        other = "en" if self._lang() == "ko" else "ko"
        return await self.rerun("language", self.path, with_param(self.query, "lang", other))

    async def change_filter(self) -> Run | None:
        """Add a pillar or region to the URL's filter, or drop the last one when two are chosen."""
        key = self.random.choice(sorted(FILTER_IDS))
        chosen = [item for item in dict(parse_qsl(self.query)).get(key, "").split(",") if item]
        if len(chosen) >= 2:
            chosen.pop()
        else:
            chosen.append(self.random.choice([item for item in FILTER_IDS[key] if item not in chosen]))
        return await self.rerun("filter", self.path, with_param(self.query, key, ",".join(chosen)))

    async def act(self) -> None:
        kind = self.random.choices(list(KINDS), weights=list(KINDS.values()))[0]
        action = {"page": self.switch_page, "language": self.switch_language, "filter": self.change_filter}[kind]
        run = await action()
        if run is not None and not run.problems:
            self.stats.add(run)

    async def run_until(self, deadline: float, think: float) -> None:
        while time.monotonic() < deadline and not self.dead:
            await self.act()
            await asyncio.sleep(think * self.random.uniform(0.5, 1.5))


# --------------------------------------------------------------------------- orchestration


async def drive(port: int, server_pid: int, sessions: int, duration: float, think: float, seed: int,
                ramp: float) -> dict:
    stats = Stats()
    memory: dict[str, float] = {"idle_mb": proc_status(server_pid)["VmRSS"]}
    sampler = MemorySampler(server_pid)
    first = ProtocolSession(0, port, stats, seed)
    others = [ProtocolSession(n, port, stats, seed) for n in range(1, sessions)]
    try:
        await first.open()
        extensions = [type(ext).__name__ for ext in first.ws.protocol.extensions]
        # Warm the server's caches: every page in both languages, then measure one session.
        for _ in range(2):
            await first.switch_language()
            for path in NAV_PATHS[1:] + [""]:
                await first.switch_page(path)
        memory["one_session_mb"] = proc_status(server_pid)["VmRSS"]
        warm_errors = list(stats.errors)
        stats.clear_latencies()
        stats.loads.clear()
        sampler.start()
        for session in others:  # staggered arrival
            await session.open()
            await asyncio.sleep(ramp)
        memory["all_open_mb"] = proc_status(server_pid)["VmRSS"]
        started = time.monotonic()
        deadline = started + duration
        window_start = time.time()
        cpu_before, busy_before, driver_before = cpu_seconds(server_pid), machine_busy_seconds(), time.process_time()
        await asyncio.gather(*(s.run_until(deadline, think) for s in [first, *others]))
        elapsed = time.monotonic() - started
        window = (window_start, time.time())
        server_cpu = cpu_seconds(server_pid) - cpu_before
        driver_cpu = time.process_time() - driver_before
        busy_after = machine_busy_seconds()
        machine_busy, machine_total = busy_after[0] - busy_before[0], busy_after[1] - busy_before[1]
        memory["after_load_mb"] = proc_status(server_pid)["VmRSS"]
        status = proc_status(server_pid)
        sampler.stopped.set()
        memory["peak_sampled_mb"] = max(sampler.peak, memory["after_load_mb"], memory["all_open_mb"])
        memory["hwm_mb"] = status["VmHWM"]
        dead = sum(s.dead for s in [first, *others])
    finally:
        for session in [first, *others]:
            await session.close()
    await asyncio.sleep(2)  # let the server drop the closed sessions
    memory["after_close_mb"] = proc_status(server_pid)["VmRSS"]

    everything = [v for values in stats.latency.values() for v in values]
    received = [v for values in stats.bytes.values() for v in values]
    per_session = (memory["peak_sampled_mb"] - memory["one_session_mb"]) / max(1, sessions - 1)
    per_session_open = (memory["after_load_mb"] - memory["one_session_mb"]) / max(1, sessions - 1)
    return {
        "_window": window,
        "driver": "protocol",
        "sessions": sessions,
        "sessions_stopped_early": dead,
        "duration_s": round(elapsed, 1),
        "interactions": len(everything),
        "interactions_per_s": round(len(everything) / elapsed, 2) if elapsed else None,
        "errors": len(stats.errors),
        "error_samples": stats.errors[:20],
        "warm_up_errors": len(warm_errors),
        "latency_ms": {**summary(everything), "by_kind": {k: summary(v) for k, v in sorted(stats.latency.items())}},
        "bytes_received": {**summary(received), "by_kind": {k: summary(v) for k, v in sorted(stats.bytes.items())}},
        "first_load_ms": summary(stats.loads),
        "pages": {page: {"runs": figures["runs"], "latency_ms": summary(figures["latency"]),
                         "plotly_chart_per_run": [min(figures["plotly_chart"]), max(figures["plotly_chart"])],
                         "elements": dict(sorted(figures["elements"].items()))}
                  for page, figures in sorted(stats.pages.items())},
        "ref_hash_messages": stats.refs,
        "websocket_extensions": extensions,
        "memory_mb": {k: round(v, 1) for k, v in memory.items()},
        "server_cpu": {"seconds": round(server_cpu, 1), "cores_busy": round(server_cpu / elapsed, 2),
                       "ms_per_interaction": round(server_cpu * 1000 / max(1, len(everything)))},
        "driver_cpu": {"seconds": round(driver_cpu, 1), "cores_busy": round(driver_cpu / elapsed, 2)},
        "machine_cpu": {"cores_busy": round(machine_busy / elapsed, 2),
                        "of_cores": round(machine_total / elapsed, 2),
                        "other_than_server_cores_busy": round((machine_busy - server_cpu) / elapsed, 2)},
        "mb_per_extra_session": round(per_session, 2),
        "mb_per_extra_session_after_load": round(per_session_open, 2),
    }


def report(result: dict, out: Path) -> None:
    """Print the figures (same layout as benchmarks.load)."""
    v, b, m, runs = result["latency_ms"], result["bytes_received"], result["memory_mb"], result["script_runs"]
    print(f"sessions                  {result['sessions']} (websocket protocol, {result['duration_s']} s of load; "
          f"{result['sessions_stopped_early']} stopped early)")
    print(f"interactions              {result['interactions']} ({result['interactions_per_s']}/s)")
    print(f"errors                    {result['errors']}")
    for sample in result["error_samples"][:5]:
        print(f"  - {sample}")
    print(f"latency                   median {v['median']} ms, p95 {v['p95']} ms, max {v['max']} ms "
          "(rerun_script sent -> script_finished received)")
    for kind, figures in v["by_kind"].items():
        print(f"  {kind:<9}               median {figures['median']} ms, p95 {figures['p95']} ms (n={figures['n']})")
    print(f"bytes received            median {b['median'] / 1000:.1f} kB, p95 {b['p95'] / 1000:.1f} kB, "
          f"max {b['max'] / 1000:.1f} kB per interaction "
          f"({result['ref_hash_messages']} messages answered from the session's cache)")
    print(f"script runs in the server {runs['wall_ms']['n']} runs, median {runs['wall_ms']['median']} ms, "
          f"p95 {runs['wall_ms']['p95']} ms wall; CPU median {runs['cpu_ms']['median']} ms, "
          f"p95 {runs['cpu_ms']['p95']} ms")
    for page, figures in result["pages"].items():
        low, high = figures["plotly_chart_per_run"]
        print(f"  /{page:<23} {figures['runs']} runs, median {figures['latency_ms']['median']} ms, "
              f"p95 {figures['latency_ms']['p95']} ms; plotly_chart {low}..{high} and "
              f"{sum(figures['elements'].values()) // max(1, figures['runs'])} elements per run")
    print(f"server memory             idle {m['idle_mb']} MB, one session {m['one_session_mb']} MB, "
          f"{result['sessions']} open {m['all_open_mb']} MB, peak {m['peak_sampled_mb']} MB (VmHWM {m['hwm_mb']} MB), "
          f"after closing {m['after_close_mb']} MB")
    c, d, mc = result["server_cpu"], result["driver_cpu"], result["machine_cpu"]
    print(f"server CPU                {c['cores_busy']} cores busy, {c['ms_per_interaction']} ms CPU per interaction; "
          f"driver {d['cores_busy']} cores; machine {mc['cores_busy']} of {mc['of_cores']} cores busy "
          f"({mc['other_than_server_cores_busy']} by everything but the server)")
    print(f"memory per extra session  {result['mb_per_extra_session']} MB at peak, "
          f"{result['mb_per_extra_session_after_load']} MB after the load")
    print(f"targets met               {result['meets_targets']}")
    app = result["app"]
    print(f"app measured              commit {app['commit']}"
          + (f" + uncommitted changes to {', '.join(app['uncommitted'])}" if app["uncommitted"] else ""))
    print(f"written                   {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


def app_revision() -> dict:
    """The commit measured, and app files changed but not committed (the checkout is shared)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""
    changed = git("status", "--porcelain", "--", "app.py", "pages", "src", "data", ".streamlit").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD").strip() or None,
            "uncommitted": [line[3:] for line in changed]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0],
        epilog="python -m benchmarks.load --driver browser runs the Playwright driver instead (see its --help).")
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load after all sessions opened")
    parser.add_argument("--think", type=float, default=3.0, help="mean pause between a session's interactions (s)")
    parser.add_argument("--ramp", type=float, default=0.3, help="pause between opening sessions (s)")
    parser.add_argument("--seed", type=int, default=20171207)
    parser.add_argument("--store", type=Path, help="store folder (default: a fresh temporary one)")
    parser.add_argument("--out", type=Path, default=RESULTS / "load_protocol.json")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS or not 0 < args.duration <= MAX_DURATION:
        parser.error(f"use 1..{MAX_SESSIONS} sessions and a duration of at most {MAX_DURATION} s")

    with tempfile.TemporaryDirectory(prefix="load-store-") as scratch:
        store = args.store or Path(scratch) / "store"
        run_log = Path(scratch) / "runs.log"
        port = free_port()
        revision = app_revision()
        server = start_server(store, port, run_log)
        try:
            result = asyncio.run(drive(port, server.pid, args.sessions, args.duration, args.think, args.seed,
                                       args.ramp))
        finally:
            stop_server(server)
        result["script_runs"] = script_runs(run_log, result.pop("_window"))

    result["settings"] = {"think_s": args.think, "ramp_s": args.ramp, "seed": args.seed,
                          "kinds_weights": KINDS, "timeout_s": TIMEOUT_S}
    result["machine"] = {"cpus": os.cpu_count(), "load_avg_after": [round(x, 2) for x in os.getloadavg()],
                         "python": platform.python_version()}
    result["app"] = revision
    result["targets"] = TARGETS
    result["meets_targets"] = {
        "errors": result["errors"] == TARGETS["errors"],
        "p95": (result["latency_ms"]["p95"] or 1e9) < TARGETS["p95_ms"],
        "memory": result["mb_per_extra_session"] < TARGETS["mb_per_extra_session"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    report(result, args.out)
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
