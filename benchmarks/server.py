"""Server time of each page's script run, with Streamlit's AppTest (one store, one process).

`python -m benchmarks.server --store DIR --out result.json` (the orchestrator in
`benchmarks.pages` starts one such process per data scale). For every page and the floor page:

* cold: the first run of the page in a new session after every Streamlit cache was cleared
  (tables re-read from the store, aggregates and figures rebuilt); imports are already done;
* warm: reruns of the same session with nothing changed (what a widget interaction costs at
  least), median over `--repeats` after `--warmup` unmeasured runs;
* bytes: the Plotly figure JSON of the page (sum of the `spec` of every st.plotly_chart) and
  every ForwardMsg the run produced (what the server sends, before websocket framing).

Times are the script run alone (ScriptRunner._run_script), not AppTest's own bookkeeping: wall
time, and the CPU time of the script thread (`*_cpu_ms`), which a busy machine disturbs less.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
import warnings

from benchmarks.common import ROOT, PageRef, app_pages, chart_floor_page, floor_page, install_floor_page, median


class Recorder:
    """Times every script run and counts the bytes of every ForwardMsg it enqueues."""

    def __init__(self) -> None:
        self.runs: list[float] = []
        self.cpu: list[float] = []
        self.msg_bytes = 0

    def reset(self) -> None:
        self.runs.clear()
        self.cpu.clear()
        self.msg_bytes = 0

    def install(self) -> None:
        from streamlit.runtime import forward_msg_queue
        from streamlit.runtime.scriptrunner import script_runner

        original_run = script_runner.ScriptRunner._run_script
        original_enqueue = forward_msg_queue.ForwardMsgQueue.enqueue
        recorder = self

        def timed_run(runner, *args, **kwargs):
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return original_run(runner, *args, **kwargs)
            finally:
                recorder.runs.append((time.perf_counter() - started) * 1000)
                recorder.cpu.append((time.thread_time() - cpu) * 1000)

        def counted_enqueue(queue, msg, *args, **kwargs):
            recorder.msg_bytes += msg.ByteSize()
            return original_enqueue(queue, msg, *args, **kwargs)

        script_runner.ScriptRunner._run_script = timed_run
        forward_msg_queue.ForwardMsgQueue.enqueue = counted_enqueue


def _patch_apptest() -> None:
    """AppTest resets "pages/ means a v1 multipage app" before each run; app.py uses st.navigation."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class NavigationPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    app_test.PagesManager = NavigationPagesManager


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _rerun(at) -> None:
    """Rerun with the session's widget values; AppTest cannot rebuild some widget states (e.g. a
    selectbox whose labels changed language), then rerun with the values already in the session."""
    try:
        at.run()
    except ValueError:
        at._run(None)


def _errors(at) -> list[str]:
    return [getattr(e, "message", str(e))[:300] for e in at.exception]


def _timed(recorder: Recorder, action) -> tuple[float, float]:
    """(wall ms, script-thread CPU ms) of the script runs `action` caused."""
    recorder.reset()
    action()
    return sum(recorder.runs), sum(recorder.cpu)


def open_page(ref, registered, *, lang: str, timeout: float, recorder: Recorder) -> tuple[object, dict]:
    """A new session on `ref` after clearing every Streamlit cache: the cold first run."""
    from streamlit.testing.v1 import AppTest

    _clear_caches()
    if ref.name == "bare_floor":
        at = AppTest.from_file(str(ref.path), default_timeout=timeout)
    else:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at.query_params["lang"] = lang
        at._registered_pages = registered
        at.switch_page(ref.rel)
    result: dict = {"page": ref.name}
    started = time.perf_counter()
    try:
        result["cold_ms"], result["cold_cpu_ms"] = _timed(recorder, at.run)
        result["cold_runs"] = len(recorder.runs)
    except Exception as exc:  # a timeout or a crash is a result, not the end of the benchmark
        result["error"] = f"{type(exc).__name__}: {exc}"[:300]
        return None, result
    result["cold_wall_ms"] = (time.perf_counter() - started) * 1000
    errors = _errors(at)
    if errors:
        result["error"] = errors[0]
    return at, result


