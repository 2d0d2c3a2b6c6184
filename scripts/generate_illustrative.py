"""Regenerate the illustrative series in data/ (fixed seed, so the output is reproducible).

Usage: python scripts/generate_illustrative.py [--scale N] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard import illustrative
from dashboard.loading import load_csv_tables
from dashboard.paths import DATA_DIR


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1, help="multiply the number of rows (benchmarks)")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args()
    reference = {name: frame for name, frame in load_csv_tables(reference_only=True).items()}
    frames = {
        "progress": illustrative.progress(reference["targets"], reference["regions"], scale=args.scale),
        "activities": illustrative.activities(reference["countries"], reference["capabilities"],
                                              reference["fields"], scale=args.scale),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        out = frame.copy()
        if "period_end" in out:
            out["period_end"] = out["period_end"].dt.strftime("%Y-%m-%d")
        out.to_csv(args.out / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
        print(f"{name}: {len(out)} rows -> {args.out / f'{name}.csv'}")


if __name__ == "__main__":
    main()
