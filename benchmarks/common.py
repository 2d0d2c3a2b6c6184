"""Shared pieces of the benchmarks: the page list, the floor page, scaled stores, statistics."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "benchmarks"
RESULTS_DIR = BENCH_DIR / "results"
FLOOR = "floor"
FLOOR_FILE = BENCH_DIR / "floor.py"
CHART_FLOOR = "floor_chart"
CHART_FLOOR_FILE = BENCH_DIR / "floor_chart.py"
# The floor pages as extra entries of dashboard.ui.layout.PAGES (file is relative to pages/).
FLOOR_ENTRIES = (("../benchmarks/floor.py", FLOOR, "page.floor", ":material/speed:"),
                 ("../benchmarks/floor_chart.py", CHART_FLOOR, "page.floor_chart", ":material/speed:"))


@dataclass(frozen=True)
class PageRef:
    name: str  # url path ("overview" is served at "/")
    path: Path  # the page script
    url_path: str  # "" for the default page

    @property
    def rel(self) -> str:
        """Path relative to app.py's folder (what AppTest.switch_page wants)."""
        return os.path.relpath(self.path.resolve(), ROOT)


def app_pages() -> list[PageRef]:
    """The app's pages, discovered from dashboard.ui.layout.PAGES (first = default page)."""
    from dashboard.ui.layout import PAGES

    return [PageRef(path, ROOT / "pages" / file, "" if index == 0 else path)
            for index, (file, path, *_rest) in enumerate(PAGES) if path not in (FLOOR, CHART_FLOOR)]


def floor_page() -> PageRef:
    return PageRef(FLOOR, FLOOR_FILE, FLOOR)


def chart_floor_page() -> PageRef:
    return PageRef(CHART_FLOOR, CHART_FLOOR_FILE, CHART_FLOOR)


def install_floor_page() -> None:
    """Add the floor pages to the app's navigation in this process (AppTest or benchmark server)."""
    from dashboard.ui import layout

    missing = tuple(entry for entry in FLOOR_ENTRIES if entry not in layout.PAGES)
    layout.PAGES = (*layout.PAGES, *missing)


def median(values: Iterable[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(value: float | None, floor: float | None) -> float | None:
    if value is None or not floor:
        return None
    return value / floor


def rss_kb(pid: int) -> int | None:
    """Resident set size of a process in kB, from /proc/<pid>/status."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def scaled_store(scale: int, parent: Path | None = None) -> tuple[Path, dict]:
    """A temporary store seeded from data/, with progress and activities regenerated ×`scale`.

    Scale 1 is the shipped data as is. The scaled tables come from dashboard.illustrative (the
    same generator as the shipped series) and are published as version 2, cast to the shipped
    column types so the pages read them exactly as they read the shipped tables.
    """
    from dashboard import catalog, illustrative
    from dashboard.store import LocalStore

    folder = Path(tempfile.mkdtemp(prefix=f"bench-store-x{scale}-", dir=parent))
    store = LocalStore(folder)
    catalog.seed_store(store)
    info: dict = {"scale": scale, "store": str(folder)}
    started = time.perf_counter()
    if scale > 1:
        read = {name: store.read(name) for name in ("targets", "regions", "countries", "capabilities", "fields")}
        generated = {
            "progress": illustrative.progress(read["targets"], read["regions"], scale=scale),
            "activities": illustrative.activities(read["countries"], read["capabilities"], read["fields"],
                                                  scale=scale),
        }
        for name, frame in generated.items():
            shipped = store.read(name, 1)
            frame = frame[list(shipped.columns)].astype(shipped.dtypes.to_dict())
            store.publish(name, frame, note=f"benchmark ×{scale}", editor="benchmark")
    for name in ("progress", "activities"):
        info[f"{name}_rows"] = len(store.read(name))
    info["build_s"] = round(time.perf_counter() - started, 2)
    return folder, info


def fmt_ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def fmt_kb(value: float | None) -> str:
    return "-" if value is None else f"{value / 1024:,.0f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table (also readable in a terminal)."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])
