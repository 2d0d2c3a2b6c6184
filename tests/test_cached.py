"""Cached aggregates and figures equal the uncached computation, and follow the store's state."""

from __future__ import annotations

import uuid

import pandas as pd
import plotly
import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools
import pytest

from dashboard import catalog, figures, maps, metrics, regions, theme
from dashboard.figure_text import escape_figure
from dashboard.metrics import Filters
from dashboard.store import LocalStore
from dashboard.ui import cached
from dashboard.ui.data import Tables
from dashboard.ui.layout import year_bounds

FILTERS = [
    Filters(),
    Filters(regions=("SEA",)),
    Filters(pillars=("P1", "P3"), regions=("US", "CN"), years=(2019, 2020)),
    Filters(years=(2021, 2021)),
]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    store = LocalStore(tmp_path_factory.mktemp("store"))
    catalog.seed_store(store)
    frames, versions, _ = catalog.read_published(store)
    return frames, versions


@pytest.fixture
def tables(published) -> Tables:
    """The published tables under a fingerprint no other test uses (so the cache starts empty)."""
    frames, versions = published
    return Tables(frames, versions, (), fingerprint=uuid.uuid4().hex)


def partial(tables, filters) -> bool:
    """What the page passes: a region or year filter makes the targets' summary partial."""
    return metrics.narrows_progress(filters, year_bounds(tables))


def same_figure(a, b) -> bool:
    return pio.to_json(a, validate=False) == pio.to_json(b, validate=False)


@pytest.mark.parametrize("filters", FILTERS)
def test_progress_aggregates_equal_the_metrics(tables, filters):
    progress = metrics.filter_progress(tables["progress"], filters)
    pd.testing.assert_frame_equal(cached.filtered_progress(tables, filters), progress)
    pd.testing.assert_frame_equal(cached.target_summary(tables, filters),
                                  metrics.target_summary(tables["targets"], progress, partial=partial(tables, filters)))
    for target in tables["targets"].itertuples(index=False):
        cumulative = metrics.cumulative_progress(progress, target.target_id)
        got_cumulative, got_projection = cached.target_progress(tables, filters, target.target_id)
        pd.testing.assert_frame_equal(got_cumulative, cumulative)
        assert got_projection == metrics.projection(cumulative, int(target.horizon_year))
        pd.testing.assert_frame_equal(cached.progress_by_region(tables, filters, target.target_id),
                                      metrics.progress_by_region(progress, target.target_id))


@pytest.mark.parametrize("filters", FILTERS)
def test_activity_aggregates_equal_the_metrics(tables, filters):
    activity = metrics.filter_activities(tables["activities"], tables["countries"], tables["initiatives"], filters)
    pd.testing.assert_frame_equal(cached.filtered_activities(tables, filters), activity)
    pd.testing.assert_frame_equal(cached.capability_matrix(tables, filters),
                                  metrics.capability_field_matrix(activity, tables["capabilities"], tables["fields"]))
    pd.testing.assert_frame_equal(cached.activities_by_country(tables, filters),
                                  metrics.activities_by_country(activity, tables["countries"]))
    pd.testing.assert_frame_equal(cached.activities_by_year_region(tables, filters),
                                  metrics.activities_by_year_region(activity))
    pd.testing.assert_frame_equal(cached.capability_by_year(tables, filters), metrics.capability_by_year(activity))


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("filters", FILTERS[:3])
def test_figures_equal_the_uncached_builders(tables, filters, lang):
    targets = tables["targets"].sort_values("sort_order")
    progress = metrics.filter_progress(tables["progress"], filters)
    summary = metrics.target_summary(targets, progress, partial=partial(tables, filters))
    assert same_figure(cached.target_bullets(tables, filters, lang), figures.target_bullets(summary, targets, lang))
    for target in targets.to_dict("records"):
        cumulative = metrics.cumulative_progress(progress, target["target_id"])
        projected = metrics.projection(cumulative, int(target["horizon_year"]))
        assert same_figure(cached.progress_line(tables, filters, target["target_id"], lang),
                           figures.progress_line(cumulative, target, projected, lang,
                                                 partial=partial(tables, filters)))
        by_region = metrics.progress_by_region(progress, target["target_id"])
        assert same_figure(cached.progress_by_region_bar(tables, filters, target["target_id"], lang),
                           figures.progress_by_region_bar(by_region, tables["regions"], target["unit"], lang))
    activity = metrics.filter_activities(tables["activities"], tables["countries"], tables["initiatives"], filters)
    matrix = metrics.capability_field_matrix(activity, tables["capabilities"], tables["fields"])
    capabilities = tables["capabilities"].sort_values("sort_order")
    fields = tables["fields"].sort_values("sort_order")
    assert same_figure(cached.capability_heatmap(tables, filters, lang),
                       figures.capability_heatmap(matrix, capabilities, fields, lang))
    assert same_figure(cached.capability_trend(tables, filters, lang),
                       figures.capability_trend(metrics.capability_by_year(activity), capabilities, lang))


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("filters", [Filters(), Filters(pillars=("P2", "P4")), Filters(regions=("SEA", "US")),
                                     Filters(pillars=("P4",), regions=("US",))])
