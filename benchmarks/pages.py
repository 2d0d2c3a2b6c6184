"""The page benchmark: `python -m benchmarks` (or `make bench`) prints a table and writes results.

Every page of the app (discovered from dashboard.ui.layout.PAGES) and a floor page that only
renders a title (benchmarks/floor.py, inside the same app.py navigation) are measured in the same
run, and every time is also given as a ratio to the floor, so that a busy machine does not decide
the verdict on its own:

1. server (benchmarks.server, Streamlit's AppTest): cold first run and warm rerun of each page
   (script time; median of --repeats reruns, taken round-robin over the pages), Plotly JSON bytes;
2. browser (benchmarks.browser, Chromium): first visit until the last chart is drawn, round trips
   of a filter change, a language switch, the next slide (/briefing) and a map click (/regions),
   websocket bytes, server RSS at start and with --sessions sessions open;
3. growth: the server timings again with progress and activities generated ×10, ×100, ×1000
   (dashboard.illustrative, published into a temporary store), plus browser loads at ×100.

Results: benchmarks/results/pages.json (everything) and pages.csv (one row per page and scale);
the previous pages.json, if any, is compared with the new one.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.common import (CHART_FLOOR, FLOOR, RESULTS_DIR, ROOT, app_pages, chart_floor_page, floor_page,
                               fmt_kb, fmt_ms, fmt_ratio, ratio, scaled_store, table)

TARGETS = {
    "warm_ms": 150.0,  # warm rerun, median, ms
    "warm_ratio": 5.0,  # warm rerun / floor
    "interaction_ms": 400.0,  # browser round trip, median
    "render_ms": 2000.0,  # first full render in the browser
    "chart_bytes": 1.5 * 1024 * 1024,  # Plotly JSON per page
    "growth_x100": 2.0,  # warm rerun at ×100 / warm rerun with the shipped data
}
INTERACTIONS = ("rerun", "filter", "language", "next_slide", "map_click")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_server(store: Path, out: Path, *, repeats: int, timeout: float, lang: str) -> dict:
    command = [sys.executable, "-m", "benchmarks.server", "--store", str(store), "--out", str(out),
               "--repeats", str(repeats), "--timeout", str(timeout), "--lang", lang]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, stderr=subprocess.PIPE, text=True,
                               timeout=timeout * 14 + 120)
    for line in completed.stderr.splitlines():
        if line.startswith("  server"):
            log(line)
    if completed.returncode != 0 or not out.exists():
        return {"error": completed.stderr[-2000:], "pages": []}
    result = json.loads(out.read_text())
    result["wall_s"] = round(time.perf_counter() - started, 1)
    return result


def by_page(server: dict) -> dict[str, dict]:
    return {entry["page"]: entry for entry in server.get("pages", [])}


def environment() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ""

    import plotly
    import streamlit

    return {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty_files": len(git("status", "--porcelain").splitlines()),
        "cpus": os.cpu_count(),
        "load_avg_start": [round(v, 2) for v in os.getloadavg()],
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
        "plotly": plotly.__version__,
    }


def summarise(results: dict) -> list[dict]:
    """One row per page (the floor first) with the figures of the main table."""
    server = by_page(results["server"]["1"])
    browser = results.get("browser", {}).get("1", {}).get("pages", {})
    floor_warm = server.get(FLOOR, {}).get("warm_ms")
    floor_warm_cpu = server.get(FLOOR, {}).get("warm_cpu_ms")
    floor_render = browser.get(FLOOR, {}).get("render_ms")
    floor_rt = {name: browser.get(FLOOR, {}).get(f"{name}_ms") for name in INTERACTIONS}
    rows = []
    for name in [FLOOR, CHART_FLOOR, *[ref.name for ref in app_pages()]]:
        s, b = server.get(name, {}), browser.get(name, {})
        row = {
            "page": name,
            "warm_ms": s.get("warm_ms"), "warm_ratio": ratio(s.get("warm_ms"), floor_warm),
            "warm_cpu_ms": s.get("warm_cpu_ms"), "warm_cpu_ratio": ratio(s.get("warm_cpu_ms"), floor_warm_cpu),
            "cold_ms": s.get("cold_ms"),
            "chart_bytes": s.get("chart_bytes"), "charts": s.get("charts"), "msg_bytes": s.get("msg_bytes"),
            "render_ms": b.get("render_ms"), "render_ratio": ratio(b.get("render_ms"), floor_render),
            "nav_ms": b.get("nav_ms"), "nav_ratio": ratio(b.get("nav_ms"), browser.get(FLOOR, {}).get("nav_ms")),
            "last_chart_ms": b.get("last_chart_ms"), "ws_in_bytes": b.get("ws_in_bytes"),
            "error": s.get("error") or "; ".join([*b.get("load_errors", []), *b.get("nav_errors", [])]) or None,
        }
        for interaction in INTERACTIONS:
            value = b.get(f"{interaction}_ms")
            row[f"{interaction}_ms"] = value
            row[f"{interaction}_ratio"] = ratio(value, floor_rt.get(interaction) or floor_rt.get("filter"))
            row[f"{interaction}_server_ms"] = b.get(f"{interaction}_server_ms")
            row[f"{interaction}_server_cpu_ms"] = b.get(f"{interaction}_server_cpu_ms")
            if b.get(f"{interaction}_errors"):
                row[f"{interaction}_errors"] = b[f"{interaction}_errors"]
        rows.append(row)
    floor_row = rows[0]
    for row in rows:  # the real server's warm rerun (from the "r" round trips) against the floor's
        row["server_rerun_ratio"] = ratio(row.get("rerun_server_ms"), floor_row.get("rerun_server_ms"))
        row["server_rerun_cpu_ratio"] = ratio(row.get("rerun_server_cpu_ms"), floor_row.get("rerun_server_cpu_ms"))
    return rows


def growth_rows(results: dict) -> list[dict]:
    """Per page and scale: warm/cold times, chart bytes, and growth against the shipped data.

    The scales run minutes apart on a shared machine, so growth is also given normalised by the
    floor page of the same run (`growth_x{N}`: (page ×N / floor ×N) / (page ×1 / floor ×1)); the
    floor does not depend on the data. `raw_growth_x{N}` is the plain ratio.
    """
    scales = sorted(results["server"], key=int)
    pages = [FLOOR, CHART_FLOOR, *[ref.name for ref in app_pages()]]
    floors = {scale: by_page(results["server"][scale]).get(FLOOR, {}) for scale in scales}
    rows = []
    for name in pages:
        row: dict = {"page": name}
        for scale in scales:
            entry = by_page(results["server"][scale]).get(name, {})
            row[f"warm_x{scale}"] = entry.get("warm_ms")
            row[f"warm_cpu_x{scale}"] = entry.get("warm_cpu_ms")
            row[f"cold_x{scale}"] = entry.get("cold_ms")
            row[f"chart_bytes_x{scale}"] = entry.get("chart_bytes")
            row[f"error_x{scale}"] = entry.get("error")
            browser = results.get("browser", {}).get(scale, {}).get("pages", {}).get(name, {})
            row[f"render_x{scale}"] = browser.get("render_ms")
            row[f"nav_x{scale}"] = browser.get("nav_ms")
        for scale in scales:
            raw = ratio(row.get(f"warm_x{scale}"), row.get("warm_x1"))
            raw_cpu = ratio(row.get(f"warm_cpu_x{scale}"), row.get("warm_cpu_x1"))
            floor_drift = ratio(floors[scale].get("warm_ms"), floors["1"].get("warm_ms"))
            floor_drift_cpu = ratio(floors[scale].get("warm_cpu_ms"), floors["1"].get("warm_cpu_ms"))
            row[f"raw_growth_x{scale}"] = raw
            row[f"growth_x{scale}"] = ratio(raw, floor_drift)
            row[f"growth_cpu_x{scale}"] = ratio(raw_cpu, floor_drift_cpu)
        rows.append(row)
    return rows


def verdicts(rows: list[dict], growth: list[dict]) -> list[dict]:
    pages = [r for r in rows if r["page"] not in (FLOOR, CHART_FLOOR)]

    def worst(key: str, values: list[dict]) -> tuple[str, float | None]:
        known = [(r["page"], r[key]) for r in values if r.get(key) is not None]
        return max(known, key=lambda item: item[1]) if known else ("-", None)

    out = []

    def check(target: str, key: str, limit: float, values: list[dict], unit: str) -> None:
        page, value = worst(key, values)
        missing = [r["page"] for r in values if r.get(key) is None]
        out.append({"target": target, "limit": limit, "unit": unit, "worst_page": page, "worst": value,
                    "holds": value is not None and value <= limit, "not_measured": missing})

    check("warm rerun median (AppTest script time)", "warm_ms", TARGETS["warm_ms"], pages, "ms")
    check("warm rerun / floor (AppTest)", "warm_ratio", TARGETS["warm_ratio"], pages, "x")
    check("warm rerun / floor (AppTest, CPU time)", "warm_cpu_ratio", TARGETS["warm_ratio"], pages, "x")
    if any(r.get("rerun_server_ms") is not None for r in pages):
        check("warm rerun median (real server)", "rerun_server_ms", TARGETS["warm_ms"], pages, "ms")
        check("warm rerun / floor (real server)", "server_rerun_ratio", TARGETS["warm_ratio"], pages, "x")
        check("warm rerun / floor (real server, CPU time)", "server_rerun_cpu_ratio", TARGETS["warm_ratio"], pages,
              "x")
    for interaction in INTERACTIONS:
        measured = [r for r in pages if r.get(f"{interaction}_ms") is not None
                    or any(not e.startswith("n/a") for e in r.get(f"{interaction}_errors", []))]
        if measured:
            check(f"{interaction} round trip (browser)", f"{interaction}_ms", TARGETS["interaction_ms"], measured, "ms")
    check("first full render, first visit (browser)", "render_ms", TARGETS["render_ms"], pages, "ms")
    check("first full render, in-app navigation (browser)", "nav_ms", TARGETS["render_ms"], pages, "ms")
    check("Plotly JSON per page", "chart_bytes", TARGETS["chart_bytes"], pages, "bytes")
    grown = [g for g in growth if g["page"] not in (FLOOR, CHART_FLOOR)]
    if any(g.get("warm_x100") is not None for g in grown):
        check("warm rerun ×100 / shipped data (floor-normalised)", "growth_x100", TARGETS["growth_x100"], grown, "x")
        check("warm rerun ×100 / shipped data (CPU time, floor-normalised)", "growth_cpu_x100",
              TARGETS["growth_x100"], grown, "x")
        check("warm rerun ×100 / shipped data (raw wall time)", "raw_growth_x100", TARGETS["growth_x100"], grown,
              "x")
    return out


def print_report(results: dict) -> str:
    rows, growth, checks = results["summary"], results["growth"], results["verdicts"]
    lines = []
    env = results["environment"]
    lines.append(f"Page benchmark {env['when']} · commit {env['commit']} · {env['cpus']} CPUs · load average "
                 f"{env['load_avg_start'][0]} at start, {env.get('load_avg_end', ['?'])[0]} at end · "
                 f"lang={results['options']['lang']}")
    lines.append("")
    lines.append("Medians; ×floor = ratio to the title-only floor page measured in the same run. warm/cold: AppTest "
                 "script time (warm = rerun, cold = first run with empty caches). server rerun: the real server's "
                 "script run for a rerun with nothing changed (Streamlit's \"r\"). Browser (Chromium): render = "
                 "first visit until the last DOM change; rt = round trip from the key/pointer event until idle "
                 "(rerun, filter = pillar added/removed, language = KO/EN, own = next slide on /briefing, map "
                 "click on /regions). first visit = new browser, direct URL (includes loading Streamlit's JS and, "
                 "with a chart, its 4.7 MB Plotly bundle: see floor_chart); nav = click in the sidebar from "
                 "floor_chart until idle.")
    lines.append("")
    headers = ["page", "warm ms", "×floor", "cpu ×floor", "server rerun ms", "×floor", "cold ms", "first visit ms",
               "nav ms", "×floor", "rerun rt", "filter rt", "language rt", "own rt", "chart KB", "ws KB"]
    body = []
    for r in rows:
        own, own_error = None, ""
        if r["page"] == "briefing":
            own, own_error = r.get("next_slide_ms"), (r.get("next_slide_errors") or [""])[0]
        elif r["page"] == "regions":
            own, own_error = r.get("map_click_ms"), (r.get("map_click_errors") or [""])[0]
        body.append([r["page"], fmt_ms(r["warm_ms"]), fmt_ratio(r["warm_ratio"]), fmt_ratio(r["warm_cpu_ratio"]),
                     fmt_ms(r.get("rerun_server_ms")), fmt_ratio(r.get("server_rerun_ratio")), fmt_ms(r["cold_ms"]),
                     fmt_ms(r["render_ms"]), fmt_ms(r.get("nav_ms")), fmt_ratio(r.get("nav_ratio")),
                     fmt_ms(r.get("rerun_ms")), fmt_ms(r.get("filter_ms")), fmt_ms(r.get("language_ms")),
                     fmt_ms(own) if own is not None else own_error, fmt_kb(r["chart_bytes"]),
                     fmt_kb(r["ws_in_bytes"])])
    lines.append(table(headers, body))
    scales = sorted(results["server"], key=int)
    if len(scales) > 1:
        lines.append("")
        lines.append("Growth: warm rerun (AppTest, ms) with progress and activities ×N; ÷×1 = growth against the "
                     "shipped data, normalised by the floor page of the same scale (raw wall-time ratio in "
                     "pages.json); cold first run; Plotly JSON at the largest scale; in-app navigation in "
                     "the browser.")
        lines.append("")
        browser_scales = [sc for sc in scales if any(g.get(f"nav_x{sc}") is not None for g in growth)]
        headers = ["page", *[f"warm ×{sc}" for sc in scales], *[f"÷×1 at ×{sc}" for sc in scales[1:]],
                   *[f"cold ×{sc}" for sc in scales], f"chart KB ×{scales[-1]}",
                   *[f"nav ×{sc}" for sc in browser_scales]]
        body = []
        for g in growth:
            body.append([g["page"],
                         *[fmt_ms(g.get(f"warm_x{sc}")) if g.get(f"warm_x{sc}") is not None
                           else ("error" if g.get(f"error_x{sc}") else "-") for sc in scales],
                         *[fmt_ratio(g.get(f"growth_x{sc}")) for sc in scales[1:]],
                         *[fmt_ms(g.get(f"cold_x{sc}")) for sc in scales], fmt_kb(g.get(f"chart_bytes_x{scales[-1]}")),
                         *[fmt_ms(g.get(f"nav_x{sc}")) for sc in browser_scales]])
        lines.append(table(headers, body))
        sizes = ", ".join(f"×{sc}: {results['stores'][sc]['progress_rows']:,} progress / "
                          f"{results['stores'][sc]['activities_rows']:,} activities rows" for sc in scales)
        lines.append(f"({sizes})")
    for skipped in results.get("skipped", []):
        lines.append(f"Skipped: {skipped}")
    memory = results.get("browser", {}).get("1", {}).get("memory")
    if memory:
        mb = lambda kb: "-" if kb is None else f"{kb / 1024:,.0f} MB"  # noqa: E731
        lines.append("")
        lines.append(f"Server RSS: {mb(memory.get('rss_start_kb'))} at start, {mb(memory.get('rss_after_pages_kb'))} "
                     f"after visiting every page, {mb(memory.get('rss_with_sessions_kb'))} with "
                     f"{memory.get('sessions')} sessions open, {mb(memory.get('rss_after_close_kb'))} after they "
                     f"closed.")
    cold = results.get("browser", {}).get("1", {}).get("cold_first_load")
    if cold:
        lines.append(f"First visit right after the server started ({cold['page']}): {fmt_ms(cold.get('render_ms'))} ms "
                     f"in the browser, of which {fmt_ms(cold.get('server_ms'))} ms server script time.")
    first_run = results["server"].get("1", {}).get("process_first_run_ms")
    if first_run:
        lines.append(f"First script run of a fresh server process (imports, store check, table reads): "
                     f"{fmt_ms(first_run)} ms.")
    lines.append("")
    lines.append(table(["target", "limit", "worst page", "worst", "holds"],
                       [[c["target"], f"{c['limit']:,.1f} {c['unit']}" if c["unit"] != "bytes"
                         else f"{c['limit'] / 1048576:.1f} MB", c["worst_page"],
                         "-" if c["worst"] is None else (f"{c['worst'] / 1024:,.0f} KB" if c["unit"] == "bytes"
                                                         else f"{c['worst']:,.1f} {c['unit']}"),
                         ("yes" if c["holds"] else "NO") + (f" (not measured: {', '.join(c['not_measured'])})"
                                                            if c["not_measured"] else "")]
                        for c in checks]))
    return "\n".join(lines)


def compare(previous: dict, current: dict) -> str:
    """Warm rerun and render of the previous results file next to this run's."""
    old = {r["page"]: r for r in previous.get("summary", [])}
    body = []
    for r in current["summary"]:
        o = old.get(r["page"])
        if not o:
            continue
        body.append([r["page"], f"{fmt_ms(o.get('warm_ms'))} → {fmt_ms(r.get('warm_ms'))}",
                     f"{fmt_ratio(o.get('warm_ratio'))} → {fmt_ratio(r.get('warm_ratio'))}",
                     f"{fmt_ms(o.get('render_ms'))} → {fmt_ms(r.get('render_ms'))}",
                     f"{fmt_kb(o.get('chart_bytes'))} → {fmt_kb(r.get('chart_bytes'))}"])
    if not body:
        return ""
    when = previous.get("environment", {}).get("when", "?")
    return f"Compared with the previous results ({when}):\n\n" + table(
        ["page", "warm ms", "warm ×floor", "render ms", "chart KB"], body)


def write_csv(path: Path, results: dict) -> None:
    rows = []
    for scale, server in results["server"].items():
        browser = results.get("browser", {}).get(scale, {}).get("pages", {})
        for entry in server.get("pages", []):
            b = browser.get(entry["page"], {})
            rows.append({"scale": int(scale), "page": entry["page"],
                         **{k: entry.get(k) for k in ("warm_ms", "warm_cpu_ms", "cold_ms", "chart_bytes", "charts",
                                                      "msg_bytes", "error")},
                         **{k: b.get(k) for k in ("render_ms", "last_chart_ms", "ws_in_bytes", "rerun_ms",
                                                  "rerun_server_ms", "rerun_server_cpu_ms", "filter_ms",
                                                  "language_ms", "next_slide_ms", "map_click_ms")}})
    if not rows:
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,10,100,1000", help="data scales for the growth table")
    parser.add_argument("--browser-scales", default="1,100", help="scales also loaded in the browser")
    parser.add_argument("--repeats", type=int, default=15, help="warm reruns per page (server)")
    parser.add_argument("--loads", type=int, default=2, help="in-app navigations to each page (browser)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each interaction per page (browser)")
    parser.add_argument("--sessions", type=int, default=10, help="sessions open at once for the RSS figure")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per page and scale before giving up")
    parser.add_argument("--budget", type=float, default=480.0,
                        help="seconds; the growth scales and browser passes not started by then are skipped")
    parser.add_argument("--lang", default="ko")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--quick", action="store_true", help="scales 1,100; fewer repeats (a smoke run)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "pages.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.scales, args.browser_scales, args.repeats, args.loads, args.rounds, args.sessions = \
            "1,100", "1", 5, 1, 1, 3
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    if 1 not in scales:
        scales.insert(0, 1)
    browser_scales = set() if args.skip_browser else {int(s) for s in args.browser_scales.split(",") if s.strip()}

    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    results: dict = {"environment": environment(), "options": vars(args) | {"out": str(args.out)},
                     "targets": TARGETS, "stores": {}, "server": {}, "browser": {}, "skipped": []}
    pages = [floor_page(), chart_floor_page(), *app_pages()]
    log(f"benchmarking {len(pages)} pages ({', '.join(p.name for p in pages)}) in {workdir}")
    stores: dict[int, Path] = {}

    def over_budget(what: str) -> bool:
        elapsed = time.perf_counter() - started
        if elapsed > args.budget:
            results["skipped"].append({"what": what, "reason": f"time budget ({elapsed:.0f}s of {args.budget:.0f}s used)"})
            log(f"{what} skipped: {elapsed:.0f}s of the {args.budget:.0f}s budget used")
            return True
        return False

    def server_at(scale: int) -> None:
        log(f"×{scale}: building the store")
        stores[scale], info = scaled_store(scale, workdir)
        results["stores"][str(scale)] = info
        log(f"×{scale}: server timings ({info['progress_rows']:,} progress, {info['activities_rows']:,} "
            f"activities rows, built in {info['build_s']}s)")
        repeats = args.repeats if scale < 1000 else max(3, args.repeats // 5)
        results["server"][str(scale)] = run_server(stores[scale], workdir / f"server-x{scale}.json", repeats=repeats,
                                                   timeout=args.timeout, lang=args.lang)

    def browser_at(scale: int, *, full: bool) -> None:
        from benchmarks import browser

        log(f"×{scale}: browser")
        measured = browser.measure(stores[scale], pages, workdir, lang=args.lang, loads=args.loads,
                                   rounds=args.rounds if full else 0, sessions=args.sessions if full else 0,
                                   timeout_s=args.timeout, first_visits=full, log=log)
        results["browser"][str(scale)] = measured.__dict__

    try:
        server_at(1)
        if 1 in browser_scales:
            browser_at(1, full=True)
        for scale in [sc for sc in scales if sc != 1]:
            if not over_budget(f"server ×{scale}"):
                server_at(scale)
        for scale in sorted(browser_scales - {1}):
            if scale in stores and not over_budget(f"browser ×{scale}"):
                browser_at(scale, full=False)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["environment"]["load_avg_end"] = [round(v, 2) for v in os.getloadavg()]
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    results["summary"] = summarise(results)
    results["growth"] = growth_rows(results)
    results["verdicts"] = verdicts(results["summary"], results["growth"])

    report = print_report(results)
    previous = json.loads(args.out.read_text()) if args.out.exists() else None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    write_csv(args.out.with_suffix(".csv"), results)
    args.out.with_suffix(".md").write_text(report + "\n", encoding="utf-8")
    print(report)
    if previous:
        comparison = compare(previous, results)
        if comparison:
            print("\n" + comparison)
    print(f"\n{results['elapsed_s']:.0f}s; results in {args.out} (+ .csv, .md)")
    return 0
