"""Showing data strings safely: everything from data is text, never Markdown or HTML."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def escape_md(text: object) -> str:
    """Escape Markdown (and Streamlit's :color[] / :icon: directives) so data renders literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", "" if text is None else str(text))
