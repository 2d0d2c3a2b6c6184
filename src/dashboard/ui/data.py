"""Cached access to the published tables for the pages.

Tables are read from the versioned store once per published state: the store's fingerprint is
the cache key, so every session sees a new publish on its next interaction without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from dashboard import catalog
from dashboard.paths import store_dir
from dashboard.store import LocalStore


@dataclass(frozen=True)
class Tables:
    """The published tables of one store state (treat the frames as read-only)."""

    frames: dict[str, pd.DataFrame]
    versions: dict[str, int]
    warnings: tuple[str, ...] = field(default=())
    fingerprint: str = ""

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]


@st.cache_resource(show_spinner=False)
def get_store() -> LocalStore:
    """The store, seeded from data/ on first start (idempotent across processes)."""
    store = LocalStore(store_dir())
    catalog.seed_store(store)
    return store


@st.cache_resource(show_spinner=False, max_entries=4)
def _tables_at(fingerprint: str) -> Tables:
    frames, versions, warnings = catalog.read_published(get_store())
    return Tables(frames, versions, tuple(warnings), fingerprint)


def tables() -> Tables:
    """The current published tables (one cheap stat of the store per rerun)."""
    return _tables_at(get_store().fingerprint())
