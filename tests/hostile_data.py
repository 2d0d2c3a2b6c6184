"""Hostile strings planted in every free-text column of the published tables (a test helper).

Published straight through the store, bypassing the upload validator (which would already reject
e.g. the 5,000-character strings), so the pages are tested against the worst the store can hold.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard import catalog
from dashboard.loading import load_csv_tables
from dashboard.schema import table_specs
from dashboard.store import LocalStore

EVIL_HOST = "evil.example"
LONG = "W" * 5000  # one unbreakable 5,000-character word: the worst case for layout

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    LONG,  # early in the cycle so that even the 4-row tables (pillars, targets) carry it
    f"![x](http://{EVIL_HOST}/x.png)",
    "[click](javascript:alert(1))",
    ":red[spoof]",
    f"<a href=\"http://{EVIL_HOST}/\">link</a>",
    f"<iframe src=\"http://{EVIL_HOST}/frame\"></iframe>",
    "<svg onload=alert(1)>",
    "<b>bold</b><br><i>x</i>",
    f"<img src=\"http://{EVIL_HOST}/track.png\">",
    "**bold** _it_ `code` # heading",
    "$$\\href{javascript:alert(1)}{x}$$",
    "{0} {name} %s %(x)s ${x}",
    ":material/warning: :blue-badge[fake]",
)

#: Substrings that would show the payload was rendered as HTML/Markdown rather than as text.
MARKDOWN_INJECTIONS = tuple(p for p in PAYLOADS if p != LONG)


def free_text_columns(table: str) -> list[str]:
    """Text columns with no allowed values, pattern, reference or key role: where payloads go."""
    spec = table_specs()[table]
    return [c.name for c in spec.columns
            if c.type == "str" and not c.allowed and not c.pattern and not c.references and c.name not in spec.key]


def hostile_tables() -> dict[str, pd.DataFrame]:
    """The shipped tables with every free-text cell replaced by a payload (unique per row)."""
    tables = load_csv_tables()
    out: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        frame = frame.copy()
        for offset, column in enumerate(free_text_columns(name)):
            values = [f"{PAYLOADS[(row + offset) % len(PAYLOADS)]} #{row}" for row in range(len(frame))]
            frame[column] = pd.Series(values, index=frame.index, dtype=frame[column].dtype)
        out[name] = frame
    return out


def hostile_store(root: Path) -> LocalStore:
    """A store whose newest version of every table carries the payloads (version 1 is the seed)."""
    store = LocalStore(root)
    catalog.seed_store(store)
    for name, frame in hostile_tables().items():
        if free_text_columns(name):
            store.publish(name, frame, note="<script>alert('note')</script> " + PAYLOADS[3],
                          editor="<img src=x onerror=alert(1)>")
    return store
