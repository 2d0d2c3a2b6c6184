"""AppTest fixtures: run app.py (navigation, language, filters) on a fresh store per test module."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest, app_test

from tests.apptest.runner import NavigationPagesManager, run_app
PAGES = ("overview", "pillars", "regions", "targets", "dna", "pyeongchang", "data", "briefing")


@pytest.fixture(autouse=True)
def _navigation_app(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", NavigationPagesManager)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("store")


@pytest.fixture
def open_page(store_dir, monkeypatch) -> Callable[..., AppTest]:
    """open_page("targets", lang="en", region="SEA") -> an AppTest that has run that page."""
    monkeypatch.setenv("DASHBOARD_STORE", str(store_dir))

    def run(page: str = "overview", lang: str = "ko", **params: str) -> AppTest:
        return run_app(page, lang, **params)

    return run
