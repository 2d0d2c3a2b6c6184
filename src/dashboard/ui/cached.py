"""Cached aggregates and figures, computed once per published state of the store.

A rerun of a page (any widget interaction) must not redo work whose inputs did not change. Every
function here caches `build(tables, *args)` under a key made of

* the builder (its file and qualified name; closures and lambdas are refused, because what they
  capture would not be part of the key),
* the store fingerprint carried by `Tables` (see `data.tables()`): a publish changes it, so every
  session sees the new data on its next rerun,
* the remaining arguments, which must be plain values (str, int, float, bool, None, tuples of
  them, `Filters`), so the key is cheap to hash: no DataFrame is hashed on a rerun.

The cache is `st.cache_resource`: every session gets the *same* object back, with no copy per
rerun, so callers must treat results as read-only (copy before changing a frame; never update a
returned figure; `st.plotly_chart` only reads it). A `Tables` without a fingerprint (tests,
scripts) is computed directly. Each helper returns exactly what the plain `dashboard.metrics` /
`dashboard.figures` call returns (tests/test_cached.py).

Figures come back already passed through `figure_text.escape_figure` (once, when built) as a
`SharedFigure`, so that neither `components.chart` nor `st.plotly_chart` copies and walks them
again on every rerun.

Pages use the named helpers below, or `per_state(tables, build, *args)` with their own
module-level `build(tables, *args)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import figures, maps, metrics, regions
from dashboard.figure_text import escape_figure
from dashboard.metrics import Filters
from dashboard.ui.data import Tables

T = TypeVar("T")
FilterKey = tuple[tuple[str, ...], tuple[str, ...], tuple[int, int] | None]

SMALL_ENTRIES = 1024  # aggregates and figures: filter combinations × languages × builders
LARGE_ENTRIES = 8  # frames as large as the time-series tables (filtered rows)
VIEW_ENTRIES = 64  # whole page views (~0.5 MB each: a map and its charts): selections × measures × languages


@st.cache_resource(show_spinner=False, max_entries=SMALL_ENTRIES)
def _small(name: str, fingerprint: str, args: tuple, _tables: Tables, _build: Callable[..., Any]) -> Any:
    return _build(_tables, *args)


@st.cache_resource(show_spinner=False, max_entries=LARGE_ENTRIES)
def _large(name: str, fingerprint: str, args: tuple, _tables: Tables, _build: Callable[..., Any]) -> Any:
    return _build(_tables, *args)


@st.cache_resource(show_spinner=False, max_entries=VIEW_ENTRIES)
def _views(name: str, fingerprint: str, args: tuple, _tables: Tables, _build: Callable[..., Any]) -> Any:
    return _build(_tables, *args)


def builder_name(build: Callable[..., Any]) -> str:
    """A stable name for `build`; refuses functions whose result could depend on captured state."""
    code = getattr(build, "__code__", None)
    if code is None or build.__name__ == "<lambda>" or getattr(build, "__closure__", None):
        raise TypeError(f"cache only module-level functions, not {build!r}")
    return f"{code.co_filename}:{build.__qualname__}"


_PLAIN = (str, int, float, bool, type(None))


def _check_plain(value: Any) -> None:
    if isinstance(value, tuple):
        for item in value:
            _check_plain(item)
    elif isinstance(value, Filters):
        _check_plain(filter_key(value))
    elif not isinstance(value, _PLAIN):
        raise TypeError(f"cache keys must be plain values, not {type(value).__name__}")


def per_state(tables: Tables, build: Callable[..., T], *args: Any, large: bool = False, view: bool = False) -> T:
    """`build(tables, *args)`, computed once per published state and plain `args`.

    `large=True` for results as big as the tables themselves (kept for fewer keys); `view=True`
    for a whole page's content (figures and frames; kept for a moderate number of keys).
    """
    name = builder_name(build)
    _check_plain(args)
    if not tables.fingerprint:
        return build(tables, *args)
    cache = _large if large else _views if view else _small
    return cache(name, tables.fingerprint, args, tables, build)


def filter_key(filters: Filters) -> FilterKey:
    """The filters as a plain, hashable value."""
    years = (int(filters.years[0]), int(filters.years[1])) if filters.years else None
    return tuple(filters.pillars), tuple(filters.regions), years


def _filters(key: FilterKey) -> Filters:
    return Filters(pillars=key[0], regions=key[1], years=key[2])


# --------------------------------------------------------------------------------- progress

def _filtered_progress(tables: Tables, key: FilterKey) -> pd.DataFrame:
    return metrics.filter_progress(tables["progress"], _filters(key))


def filtered_progress(tables: Tables, filters: Filters) -> pd.DataFrame:
    """metrics.filter_progress(tables["progress"], filters)."""
    return per_state(tables, _filtered_progress, filter_key(filters), large=True)


def _target_summary(tables: Tables, key: FilterKey) -> pd.DataFrame:
    filters = _filters(key)
    return metrics.target_summary(tables["targets"], filtered_progress(tables, filters),
                                  partial=metrics.narrows_progress(filters, year_bounds(tables)))


def target_summary(tables: Tables, filters: Filters) -> pd.DataFrame:
    """metrics.target_summary(targets, filtered progress), marked partial when the filters narrow it."""
    return per_state(tables, _target_summary, filter_key(filters))


def _target_progress(tables: Tables, key: FilterKey, target_id: str) -> tuple[pd.DataFrame, float | None]:
    cumulative = metrics.cumulative_progress(filtered_progress(tables, _filters(key)), target_id)
    horizon = tables["targets"].set_index("target_id").at[target_id, "horizon_year"]
    return cumulative, metrics.projection(cumulative, int(horizon))


def target_progress(tables: Tables, filters: Filters, target_id: str) -> tuple[pd.DataFrame, float | None]:
    """(metrics.cumulative_progress, metrics.projection to the target's horizon year) of one target."""
    return per_state(tables, _target_progress, filter_key(filters), target_id)


def _progress_by_region(tables: Tables, key: FilterKey, target_id: str) -> pd.DataFrame:
    return metrics.progress_by_region(filtered_progress(tables, _filters(key)), target_id)


def progress_by_region(tables: Tables, filters: Filters, target_id: str) -> pd.DataFrame:
    """metrics.progress_by_region of one target over the filtered progress."""
    return per_state(tables, _progress_by_region, filter_key(filters), target_id)


# ------------------------------------------------------------------------------- activities

def _filtered_activities(tables: Tables, key: FilterKey) -> pd.DataFrame:
    return metrics.filter_activities(tables["activities"], tables["countries"], tables["initiatives"],
                                     _filters(key))


def filtered_activities(tables: Tables, filters: Filters) -> pd.DataFrame:
    """metrics.filter_activities: activities joined with region and pillar, filtered."""
    return per_state(tables, _filtered_activities, filter_key(filters), large=True)


def _capability_matrix(tables: Tables, key: FilterKey) -> pd.DataFrame:
    return metrics.capability_field_matrix(filtered_activities(tables, _filters(key)), tables["capabilities"],
                                           tables["fields"])


def capability_matrix(tables: Tables, filters: Filters) -> pd.DataFrame:
    """metrics.capability_field_matrix of the filtered activities."""
    return per_state(tables, _capability_matrix, filter_key(filters))


def _activities_by_country(tables: Tables, key: FilterKey) -> pd.DataFrame:
    return metrics.activities_by_country(filtered_activities(tables, _filters(key)), tables["countries"])


def activities_by_country(tables: Tables, filters: Filters) -> pd.DataFrame:
    """metrics.activities_by_country of the filtered activities (every country, zeros filled)."""
    return per_state(tables, _activities_by_country, filter_key(filters))


def _activities_by_year_region(tables: Tables, key: FilterKey) -> pd.DataFrame:
    return metrics.activities_by_year_region(filtered_activities(tables, _filters(key)))


def activities_by_year_region(tables: Tables, filters: Filters) -> pd.DataFrame:
    """metrics.activities_by_year_region of the filtered activities."""
    return per_state(tables, _activities_by_year_region, filter_key(filters))


def _capability_by_year(tables: Tables, key: FilterKey) -> pd.DataFrame:
    return metrics.capability_by_year(filtered_activities(tables, _filters(key)))


def capability_by_year(tables: Tables, filters: Filters) -> pd.DataFrame:
    """metrics.capability_by_year of the filtered activities."""
    return per_state(tables, _capability_by_year, filter_key(filters))


# -------------------------------------------------------------------------------- strategy

def _strategy_subset(tables: Tables, key: FilterKey) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    filters = _filters(key)
    pillars, initiatives = tables["pillars"], tables["initiatives"]
    if filters.pillars:
        pillars = pillars[pillars["pillar_id"].isin(filters.pillars)]
        initiatives = initiatives[initiatives["pillar_id"].isin(filters.pillars)]
    themes = tables["themes"][tables["themes"]["initiative_id"].isin(initiatives["initiative_id"])]
    regions = tables["regions"][tables["regions"]["initiative_id"].isin(initiatives["initiative_id"])]
    if filters.regions:
        regions = regions[regions["region_id"].isin(filters.regions)]
    return pillars, initiatives, themes, regions


def strategy_subset(tables: Tables, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(pillars, initiatives, themes, regions) within the pillar and region filters."""
    return per_state(tables, _strategy_subset, filter_key(filters))


def _strategy_tree(tables: Tables, key: FilterKey, lang: str) -> pd.DataFrame:
    pillars, initiatives, themes, _ = strategy_subset(tables, _filters(key))
    return metrics.hierarchy(pillars, initiatives, themes, lang)


def strategy_tree(tables: Tables, filters: Filters, lang: str) -> pd.DataFrame:
    """metrics.hierarchy of the filtered strategy (pillar -> initiative -> theme rows)."""
    return per_state(tables, _strategy_tree, filter_key(filters), lang)


def _strategy_links(tables: Tables, key: FilterKey, lang: str) -> pd.DataFrame:
    pillars, initiatives, themes, regions = strategy_subset(tables, _filters(key))
    return metrics.strategy_links(pillars, initiatives, regions, themes, lang)


def strategy_links(tables: Tables, filters: Filters, lang: str) -> pd.DataFrame:
    """metrics.strategy_links of the filtered strategy (Sankey links)."""
    return per_state(tables, _strategy_links, filter_key(filters), lang)


# ----------------------------------------------------------------------------- app furniture

def _year_bounds(tables: Tables) -> tuple[int, int]:
    from dashboard.ui.layout import year_bounds as compute

    return compute(tables)


def year_bounds(tables: Tables) -> tuple[int, int]:
    """layout.year_bounds: the years the time series cover."""
    return per_state(tables, _year_bounds)


# ---------------------------------------------------------------------------------- figures

class SharedFigure(go.Figure):
    """A figure built once and shared by every session and rerun: escaped, its dict made once.

    `st.plotly_chart` turns the figure into a dict (`to_dict()`, a deep copy with validation) on
    every call before encoding it; a SharedFigure hands back the dict it made when it was built
    (Streamlit and plotly's JSON encoder only read it). Never update a SharedFigure in place.
    """

    def __init__(self, fig: go.Figure) -> None:
        spec = fig.to_dict()  # exactly what `fig` serialises to (taken before copying it)
        super().__init__(fig)
        self._dashboard_dict = spec

    def to_dict(self) -> dict:
        return self._dashboard_dict


def escaped(fig: go.Figure) -> SharedFigure:
    """`escape_figure(fig)` as a SharedFigure (for figures built once and then shared)."""
    return SharedFigure(escape_figure(fig))


def is_escaped(fig: go.Figure) -> bool:
    """Whether `fig` came from `escaped` (so components.chart need not escape it again)."""
    return isinstance(fig, SharedFigure)


def _target_bullets(tables: Tables, key: FilterKey, lang: str) -> go.Figure:
    return escaped(figures.target_bullets(target_summary(tables, _filters(key)), tables["targets"], lang))


def target_bullets(tables: Tables, filters: Filters, lang: str) -> go.Figure:
    """figures.target_bullets of the filtered target summary."""
    return per_state(tables, _target_bullets, filter_key(filters), lang)


def _progress_line(tables: Tables, key: FilterKey, target_id: str, lang: str) -> go.Figure:
    cumulative, projected = target_progress(tables, _filters(key), target_id)
    target = tables["targets"].set_index("target_id", drop=False).loc[target_id]
    partial = metrics.narrows_progress(_filters(key), year_bounds(tables))
    return escaped(figures.progress_line(cumulative, target, projected, lang, partial=partial))


def progress_line(tables: Tables, filters: Filters, target_id: str, lang: str) -> go.Figure:
    """figures.progress_line of one target (cumulative progress, trajectory, projection)."""
    return per_state(tables, _progress_line, filter_key(filters), target_id, lang)


def _progress_by_region_bar(tables: Tables, key: FilterKey, target_id: str, lang: str) -> go.Figure:
    unit = tables["targets"].set_index("target_id").at[target_id, "unit"]
    by_region = progress_by_region(tables, _filters(key), target_id)
    return escaped(figures.progress_by_region_bar(by_region, tables["regions"], unit, lang))


def progress_by_region_bar(tables: Tables, filters: Filters, target_id: str, lang: str) -> go.Figure:
    """figures.progress_by_region_bar of one target."""
    return per_state(tables, _progress_by_region_bar, filter_key(filters), target_id, lang)


def _capability_heatmap(tables: Tables, key: FilterKey, lang: str) -> go.Figure:
    matrix = capability_matrix(tables, _filters(key))
    return escaped(figures.capability_heatmap(matrix, tables["capabilities"], tables["fields"], lang))


def capability_heatmap(tables: Tables, filters: Filters, lang: str) -> go.Figure:
    """figures.capability_heatmap of the filtered activities."""
    return per_state(tables, _capability_heatmap, filter_key(filters), lang)


def _capability_trend(tables: Tables, key: FilterKey, lang: str) -> go.Figure:
    by_year = capability_by_year(tables, _filters(key))
    return escaped(figures.capability_trend(by_year, tables["capabilities"], lang))


def capability_trend(tables: Tables, filters: Filters, lang: str) -> go.Figure:
    """figures.capability_trend of the filtered activities."""
    return per_state(tables, _capability_trend, filter_key(filters), lang)


def _strategy_treemap(tables: Tables, key: FilterKey, lang: str) -> go.Figure:
    return escaped(figures.strategy_treemap(strategy_tree(tables, _filters(key), lang), lang))


def strategy_treemap(tables: Tables, filters: Filters, lang: str) -> go.Figure:
    """figures.strategy_treemap of the filtered strategy."""
    return per_state(tables, _strategy_treemap, filter_key(filters), lang)


def _strategy_sankey(tables: Tables, key: FilterKey, lang: str) -> go.Figure:
    return escaped(figures.strategy_sankey(strategy_links(tables, _filters(key), lang), lang))


def strategy_sankey(tables: Tables, filters: Filters, lang: str) -> go.Figure:
    """figures.strategy_sankey of the filtered strategy."""
    return per_state(tables, _strategy_sankey, filter_key(filters), lang)


def _region_map(tables: Tables, lang: str, options: tuple[tuple[str, Any], ...]) -> go.Figure:
    return escaped(maps.region_map(tables["countries"], tables["regions"], tables["hubs"], lang, **dict(options)))


def region_map(tables: Tables, lang: str, **options: Any) -> go.Figure:
    """maps.region_map of the published countries, regions and hubs; `options` are plain values
    (height, selected, show_arcs, resolution, ...; a `measure` Series needs the uncached call)."""
    return per_state(tables, _region_map, lang, tuple(sorted(options.items())))


def _regions_view(tables: Tables, key: FilterKey, sel: str, measure_id: str, lang: str,
                  map_height: int) -> regions.View:
    filters = _filters(key)
    built = regions.view(tables, filters, sel, measure_id, lang, activity=filtered_activities(tables, filters),
                         map_height=map_height)
    # the map escapes its own text (maps.plain); the charts beside it go through escape_figure
    return replace(built, map=SharedFigure(built.map), activities_chart=escaped(built.activities_chart),
                   destinations_chart=None if built.destinations_chart is None else escaped(built.destinations_chart))


def regions_view(tables: Tables, filters: Filters, sel: str, measure_id: str, lang: str,
                 map_height: int) -> regions.View:
    """regions.view, built once per published state, filters, selection, measure and language."""
    return per_state(tables, _regions_view, filter_key(filters), sel, measure_id, lang, map_height, view=True)


def _table_figure(tables: Tables, name: str, table: str, args: tuple) -> go.Figure:
    return escaped(getattr(figures, name)(tables[table], *args))


def table_figure(tables: Tables, build: Callable[..., go.Figure], table: str, *args: Any) -> go.Figure:
    """`build(tables[table], *args)` for a builder of `dashboard.figures` drawing a whole table."""
    if getattr(figures, build.__name__, None) is not build:
        raise TypeError(f"{build!r} is not a function of dashboard.figures")
    return per_state(tables, _table_figure, build.__name__, table, args)
