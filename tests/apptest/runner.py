"""Running app.py in AppTest the way the real server runs it (shared by the AppTest fixtures and
the fault tests)."""

from __future__ import annotations

from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


class NavigationPagesManager(PagesManager):
    """AppTest resets Streamlit's "pages/ folder means v1 multipage app" flag before every run;
    the app uses st.navigation (as `dashboard.serve` declares for the real server), so set it back.
    Install it with monkeypatch.setattr(streamlit.testing.v1.app_test, "PagesManager", ...)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def run_app(page: str = "overview", lang: str = "ko", *, timeout: float = 90, **params: str) -> AppTest:
    """An AppTest of app.py that has run `page` with `lang` and the other query parameters."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    return at.run()
