"""Where the project's files live, resolved from the package location (works from any cwd)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
STATIC_DIR = ROOT / "static"


def store_dir() -> Path:
    """The versioned store's folder: `DASHBOARD_STORE`, or `store/` inside the project."""
    return Path(os.environ.get("DASHBOARD_STORE") or ROOT / "store")
