"""Analytics: real values computed from small hand-made frames and from the shipped tables."""

import pandas as pd
import pytest

from dashboard import metrics
from dashboard.loading import load_csv_tables


@pytest.fixture(scope="module")
def tables():
    return load_csv_tables()


def _progress(rows):
    frame = pd.DataFrame(rows, columns=["target_id", "period_end", "region_id", "value"])
    frame["period_end"] = pd.to_datetime(frame["period_end"]).astype("datetime64[us]")
    frame["illustrative"] = False
    return frame


def test_cumulative_progress_sums_regions_per_period():
    progress = _progress([("T1", "2018-03-31", "SEA", 1), ("T1", "2018-03-31", "EU", 2),
                          ("T1", "2018-06-30", "SEA", 4), ("T2", "2018-03-31", "SEA", 100)])
    cumulative = metrics.cumulative_progress(progress, "T1")
    assert cumulative["value"].tolist() == [3, 4]
    assert cumulative["cumulative"].tolist() == [3, 7]


def test_projection_is_linear_to_the_end_of_the_horizon_year():
    cumulative = pd.DataFrame({"period_end": pd.to_datetime(["2019-01-01", "2020-01-01"]),
                               "cumulative": [10.0, 20.0]})
    assert metrics.projection(cumulative, 2021) == pytest.approx(40.0, rel=1e-3)
    assert metrics.projection(cumulative.iloc[:1], 2021) is None


def test_target_summary_status(tables):
    targets = tables["targets"]
    on_track = _progress([("T1", "2018-12-31", None, 10), ("T1", "2019-12-31", None, 10),
                          ("T2", "2018-12-31", None, 10), ("T2", "2019-12-31", None, 10)])
    summary = metrics.target_summary(targets, on_track).set_index("target_id")
    assert summary.at["T1", "achieved"] == 20 and summary.at["T1", "status"] == metrics.ON_TRACK
    assert summary.at["T2", "status"] == metrics.AT_RISK      # 20 of 1000 by 2022
    assert summary.at["T3", "status"] == metrics.NO_TARGET
    assert summary.at["T1", "share"] == pytest.approx(20 / 30)


def test_filters_restrict_regions_and_years(tables):
    filters = metrics.Filters(regions=("SEA",), years=(2019, 2019))
    progress = metrics.filter_progress(tables["progress"], filters)
    assert set(progress["region_id"]) == {"SEA"}
    assert set(progress["period_end"].dt.year) == {2019}
    activity = metrics.filter_activities(tables["activities"], tables["countries"], tables["initiatives"],
                                         metrics.Filters(pillars=("P4",)))
    assert set(activity["initiative_id"]) == {"I7"}


def test_activities_by_country_keeps_every_country(tables):
    by_country = metrics.activities_by_country(tables["activities"], tables["countries"])
    assert len(by_country) == len(tables["countries"])
    assert by_country.loc[by_country["iso3"] == "KOR", "activities"].item() == 0
    assert by_country["activities"].sum() == tables["activities"]["activities"].sum()


def test_capability_field_matrix_totals(tables):
    matrix = metrics.capability_field_matrix(tables["activities"], tables["capabilities"], tables["fields"])
    assert list(matrix.index) == ["DATA", "NETWORK", "AI"]
    assert list(matrix.columns) == ["HEALTH", "CITY", "TRANSPORT", "ENVIRONMENT", "WELFARE"]
    with_both = tables["activities"].dropna(subset=["capability_id", "field_id"])
    assert matrix.to_numpy().sum() == with_both["activities"].sum()


def test_strategy_links_connect_pillars_initiatives_and_regions(tables):
    links = metrics.strategy_links(tables["pillars"], tables["initiatives"], tables["regions"],
                                   tables["themes"], "en")
    pairs = set(zip(links["source"], links["target"], strict=True))
    assert ("Take 4IR technologies to global markets", "Global cooperation belt") in pairs
    assert ("Global cooperation belt", "China") in pairs
    assert ("Global living-problem R&D", "Fine dust") in pairs
    tree = metrics.hierarchy(tables["pillars"], tables["initiatives"], tables["themes"], "ko")
    assert len(tree) == len(tables["themes"]) and tree["pillar"].str.len().gt(0).all()


def test_capability_by_year_sums_to_the_rows_with_a_capability(tables):
    by_year = metrics.capability_by_year(tables["activities"])
    assert set(by_year["capability_id"]) == {"DATA", "NETWORK", "AI"}
    with_cap = tables["activities"].dropna(subset=["capability_id"])
    assert by_year["activities"].sum() == with_cap["activities"].sum()


def test_narrows_progress_only_for_regions_or_years_inside_the_data():
    bounds = (2018, 2021)
    assert not metrics.narrows_progress(metrics.Filters(), bounds)
    assert not metrics.narrows_progress(metrics.Filters(years=(2018, 2021)), bounds)
    assert not metrics.narrows_progress(metrics.Filters(years=(2010, 2030)), bounds)
    assert not metrics.narrows_progress(metrics.Filters(pillars=("P1",)), bounds)  # progress has no pillar
    assert metrics.narrows_progress(metrics.Filters(regions=("SEA",)), bounds)
    assert metrics.narrows_progress(metrics.Filters(years=(2019, 2021)), bounds)
    assert metrics.narrows_progress(metrics.Filters(years=(2018, 2020)), bounds)


def test_partial_summary_keeps_the_figures_but_judges_no_target():
    tables = load_csv_tables()
    progress = metrics.filter_progress(tables["progress"], metrics.Filters(regions=("SEA",)))
    whole = metrics.target_summary(tables["targets"], progress)
    partial = metrics.target_summary(tables["targets"], progress, partial=True)
    pd.testing.assert_frame_equal(whole.drop(columns="status"), partial.drop(columns="status"))
    with_goal = partial["goal"].notna()
    assert set(partial.loc[with_goal, "status"]) == {metrics.PARTIAL}
    assert set(partial.loc[~with_goal, "status"]) == {metrics.NO_TARGET}
    assert set(whole.loc[with_goal, "status"]) <= {metrics.ON_TRACK, metrics.AT_RISK}
