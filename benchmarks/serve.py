"""The app server as the benchmarks run it: `python -m benchmarks.serve [streamlit options]`.

Exactly `python -m dashboard.serve`, plus two things for measuring:
* the floor page (benchmarks/floor.py) is added to the navigation at /floor;
* when BENCH_RUN_LOG names a file, every script run appends one JSON line to it: when it started
  (time.time()), its wall and script-thread CPU time in ms, and the page it ran;
* when BENCH_PROFILE names a folder, every script run is profiled with pyinstrument (a dev tool,
  `pip install pyinstrument`) and its text report written there (`<n>-<page>.txt`).
"""

from __future__ import annotations

import json
import os
import threading
import time

from benchmarks.common import install_floor_page


def install_run_log(path: str) -> None:
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script
    lock = threading.Lock()

    profile_dir = os.environ.get("BENCH_PROFILE")
    counter = iter(range(1_000_000))

    def logged(runner, rerun_data, *args, **kwargs):
        started, wall, cpu = time.time(), time.perf_counter(), time.thread_time()
        profiler = None
        if profile_dir:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
        try:
            return original(runner, rerun_data, *args, **kwargs)
        finally:
            if profiler is not None:
                profiler.stop()
                name = f"{next(counter):04d}-{getattr(rerun_data, 'page_name', '') or 'main'}.txt"
                with open(os.path.join(profile_dir, name), "w", encoding="utf-8") as handle:
                    handle.write(profiler.output_text(unicode=False, color=False, show_all=False))
            record = {"start": started, "ms": (time.perf_counter() - wall) * 1000,
                      "cpu_ms": (time.thread_time() - cpu) * 1000,
                      "page": getattr(rerun_data, "page_name", "") or "",
                      "fragment": bool(getattr(rerun_data, "fragment_id_queue", None))}
            with lock, open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")

    script_runner.ScriptRunner._run_script = logged


def main() -> None:
    install_floor_page()
    if os.environ.get("BENCH_RUN_LOG"):
        install_run_log(os.environ["BENCH_RUN_LOG"])
    from dashboard.serve import main as serve

    serve()


if __name__ == "__main__":
    main()
