"""Briefing speed and size: `python -m benchmarks.bench_briefing [--repeat N]`.

On the shipped tables, as medians over repeats:

* slide     - `slides.build_slide` for each slide (what the Briefing page builds, once per published
              state and language, on a slide change that misses its cache);
* deck      - `slides.build_deck` (all nine slides);
* pack      - `pack.render_pack` for an already built deck, and the file size (Korean inlines the
              Korean font subsets, English only the Latin ones);
* png+pdf   - `pack.render`: headless Chromium draws the pack, one 1920x1080 PNG per slide and the
              PDF (includes starting the browser);

Targets: a slide change well under a second on the server (slowest slide < 300 ms), the HTML pack
under 10 MB in either language, PNGs and PDF in under 15 s. Results go to
benchmarks/results/briefing.json as well.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from dashboard import pack, slides
from dashboard.loading import load_csv_tables

RESULTS = Path(__file__).resolve().parent / "results" / "briefing.json"


def _median(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-render", action="store_true", help="skip the Chromium PNG/PDF rendering")
    args = parser.parse_args(argv)
    tables = load_csv_tables()
    slides.build_deck(tables, "en")  # warm imports and the plotly template
    results: dict = {"repeat": args.repeat, "slides": {}, "deck": {}, "pack": {}}
    for lang in ("ko", "en"):
        per_slide = {}
        for number, slide_id in enumerate(slides.SLIDE_IDS, start=1):
            per_slide[slide_id] = _median(args.repeat, lambda n=number: slides.build_slide(tables, n, lang))
        results["slides"][lang] = per_slide
        results["deck"][lang] = _median(args.repeat, lambda: slides.build_deck(tables, lang))
        deck = slides.build_deck(tables, lang, map_resolution=pack.PACK_MAP_RESOLUTION)
        document = pack.render_pack(deck, lang)
        results["pack"][lang] = {"seconds": _median(args.repeat, lambda d=deck: pack.render_pack(d, lang)),
                                 "bytes": len(document.encode("utf-8"))}
        slowest = max(per_slide, key=per_slide.get)
        print(f"{lang}: slowest slide {slowest} {per_slide[slowest] * 1000:.0f} ms, "
              f"deck {results['deck'][lang] * 1000:.0f} ms, pack {results['pack'][lang]['seconds'] * 1000:.0f} ms "
              f"{results['pack'][lang]['bytes'] / 1e6:.2f} MB")
    if not args.no_render:
        document = pack.build_pack(tables, "ko")
        start = time.perf_counter()
        rendered = pack.render(document)
        results["render"] = {"seconds": time.perf_counter() - start, "pngs": len(rendered.pngs),
                             "pdf_bytes": len(rendered.pdf or b"")}
        print(f"png+pdf (ko): {results['render']['seconds']:.1f} s, {len(rendered.pngs)} PNGs, "
              f"PDF {results['render']['pdf_bytes'] / 1e6:.2f} MB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")
    ok = all(max(v.values()) < 0.3 for v in results["slides"].values()) \
        and all(p["bytes"] < 10_000_000 for p in results["pack"].values()) \
        and results.get("render", {}).get("seconds", 0) < 15
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
