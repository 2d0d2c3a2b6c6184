"""Figure builders: the right traces, values and translated labels."""

import json

import pandas as pd
import pytest

from dashboard import figures, metrics, theme
from dashboard.i18n import t
from dashboard.loading import load_csv_tables


@pytest.fixture(scope="module")
def tables():
    return load_csv_tables()


def test_target_bullets_show_share_of_goal_for_targets_with_a_goal(tables):
    summary = metrics.target_summary(tables["targets"], tables["progress"])
    fig = figures.target_bullets(summary, tables["targets"], "en")
    bar = fig.data[0]
    assert list(bar.y) == ["T1", "T2"]  # T3 has no goal
    expected = summary.set_index("target_id").loc[["T1", "T2"], "share"] * 100
    assert list(bar.x) == pytest.approx(list(expected.round(1)))
    assert fig.layout.title.text == "Progress towards each target"


def test_progress_line_has_cumulative_trajectory_and_projection(tables):
    target = tables["targets"].set_index("target_id").loc["T1"].copy()
    target["target_id"] = "T1"
    cumulative = metrics.cumulative_progress(tables["progress"], "T1")
    projected = metrics.projection(cumulative, 2022)
    fig = figures.progress_line(cumulative, target, projected, "ko")
    names = [trace.name for trace in fig.data]
    assert names == ["누적 실적", "목표 경로", "추세 전망"]
    assert list(fig.data[0].y) == pytest.approx(list(cumulative["cumulative"]))
    assert fig.data[1].y[-1] == 30
    assert fig.data[2].y[-1] == pytest.approx(projected)
    partial = figures.progress_line(cumulative, target, projected, "ko", partial=True)
    assert [trace.name for trace in partial.data] == ["누적 실적", "추세 전망"]  # no national path ...
    assert not partial.layout.shapes and not partial.layout.annotations  # ... and no national goal line


def test_sankey_and_sunburst_are_built_from_the_tables(tables):
    links = metrics.strategy_links(tables["pillars"], tables["initiatives"], tables["regions"], tables["themes"], "en")
    sankey = figures.strategy_sankey(links, "en").data[0]
    assert "Global cooperation belt" in sankey.node.label
    assert len(sankey.link.source) == len(links)
    tree = metrics.hierarchy(tables["pillars"], tables["initiatives"], tables["themes"], "en")
    treemap = figures.strategy_treemap(tree, "en").data[0]
    assert "Fine dust" in list(treemap.labels)


def test_heatmap_values_and_korean_labels(tables):
    matrix = metrics.capability_field_matrix(tables["activities"], tables["capabilities"], tables["fields"])
    fig = figures.capability_heatmap(matrix, tables["capabilities"], tables["fields"], "ko")
    heat = fig.data[0]
    assert list(heat.x) == ["의료", "도시", "교통", "환경", "복지"]
    assert heat.y[0] == "D · 데이터"
    assert heat.z.tolist() == matrix.to_numpy().tolist()
    # shade proportional to the count, not to the data's minimum (plotly.js needs zmax with zmin)
    assert heat.zmin == 0 and heat.zmax == matrix.to_numpy().max()
    assert matrix.to_numpy().min() > 0  # (with the data's minimum as zmin, the smallest count would be white)


def test_real_figures_charts(tables):
    trade = figures.ict_trade_chart(tables["ict_trade"], "en")
    assert [trace.name for trace in trade.data] == ["Exports", "Imports", "Balance"]
    assert 220.4 in list(trade.data[0].y)
    destinations = figures.exports_by_destination_chart(tables["ict_exports_by_destination"], tables["countries"],
                                                        tables["regions"], "ko")
    assert {trace.name for trace in destinations.data} == {"중국", "베트남", "미국"}
    china = next(trace for trace in destinations.data if trace.name == "중국")
    assert list(china.x) == [2016, 2017, 2018] and list(china.customdata)[-1] == "홍콩 포함"
    timeline = figures.milestones_timeline(tables["milestones"], "en")
    assert "Pyeongchang Winter Olympics" in list(timeline.data[0].y)


def test_figures_serialise_small(tables):
    matrix = metrics.capability_field_matrix(tables["activities"], tables["capabilities"], tables["fields"])
    fig = figures.capability_heatmap(matrix, tables["capabilities"], tables["fields"], "en")
    assert len(json.dumps(fig.to_plotly_json(), default=str)) < 200_000


def test_destinations_take_their_region_colour_like_the_map(tables):
    fig = figures.exports_by_destination_chart(tables["ict_exports_by_destination"], tables["countries"],
                                               tables["regions"], "en")
    region_colours = theme.region_colours(list(tables["regions"]["region_id"]))
    colour = {trace.name: trace.marker.color for trace in fig.data}
    assert colour["China"] == region_colours["CN"] == theme.REGION_COLOURS["CN"]
    assert colour["United States"] == region_colours["US"]
    assert colour["Viet Nam"] == region_colours["SEA"]
    assert fig.layout.title.text == "ICT exports by main destination"


