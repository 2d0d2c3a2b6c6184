"""Start the Streamlit server for app.py: `python -m dashboard.serve [streamlit options]`.

Why not plain `streamlit run app.py`: Streamlit still treats a folder named `pages/` next to the
main script as a v1 multipage app until the first run of app.py calls `st.navigation`. A first
visitor arriving on a deep link (e.g. /targets?lang=en) would then get the page script alone,
without the language switch, filters or navigation. Declaring up front that the app uses
`st.navigation` makes every URL go through app.py.
"""

from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from dashboard.paths import ROOT


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    args = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *args]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
