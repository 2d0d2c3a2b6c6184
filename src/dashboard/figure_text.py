"""Data strings in Plotly figures shown as text, never as Plotly's pseudo-HTML.

plotly.js reads a few HTML tags in every text it draws (labels, ticks, hover, legend, titles):
``<a href=...>`` becomes a clickable link, ``<span style=...>`` restyles, ``<b>``/``<br>`` format.
A region or hub named ``<a href="http://evil.example">...`` would therefore put a link to another
site into a ministry chart. ``escape_figure`` is the safety net applied to every chart the app
draws (``dashboard.ui.components.chart``): in trace data every ``<`` becomes ``&lt;`` (Plotly
shows it as ``<``); in templates and layout text written by us (hover templates, titles,
annotations) only the formatting tags we use are kept and any other tag is neutralised.

Only ``<`` is rewritten: without it Plotly sees no tag (entities such as ``&#60;`` are decoded to
text after tags are parsed), and leaving ``&`` alone keeps names like "R&D" identical in click
events. Figures without any ``<`` in their data are returned unchanged (no copy).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import plotly.graph_objects as go

#: Trace keys whose strings are written by us (may contain %{...} and formatting tags).
TEMPLATE_KEYS = frozenset({"hovertemplate", "texttemplate", "hovertemplatefallback", "texttemplatefallback"})
#: Formatting tags our own templates and titles use; everything else is neutralised.
_ALLOWED_TAG = re.compile(r"</?(?:br|b|i|em|sup|sub|extra)\s*/?>", re.IGNORECASE)
_TAG_START = re.compile(r"<")


def escape_text(text: str) -> str:
    """A data string as Plotly text: every '<' neutralised."""
    return text.replace("<", "&lt;") if "<" in text else text


def sanitise_markup(text: str) -> str:
    """Our template/title text: keep <br>, <b>, <i>, <em>, <sup>, <sub>, <extra>; neutralise other tags."""
    if "<" not in text:
        return text
    out, position = [], 0
    for match in _TAG_START.finditer(text):
        start = match.start()
        if start < position:
            continue
        allowed = _ALLOWED_TAG.match(text, start)
        out.append(text[position:start])
        if allowed:
            out.append(allowed.group(0))
            position = allowed.end()
        else:
            out.append("&lt;")
            position = start + 1
    out.append(text[position:])
    return "".join(out)


def _walk(value: Any, convert) -> tuple[Any, bool]:
    """(converted value, whether anything changed) for nested dicts/lists/arrays of strings."""
    if isinstance(value, str):
        new = convert(value)
        return new, new is not value and new != value
    if isinstance(value, dict):
        changed, out = False, {}
        for key, item in value.items():
            item_convert = sanitise_markup if key in TEMPLATE_KEYS else convert
            out[key], item_changed = _walk(item, item_convert)
            changed |= item_changed
        return (out, True) if changed else (value, False)
    if isinstance(value, (list, tuple)):
        results = [_walk(item, convert) for item in value]
        if any(changed for _, changed in results):
            return type(value)(item for item, _ in results), True
        return value, False
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        flat = [_walk(item, convert) for item in value.ravel().tolist()]
        if any(changed for _, changed in flat):
            return np.array([item for item, _ in flat], dtype=object).reshape(value.shape), True
        return value, False
    return value, False


def escape_figure(fig: go.Figure) -> go.Figure:
    """`fig` with data strings escaped and our markup sanitised; `fig` itself is not modified."""
    spec = fig.to_dict()
    data, data_changed = _walk(spec.get("data", []), escape_text)
    layout = {key: value for key, value in spec.get("layout", {}).items() if key != "template"}
    layout, layout_changed = _walk(layout, sanitise_markup)
    if not (data_changed or layout_changed):
        return fig
    safe = go.Figure(fig)
    if data_changed:
        safe = go.Figure(data=data, layout=safe.layout, frames=spec.get("frames"))
    if layout_changed:
        safe.update_layout(layout)
    return safe
