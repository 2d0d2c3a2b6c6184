"""The app's page list and the sidebar furniture shared by every page."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.paths import ROOT, STATIC_DIR
from dashboard.ui.data import Tables

FAVICON = str(STATIC_DIR / "favicon.png")
PAGES = (
    # (file, url path, i18n key, icon)
    ("overview.py", "overview", "page.overview", ":material/dashboard:"),
    ("pillars.py", "pillars", "page.pillars", ":material/account_tree:"),
    ("regions.py", "regions", "page.regions", ":material/public:"),
    ("targets.py", "targets", "page.targets", ":material/flag:"),
    ("dna.py", "dna", "page.dna", ":material/hub:"),
    ("pyeongchang.py", "pyeongchang", "page.pyeongchang", ":material/downhill_skiing:"),
    ("data.py", "data", "page.data", ":material/upload_file:"),
    ("briefing.py", "briefing", "page.briefing", ":material/slideshow:"),
)


def pages(tr: Callable[[str], str]) -> list:
    """The st.Page list; the first page is the default, served at the root URL."""
    return [st.Page(str(ROOT / "pages" / file), title=tr(key), icon=icon, default=index == 0,
                    url_path=None if index == 0 else path)
            for index, (file, path, key, icon) in enumerate(PAGES)]


def year_bounds(tables: Tables) -> tuple[int, int]:
    """The year range the data covers (progress periods and activity years)."""
    years = [*tables["progress"]["period_end"].dt.year.dropna().astype(int),
             *tables["activities"]["year"].dropna().astype(int)]
    return (min(years), max(years)) if years else (2018, 2018)


def sidebar_footer(tables: Tables) -> None:
    from dashboard.ui.share import copy_link
    from dashboard.ui.state import tr

    with st.sidebar:
        st.divider()
        copy_link(key="share_sidebar")
        st.caption(tr("app.footer"))
