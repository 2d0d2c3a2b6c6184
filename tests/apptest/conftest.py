"""AppTest fixtures: run app.py (navigation, language, filters) on a fresh store per test module."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("overview", "pillars", "regions", "targets", "dna", "pyeongchang", "data", "briefing")


class _NavigationPagesManager(PagesManager):
    """AppTest resets Streamlit's "pages/ folder means v1 multipage app" flag before every run;
    the app uses st.navigation (as `dashboard.serve` declares for the real server), so set it back."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def _navigation_app(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPagesManager)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("store")


@pytest.fixture
def open_page(store_dir, monkeypatch) -> Callable[..., AppTest]:
    """open_page("targets", lang="en", region="SEA") -> an AppTest that has run that page."""
    monkeypatch.setenv("DASHBOARD_STORE", str(store_dir))

    def run(page: str = "overview", lang: str = "ko", **params: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.query_params["lang"] = lang
        for key, value in params.items():
            at.query_params[key] = value
        if page != "overview":
            at.switch_page(f"pages/{page}.py")
        at.run()
        return at

    return run