def test_strategy_views_equal_the_page_computation(tables, filters, lang):
    pillars, initiatives = tables["pillars"], tables["initiatives"]
    if filters.pillars:
        pillars = pillars[pillars["pillar_id"].isin(filters.pillars)]
        initiatives = initiatives[initiatives["pillar_id"].isin(filters.pillars)]
    themes = tables["themes"][tables["themes"]["initiative_id"].isin(initiatives["initiative_id"])]
    regions = tables["regions"][tables["regions"]["initiative_id"].isin(initiatives["initiative_id"])]
    if filters.regions:
        regions = regions[regions["region_id"].isin(filters.regions)]
    for got, expected in zip(cached.strategy_subset(tables, filters), (pillars, initiatives, themes, regions),
                             strict=True):
        pd.testing.assert_frame_equal(got, expected)
    tree = metrics.hierarchy(pillars, initiatives, themes, lang)
    links = metrics.strategy_links(pillars, initiatives, regions, themes, lang)
    pd.testing.assert_frame_equal(cached.strategy_tree(tables, filters, lang), tree)
    pd.testing.assert_frame_equal(cached.strategy_links(tables, filters, lang), links)
    assert same_figure(cached.strategy_treemap(tables, filters, lang), figures.strategy_treemap(tree, lang))
    assert same_figure(cached.strategy_sankey(tables, filters, lang), figures.strategy_sankey(links, lang))


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_table_figures_and_map_equal_the_uncached_builders(tables, lang):
    for build, table in ((figures.ict_trade_chart, "ict_trade"), (figures.briefing_series_chart, "briefing_series"),
                         (figures.milestones_timeline, "milestones")):
        assert same_figure(cached.table_figure(tables, build, table, lang), build(tables[table], lang))
    for options in ({"height": 340}, {"height": 340, "resolution": 110, "inset": False}):
        assert same_figure(cached.region_map(tables, lang, **options),
                           maps.region_map(tables["countries"], tables["regions"], tables["hubs"], lang, **options))
    assert cached.year_bounds(tables) == year_bounds(tables)


def _count_rows(tables, name, _unused=None):  # module level: cacheable
    return len(tables[name])


def test_per_state_caches_by_fingerprint_and_arguments(published):
    frames, versions = published
    state = Tables(frames, versions, (), fingerprint=uuid.uuid4().hex)
    summary = cached.target_summary(state, Filters())
    assert cached.target_summary(state, Filters()) is summary  # the same object: no recomputation
    assert cached.target_summary(state, Filters(regions=("SEA",))) is not summary
    # A publish changes the fingerprint and the tables: the new state is computed from the new tables.
    halved = {**frames, "progress": frames["progress"].assign(value=frames["progress"]["value"] / 2)}
    new_state = Tables(halved, versions, (), fingerprint=uuid.uuid4().hex)
    new_summary = cached.target_summary(new_state, Filters())
    assert new_summary is not summary
    assert new_summary["achieved"].tolist() == pytest.approx([v / 2 for v in summary["achieved"]])
    # Without a fingerprint (tests, scripts) nothing is cached.
    plain = Tables(frames, versions)
    assert cached.target_summary(plain, Filters()) is not cached.target_summary(plain, Filters())