def test_destinations_outside_the_countries_table_are_grey_and_told_apart(tables):
    extra = pd.DataFrame({"year": [2018, 2018, 2018, 2018], "destination_id": ["HKG", "WLD", "VNM", "THA"],
                          "name_en": ["Hong Kong", "World", "Viet Nam", "Thailand"],
                          "name_ko": ["홍콩", "세계", "베트남", "태국"], "exports_usd_bn": [1.0, 2.0, 3.0, 4.0]})
    fig = figures.exports_by_destination_chart(extra, tables["countries"], tables["regions"], "en")
    style = {trace.name: (trace.marker.color, trace.marker.pattern.shape) for trace in fig.data}
    assert style["Hong Kong"][0] == style["World"][0] == theme.NEUTRAL
    assert style["Viet Nam"][0] == style["Thailand"][0] == theme.REGION_COLOURS["SEA"]
    assert len(set(style.values())) == 4  # same colour, different pattern


def test_one_destination_keeps_its_legend_and_the_callers_title(tables):
    exports = tables["ict_exports_by_destination"]
    one = exports[exports["destination_id"] == "VNM"]
    fig = figures.exports_by_destination_chart(one, tables["countries"], tables["regions"], "ko",
                                               title="베트남 대상 ICT 수출")
    assert len(fig.data) == 1 and fig.layout.showlegend is True and fig.data[0].name == "베트남"
    assert fig.layout.title.text == "베트남 대상 ICT 수출"


@pytest.mark.parametrize("pillar_ids", [("P1", "P2", "P3", "P4"), ("P3", "P4"), ("P4",)])
def test_a_pillar_has_one_colour_in_treemap_and_sankey_whatever_the_filter(tables, pillar_ids):
    pillars = tables["pillars"][tables["pillars"]["pillar_id"].isin(pillar_ids)]
    initiatives = tables["initiatives"][tables["initiatives"]["pillar_id"].isin(pillar_ids)]
    themes = tables["themes"][tables["themes"]["initiative_id"].isin(initiatives["initiative_id"])]
    tree = metrics.hierarchy(pillars, initiatives, themes, "en")
    treemap = figures.strategy_treemap(tree, "en").data[0]
    treemap_colour = dict(zip(treemap.labels, treemap.marker.colors, strict=True))
    links = metrics.strategy_links(pillars, initiatives, tables["regions"], themes, "en")
    sankey = figures.strategy_sankey(links, "en").data[0]
    sankey_colour = dict(zip(sankey.node.customdata, sankey.node.color, strict=True))  # full names
    for pillar in pillars.itertuples(index=False):
        expected = theme.PILLAR_COLOURS[pillar.pillar_id]
        assert treemap_colour[pillar.name_en] == sankey_colour[pillar.name_en] == expected
    assert theme.pillar_colours(pillar_ids) == {pid: theme.PILLAR_COLOURS[pid] for pid in pillar_ids}
    assert treemap_colour["Strategy"] == figures.ROOT_COLOUR  # the root is no pillar


def test_pillar_colours_are_okabe_ito_and_new_pillars_get_distinct_spares():
    colours = theme.pillar_colours(["P4", "P1", "P9", "P8", "P2", "P3"])
    assert colours["P4"] == "#D55E00" and set(colours.values()) <= set(theme.OKABE_ITO)
    assert len(set(colours.values())) == 6


def _progress_axis(tables, lang):
    target = tables["targets"].set_index("target_id").loc["T1"].copy()
    target["target_id"] = "T1"
    cumulative = metrics.cumulative_progress(tables["progress"], "T1")
    return figures.progress_line(cumulative, target, metrics.projection(cumulative, 2022), lang).layout.xaxis


def _date_axes(tables, lang):
    return [figures.milestones_timeline(tables["milestones"], lang).layout.xaxis]


@pytest.mark.parametrize(("lang", "label"), [("ko", "%Y년"), ("en", "%Y")])
def test_progress_years_are_labelled_in_the_middle_of_each_year(tables, lang, label):
    axis = _progress_axis(tables, lang)
    assert axis.tickformat == label and axis.dtick == "M12" and axis.ticklabelmode == "period"


def test_korean_date_axes_write_numeric_dates_not_english_month_names(tables):
    for axis in _date_axes(tables, "ko"):
        formats = [stop.value for stop in axis.tickformatstops]
        assert "%Y.%m.%d" in formats and "%Y년 %-m월" in formats and "%Y년" in formats
        assert not any(code in value for value in formats for code in ("%b", "%B", "%a", "%A"))
    for axis in _date_axes(tables, "en"):
        assert not axis.tickformatstops and axis.tickformat is None  # plotly's English labels


@pytest.mark.parametrize(("target_id", "number"), [("T1", "%{y:,.0f} 건"), ("T3", "%{y:,.0f} 명"),
                                                   ("T2", "%{y:,.1f} 백만 달러")])
