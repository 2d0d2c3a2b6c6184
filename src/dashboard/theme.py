"""Colours, fonts and the Plotly template shared by every chart (projector-friendly, colour-blind safe)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import cycle

import plotly.graph_objects as go
import plotly.io as pio

FONT_FAMILY = "Noto Sans KR, Noto Sans CJK KR, Malgun Gothic, Apple SD Gothic Neo, sans-serif"
INK = "#1b1f24"
MUTED = "#5b6573"
GRID = "#d9dee5"
# Okabe & Ito (2008) colour-blind-safe palette, in an order that keeps neighbours distinct.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#882255", "#F0E442", "#000000")
REGION_COLOURS = {
    "US": "#0072B2",
    "EU": "#009E73",
    "CN": "#D55E00",
    "SEA": "#E69F00",
    "SA": "#CC79A7",
    "EUR": "#56B4E9",
    "KP": "#882255",
}
#: One colour per strategy pillar in every view (treemap, Sankey, slides): Okabe-Ito in pillar order.
PILLAR_COLOURS = {"P1": "#0072B2", "P2": "#E69F00", "P3": "#009E73", "P4": "#D55E00"}
#: Series that belong to no region (a destination outside the countries table: Hong Kong, "world").
NEUTRAL = "#8a929c"
#: Bar fill patterns that tell apart series drawn in the same colour (first one: solid).
PATTERNS = ("", "/", ".", "x", "\\", "+", "-", "|")
#: Dark-to-light slate: a hue no region uses, so initiatives drawn beside the region map never read as regions.
INITIATIVE_SHADES = ("#1f2a36", "#4d5d70", "#8596a8", "#bfcad6")
ORIGIN_COLOUR = "#1b1f24"
STATUS_COLOURS = {"on_track": "#009E73", "at_risk": "#D55E00", "no_target": "#5b6573", "no_data": "#5b6573",
                  "partial": "#7a8aa0"}  # partial: a filtered view, not judged against the goal
SEQUENTIAL = ("#f0f6fb", "#9ecae1", "#4292c6", "#08519c", "#08306b")
TEMPLATE_NAME = "dashboard"


def region_colours(region_ids: list[str]) -> dict[str, str]:
    """A colour for every region id, including ones an analyst adds (taken from the same palette)."""
    spare = cycle(c for c in OKABE_ITO if c not in REGION_COLOURS.values())
    return {rid: REGION_COLOURS.get(rid) or next(spare) for rid in region_ids}


def pillar_colours(pillar_ids: Iterable[str]) -> dict[str, str]:
    """A colour per pillar id, the same whichever pillars a filter leaves (new ids get spare colours)."""
    spare = cycle(c for c in OKABE_ITO if c not in PILLAR_COLOURS.values())
    return {pid: PILLAR_COLOURS.get(pid) or next(spare) for pid in sorted(set(pillar_ids))}


def shades(count: int) -> list[tuple[str, str]]:
    """`count` distinct (colour, fill pattern) pairs: INITIATIVE_SHADES spread dark to light; past the
    number of shades they repeat with a fill pattern."""
    steps = len(INITIATIVE_SHADES)
    if count <= steps:
        return [(INITIATIVE_SHADES[round(i * (steps - 1) / max(count - 1, 1))], "") for i in range(count)]
    return [(INITIATIVE_SHADES[i % steps], PATTERNS[(i // steps) % len(PATTERNS)]) for i in range(count)]


def register_template(base_size: int = 15) -> str:
    """Register (once) and return the name of the shared Plotly template."""
    template = go.layout.Template(layout=go.Layout(
        font=dict(family=FONT_FAMILY, size=base_size, color=INK),
        title=dict(font=dict(size=base_size + 4), x=0.0, xanchor="left"),
        colorway=list(OKABE_ITO),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="#ffffff",
        margin=dict(l=10, r=10, t=48, b=10),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=base_size)),
        legend=dict(font=dict(size=base_size - 1)),
        xaxis=dict(gridcolor=GRID, zerolinecolor=GRID, automargin=True),
        yaxis=dict(gridcolor=GRID, zerolinecolor=GRID, automargin=True),
    ))
    pio.templates[TEMPLATE_NAME] = template
    return TEMPLATE_NAME