def test_only_module_level_builders_and_plain_keys_are_accepted(tables):
    offset = 1
    with pytest.raises(TypeError):
        cached.per_state(tables, lambda t: len(t["progress"]))
    with pytest.raises(TypeError):
        def closure(t):
            return len(t["progress"]) + offset
        cached.per_state(tables, closure)
    with pytest.raises(TypeError):
        cached.per_state(tables, _count_rows, "progress", [])  # a list is not a plain key
    with pytest.raises(TypeError):
        cached.per_state(tables, _count_rows, tables["progress"])  # nor is a frame
    with pytest.raises(TypeError):
        cached.table_figure(tables, len, "ict_trade")  # only builders of dashboard.figures
    assert cached.per_state(tables, _count_rows, "progress") == len(tables["progress"])
    assert cached.per_state(tables, _count_rows, "progress", None, large=True) == len(tables["progress"])


def test_shared_figures_serialise_like_the_figure_and_are_not_copied(tables):
    plain = maps.region_map(tables["countries"], tables["regions"], tables["hubs"], "en", height=340)
    expected = pio.to_json(plain, validate=False)
    shared = cached.escaped(plain)
    assert isinstance(shared, go.Figure) and cached.is_escaped(shared)
    assert shared.to_dict() is shared.to_dict()  # made once, not per call
    assert pio.to_json(shared, validate=False) == expected
    for _ in range(2):  # what st.plotly_chart does with it leaves the shared dict unchanged
        spec = plotly.tools.return_figure_from_figure_or_data(shared, validate_figure=True)
        assert pio.to_json(spec, validate=False) == expected
    assert pio.to_json(shared.to_dict(), validate=False) == expected


def test_cached_figures_are_escaped_once_and_flagged(published):
    frames, versions = published
    hostile = frames["fields"].copy()
    hostile.loc[hostile.index[0], "name_en"] = '<a href="http://evil.example">click</a>'
    state = Tables({**frames, "fields": hostile}, versions, (), fingerprint=uuid.uuid4().hex)
    fig = cached.capability_heatmap(state, Filters(), "en")
    assert cached.is_escaped(fig)
    activity = metrics.filter_activities(state["activities"], state["countries"], state["initiatives"], Filters())
    matrix = metrics.capability_field_matrix(activity, state["capabilities"], hostile)
    plain = figures.capability_heatmap(matrix, state["capabilities"], hostile, "en")
    assert not cached.is_escaped(plain)
    assert "<a href" in repr(plain.to_dict())
    assert "<a href" not in repr(fig.to_dict()) and "&lt;a href" in repr(fig.to_dict())
    assert same_figure(fig, escape_figure(plain))


@pytest.mark.parametrize("filters", [Filters(), Filters(regions=("SEA", "EU"), years=(2019, 2020))])
@pytest.mark.parametrize("sel, measure_id", [("", "region"), ("SEA", "activities"), ("VNM", "progress-T2")])
def test_regions_view_equals_the_uncached_view(tables, filters, sel, measure_id):
    got = cached.regions_view(tables, filters, sel, measure_id, "en", 500)
    want = regions.view(tables, filters, sel, measure_id, "en", map_height=500)
    assert got is cached.regions_view(tables, filters, sel, measure_id, "en", 500)  # built once
    assert got.selection == want.selection and got.selection_name == want.selection_name
    pd.testing.assert_frame_equal(got.table, want.table)
    pd.testing.assert_frame_equal(got.activities_data, want.activities_data)
    pd.testing.assert_frame_equal(got.initiatives, want.initiatives)
    assert got.activities == want.activities and got.missing_geometry == want.missing_geometry
    assert same_figure(got.map, want.map)
    assert same_figure(got.activities_chart, escape_figure(want.activities_chart))
    assert cached.is_escaped(got.activities_chart) and cached.is_escaped(got.map)
    if want.destinations_chart is None:
        assert got.destinations_chart is None
    else:
        assert same_figure(got.destinations_chart, escape_figure(want.destinations_chart))
        region = tables["countries"].set_index("iso3")["region_id"]
        colour = {name: theme.REGION_COLOURS[region[iso3]]
                  for name, iso3 in zip(got.destinations["name_en"], got.destinations["destination_id"], strict=True)}
        assert {trace.name: trace.marker.color for trace in got.destinations_chart.data} == \
            {trace.name: colour[trace.name] for trace in got.destinations_chart.data}
