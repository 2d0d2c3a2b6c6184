"""Shared pieces of the load drivers (benchmarks.load: browsers, benchmarks.load_protocol: websocket).

Both drivers start the server the same way, read its CPU and memory from /proc the same way and
summarise latencies the same way, so that their figures can be compared.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
from pathlib import Path

from dashboard import serve
from dashboard.serve import server_command, wait_until_healthy

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
# Pages a session switches between (the briefing is a full-screen presenter view without the
# sidebar; it is left out so that every session can always navigate on).
NAV_PATHS = ["", "pillars", "regions", "targets", "dna", "pyeongchang", "data"]
MAX_SESSIONS, MAX_DURATION = 60, 600
TIMEOUT_S = 30.0
TARGETS = {"errors": 0, "p95_ms": 1500, "mb_per_extra_session": 30}


# --------------------------------------------------------------------------- server and memory


# Loaded into the server process only (through PYTHONPATH): times every script run inside the
# server, where the test browsers' CPU use cannot blur the figure (same hook as benchmarks.server).
RUN_TIMER = """
import os, time
_log = os.environ.get("LOAD_RUN_LOG")
if _log:
    from streamlit.runtime.scriptrunner import script_runner as _sr
    _original = _sr.ScriptRunner._run_script

    def _timed(self, *args, **kwargs):
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return _original(self, *args, **kwargs)
        finally:
            with open(_log, "a", encoding="ascii") as handle:
                handle.write(f"{time.time():.3f} {(time.perf_counter() - started) * 1000:.1f} "
                             f"{(time.thread_time() - cpu) * 1000:.1f}\\n")

    _sr.ScriptRunner._run_script = _timed
"""


def start_server(store: Path, port: int, run_log: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "DASHBOARD_STORE": str(store)}
    if run_log is not None:
        hook = run_log.parent / "hook"
        hook.mkdir(exist_ok=True)
        (hook / "sitecustomize.py").write_text(RUN_TIMER, encoding="utf-8")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hook), env.get("PYTHONPATH")]))
        env["LOAD_RUN_LOG"] = str(run_log)
    process = subprocess.Popen(server_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    if wait_until_healthy(process, port):
        return process
    process.kill()
    raise SystemExit("the server did not start: " + process.stderr.read().decode(errors="replace")[-2000:])


def proc_status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process in MB (psutil is not needed)."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024  # kB -> MB
    return values


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its waited-for children) in seconds."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(value) for value in fields[11:15]) / ticks  # utime stime cutime cstime


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / ticks, sum(values) / ticks


class MemorySampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak = 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.peak = max(self.peak, proc_status(self.pid)["VmRSS"])
            except (OSError, KeyError):
                return
            self.stopped.wait(self.every)


# --------------------------------------------------------------------------- figures


def script_runs(log: Path, window: tuple[float, float]) -> dict:
    """Wall and CPU time of the server's script runs during the load window (from the hook)."""
    wall, cpu = [], []
    if log.exists():
        for line in log.read_text(encoding="ascii").splitlines():
            stamp, run_ms, cpu_ms = (float(x) for x in line.split())
            if window[0] <= stamp <= window[1]:
                wall.append(run_ms)
                cpu.append(cpu_ms)
    return {"wall_ms": summary(wall), "cpu_ms": summary(cpu)}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "median": round(statistics.median(values), 1) if values else None,
            "p95": round(percentile(values, 0.95), 1) if values else None,
            "max": round(max(values), 1) if values else None}


def stop_server(process: subprocess.Popen) -> None:
    """Stop the server started by start_server and close its error pipe."""
    serve.stop_server(process)
    process.stderr.close()