def describe(at, result: dict, recorder: Recorder) -> None:
    """Bytes and element counts of the page as the last warm run left it."""
    recorder.reset()
    _rerun(at)
    result["msg_bytes"] = recorder.msg_bytes
    charts = at.get("plotly_chart")
    result["charts"] = len(charts)
    result["chart_bytes"] = sum(len(c.proto.spec) for c in charts)
    result["chart_max_bytes"] = max((len(c.proto.spec) for c in charts), default=0)
    result["elements"] = _count_elements(at)


def _count_elements(at) -> int:
    count = 0
    stack = [at._tree]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if children:
            stack.extend(children.values())
        else:
            count += 1
    return count


def log(name: str, result: dict) -> None:
    shown = {k: round(v, 1) if isinstance(v, float) else v for k, v in result.items()
             if k in ("cold_ms", "warm_ms", "warm_cpu_ms", "chart_bytes", "error")}
    print(f"  server {name}: {shown}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True, help="store folder (DASHBOARD_STORE)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--lang", default="ko")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per page (cold run, then warm runs)")
    parser.add_argument("--pages", default="", help="comma-separated subset (default: every page + floor)")
    args = parser.parse_args(argv)

    os.environ["DASHBOARD_STORE"] = args.store
    warnings.simplefilter("ignore")
    import logging

    logging.disable(logging.WARNING)
    _patch_apptest()
    install_floor_page()
    recorder = Recorder()
    recorder.install()

    from streamlit.testing.v1 import AppTest

    started = time.perf_counter()
    # The first run of the process: imports, store seeding check, first table read.
    first = AppTest.from_file(str(ROOT / "app.py"), default_timeout=args.timeout)
    first.query_params["lang"] = args.lang
    recorder.reset()
    first.run()
    process_first_ms = sum(recorder.runs)
    registered = first._registered_pages

    bare = PageRef("bare_floor", floor_page().path, "")
    refs = [bare, floor_page(), chart_floor_page(), *app_pages()]
    if args.pages:
        wanted = set(args.pages.split(","))
        refs = [r for r in refs if r.name in wanted or "floor" in r.name]
    sessions: dict[str, object] = {}
    results: dict[str, dict] = {}
    for ref in refs:  # cold: one page at a time, every cache cleared before it
        at, results[ref.name] = open_page(ref, registered, lang=args.lang, timeout=args.timeout, recorder=recorder)
        if at is not None:
            sessions[ref.name] = at
        log(ref.name, results[ref.name])
    warm: dict[str, list[tuple[float, float]]] = {name: [] for name in sessions}
    deadline = time.perf_counter() + args.timeout
    for index in range(args.warmup + args.repeats):  # warm: round robin, so load changes hit every page alike
        for name, at in list(sessions.items()):
            try:
                elapsed = _timed(recorder, lambda: _rerun(at))
            except Exception as exc:
                results[name]["error"] = f"{type(exc).__name__}: {exc}"[:300]
                del sessions[name]
                continue
            if index >= args.warmup:
                warm[name].append(elapsed)
        if index >= args.warmup and time.perf_counter() > deadline:
            break  # bounded: huge data may allow only a few repeats
    for name, values in warm.items():
        results[name]["warm_ms"] = median(v[0] for v in values)
        results[name]["warm_cpu_ms"] = median(v[1] for v in values)
        results[name]["warm_all_ms"] = [round(v[0], 2) for v in values]
    for name, at in sessions.items():
        try:
            describe(at, results[name], recorder)
        except Exception as exc:
            results[name].setdefault("error", f"{type(exc).__name__}: {exc}"[:300])
        log(name, results[name])
    results_list = [results[r.name] for r in refs]
    out = {"process_first_run_ms": process_first_ms, "pages": results_list, "repeats": args.repeats,
           "elapsed_s": round(time.perf_counter() - started, 1)}
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(out, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
