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
from dashboard.store import LocalStore, StoreError


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
def _store_at(path: str) -> LocalStore:
    store = LocalStore(path)
    catalog.seed_store(store)
    return store


def get_store() -> LocalStore:
    """The store in `DASHBOARD_STORE`, seeded from data/ on first start (idempotent across processes)."""
    return _store_at(str(store_dir()))


@st.cache_resource(show_spinner=False, max_entries=4)
def _tables_at(path: str, fingerprint: str) -> Tables:
    frames, versions, warnings = catalog.read_published(_store_at(path))
    return Tables(frames, versions, tuple(warnings), fingerprint)


def tables() -> Tables:
    """The current published tables (one cheap stat of the store per rerun)."""
    store = get_store()
    return _tables_at(str(store.root), store.fingerprint())


def tables_or_stop() -> Tables:
    """`tables()`, or a clear message naming file, row, column and reason instead of a traceback."""
    from dashboard import problems
    from dashboard.schema import table_specs
    from dashboard.ui.state import lang, tr
    from dashboard.validation import ValidationError

    try:
        return tables()
    except ValidationError as error:
        st.error(tr("ui.data_broken", file=error.source or error.table), icon=":material/error:")
        st.dataframe(problems.problem_frame(error.problems, lang(), table_specs().get(error.table)),
                     hide_index=True)
    except (StoreError, RuntimeError, OSError) as error:
        st.error(tr("ui.store_unreadable", detail=str(error)), icon=":material/error:")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises
