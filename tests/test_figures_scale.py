"""Figures stay cheap to send and to draw as the data grows: bounded line points, year ticks."""

import pandas as pd
import plotly.io as pio

from dashboard import figures, metrics
from dashboard.loading import load_csv_tables


def test_thin_keeps_short_frames_and_the_ends_of_long_ones():
    short = pd.DataFrame({"x": range(10)})
    assert figures.thin(short) is short
    long = pd.DataFrame({"x": range(20_000)})
    thinned = figures.thin(long, 600)
    assert len(thinned) <= 600
    assert thinned["x"].iloc[0] == 0 and thinned["x"].iloc[-1] == 19_999
    assert thinned["x"].is_monotonic_increasing
    gaps = thinned["x"].diff().dropna()
    assert gaps.max() - gaps.min() <= 1  # evenly spaced


def test_progress_line_stays_small_with_a_long_series():
    targets = load_csv_tables(reference_only=True)["targets"]
    target = targets.set_index("target_id", drop=False).loc["T1"]
    periods = pd.date_range("2018-01-01", periods=16_000, freq="D").astype("datetime64[us]")
    progress = pd.DataFrame({"target_id": "T1", "period_end": periods, "region_id": "US", "value": 1.0,
                             "illustrative": True})
    cumulative = metrics.cumulative_progress(progress, "T1")
    fig = figures.progress_line(cumulative, target, metrics.projection(cumulative, 2030), "en")
    line = fig.data[0]
    assert len(line.x) <= figures.MAX_LINE_POINTS
    assert line.y[-1] == cumulative["cumulative"].iloc[-1] == 16_000
    assert len(pio.to_json(fig, validate=False)) < 60_000
    shipped = load_csv_tables()
    few = metrics.cumulative_progress(shipped["progress"], "T1")
    assert len(figures.progress_line(few, target, None, "en").data[0].x) == len(few)


def test_year_axes_label_every_year_only_over_a_short_span():
    assert figures.year_ticks(pd.Series([2018, 2021])) == {"dtick": 1}
    assert figures.year_ticks(pd.Series([2018, 2417])) == {}
    assert figures.year_ticks(pd.Series([], dtype="Int64")) == {"dtick": 1}
    tables = load_csv_tables()
    capabilities = tables["capabilities"]
    shipped = metrics.capability_by_year(tables["activities"])
    assert figures.capability_trend(shipped, capabilities, "en").layout.xaxis.dtick == 1
    centuries = shipped.assign(year=shipped["year"] + (shipped["year"] - 2018) * 100)
    assert figures.capability_trend(centuries, capabilities, "en").layout.xaxis.dtick is None
    regions = tables["regions"]
    by_year = metrics.activities_by_year_region(
        metrics.filter_activities(tables["activities"], tables["countries"], tables["initiatives"], metrics.Filters()))
    assert figures.activities_stacked(by_year, regions, "en").layout.xaxis.dtick == 1
    long = by_year.assign(year=by_year["year"] + (by_year["year"] - 2018) * 100)
    assert figures.activities_stacked(long, regions, "en").layout.xaxis.dtick is None