def test_hover_shows_counts_as_whole_numbers_and_money_with_decimals(tables, target_id, number):
    target = tables["targets"].set_index("target_id").loc[target_id].copy()
    target["target_id"] = target_id
    cumulative = metrics.cumulative_progress(tables["progress"], target_id)
    line = figures.progress_line(cumulative, target, metrics.projection(cumulative, 2022), "ko")
    assert all(number in trace.hovertemplate for trace in line.data)
    by_region = metrics.progress_by_region(tables["progress"], target_id)
    bar = figures.progress_by_region_bar(by_region, tables["regions"], target["unit"], "ko").data[0]
    assert number.replace("{y", "{x") in bar.hovertemplate


def test_counts_in_every_count_chart_hover_as_integers(tables):
    activity = metrics.filter_activities(tables["activities"], tables["countries"], tables["initiatives"],
                                         metrics.Filters())
    regions = tables["regions"]
    charts = [figures.activities_stacked(metrics.activities_by_year_region(activity), regions, "ko"),
              figures.capability_trend(metrics.capability_by_year(activity), tables["capabilities"], "ko"),
              figures.capability_heatmap(metrics.capability_field_matrix(activity, tables["capabilities"],
                                                                         tables["fields"]),
                                         tables["capabilities"], tables["fields"], "ko")]
    for chart in charts:
        for trace in chart.data:
            assert ":,.0f}" in trace.hovertemplate and ":,}" not in trace.hovertemplate and ".1f" not in trace.hovertemplate


def test_target_bullets_hover_values_follow_the_unit(tables):
    summary = metrics.target_summary(tables["targets"], tables["progress"])
    bar = figures.target_bullets(summary, tables["targets"], "en").data[0]
    custom = {row[0]: row for row in bar.customdata}
    cases = custom["Commercialisation success cases from national R&D"]
    money = custom["Export increase from new markets"]
    assert "." not in cases[1] and cases[2] == "30"
    assert money[2] == "1,000.0" and money[1].count(".") == 1


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_briefing_series_names_units_and_says_when_a_count_is_not_recorded(tables, lang):
    series = tables["briefing_series"].sort_values("event_date")
    fig = figures.briefing_series_chart(series, lang)
    attendees, countries = fig.data
    assert attendees.name == t("chart.attendees", lang) and countries.name == t("chart.countries", lang)
    assert t("unit.persons", lang) in attendees.hovertemplate + "".join(attendees.customdata)
    assert list(attendees.y) == list(series["attendees"])  # the table's numbers, nothing invented
    missing = series["countries"].isna().to_numpy()
    assert missing.any()  # the shipped data has a briefing without a country count
    notes = [a.text for a in fig.layout.annotations if a.text == t("chart.not_recorded", lang)]
    assert len(notes) == int(missing.sum())  # said above the axis, readable (not a shrunken bar text)
    assert all(text.startswith("~") and "." not in text for text, gap in zip(countries.text, missing, strict=True)
               if not gap)
    assert fig.layout.yaxis.range[1] > max(series["attendees"].max(), series["countries"].max())  # headroom
    assert fig.layout.barmode == "group"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_sankey_cuts_long_labels_on_the_chart_but_not_in_the_hover(tables, lang):
    strategy = metrics.strategy_links(tables["pillars"], tables["initiatives"], tables["regions"], tables["themes"],
                                      lang)
    node = figures.strategy_sankey(strategy, lang).data[0].node
    limit = figures.SANKEY_LABEL_CHARS[lang]
    assert all(len(label) <= limit for label in node.label)
    full = list(node.customdata)
    assert any(len(label) > limit for label in full)  # the shipped pillar names are long
    assert all(shown == whole or (shown.endswith("…") and whole.startswith(shown[:-1]))
               for shown, whole in zip(node.label, full, strict=True))


def test_region_bars_keep_their_thickness_when_one_region_is_left(tables):
    one = pd.DataFrame({"region_id": ["SEA"], "value": [4.0]})
    fig = figures.progress_by_region_bar(one, tables["regions"], "cases", "en")
    assert list(fig.layout.yaxis.range) == [figures.BAR_SLOTS - 0.5, -0.5]  # a bar among six slots, on top
    many = pd.DataFrame({"region_id": list(tables["regions"]["region_id"]), "value": 1.0})
    assert fig.layout.yaxis.range[0] <= figures.progress_by_region_bar(many, tables["regions"], "cases",
                                                                        "en").layout.yaxis.range[0]


def test_trade_balance_breaks_at_a_year_without_figures(tables):
    trade = tables["ict_trade"]
    fig = figures.ict_trade_chart(trade, "en")
    balance = fig.data[-1]
    years = list(balance.x)
    assert years == list(range(int(trade["year"].min()), int(trade["year"].max()) + 1))
    missing = sorted(set(years) - set(trade["year"].astype(int)))
    assert missing  # the shipped data has no figure for 2014
    assert all(balance.y[years.index(year)] is None or pd.isna(balance.y[years.index(year)]) for year in missing)
    assert balance.connectgaps is False
