"""The set of published tables: seeding the store from data/ and reading every table back.

Kept apart from the store (which knows nothing of schemas) and from the UI (which caches it).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.loading import load_csv_tables
from dashboard.paths import DATA_DIR
from dashboard.schema import table_specs
from dashboard.store import LocalStore, StoreError, UnknownTable, VersionInfo


#: The note and editor of the versions made from data/ on first start (the UI shows them translated).
SEED_NOTE = "Seeded from data/ (shipped CSV)"
SEED_EDITOR = "seed"


def seed_store(store: LocalStore, data_dir: Path = DATA_DIR) -> list[VersionInfo]:
    """Publish version 1 of every declared table the store does not hold yet (validated first)."""
    missing = [name for name in table_specs() if store.latest_version(name) is None]
    if not missing:
        return []
    shipped = load_csv_tables(data_dir)
    return store.seed({name: shipped[name] for name in missing}, note=SEED_NOTE, editor=SEED_EDITOR)


def read_published(store: LocalStore) -> tuple[dict[str, pd.DataFrame], dict[str, int], list[str]]:
    """Newest intact version of every declared table, with warnings for damaged ones."""
    frames: dict[str, pd.DataFrame] = {}
    versions: dict[str, int] = {}
    warnings: list[str] = []
    for name in table_specs():
        try:
            frame, info, notes = store.read_with_fallback(name)
        except UnknownTable:
            seed_store(store)
            frame, info, notes = store.read_with_fallback(name)
        except StoreError as exc:
            raise RuntimeError(f"{name}: {exc}") from exc
        frames[name] = frame
        versions[name] = info.version
        warnings.extend(notes)
    return frames, versions, warnings
