"""The partner-region map: complete geometry, region colours, belts from Seoul, measures, selection, size."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from dashboard import geo_assets, maps, metrics, theme
from dashboard.loading import load_csv_tables

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return load_csv_tables()


@pytest.fixture(scope="module")
def countries(tables) -> pd.DataFrame:
    return tables["countries"]


@pytest.fixture(scope="module")
def regions(tables) -> pd.DataFrame:
    return tables["regions"]


def traces(fig, kind: str | None = None, name: str | None = None, geo: str = "geo") -> list:
    """Traces of the world view (geo) or of the Korean Peninsula inset (geo2)."""
    return [tr for tr in fig.data if (kind is None or tr.type == kind) and (name is None or tr.name == name)
            and (tr.geo or "geo") == geo]


def filled(fig) -> dict[str, list[str]]:
    """trace name -> ISO-3 ids filled by its choropleth traces (split traces merged)."""
    out: dict[str, list[str]] = {}
    for trace in traces(fig, "choropleth"):
        out.setdefault(trace.name, []).extend(list(trace.locations))
    return out


# --- geometry ---------------------------------------------------------------------------------------


def test_every_country_and_hub_country_has_a_shape_at_the_resolution_used(tables, countries):
    assert maps.missing_geometry(countries, 50) == []
    shapes = geo_assets.geometry_iso3(50)
    assert set(tables["hubs"]["country_iso3"]) <= shapes
    fig = maps.region_map(countries, tables["regions"], tables["hubs"], "en")
    assert fig.layout.geo.resolution == 50
    drawn = {code for trace in traces(fig, "choropleth") for code in trace.locations}
    assert drawn == set(countries["iso3"])  # nothing silently dropped, nothing extra


def test_countries_without_a_shape_become_clickable_markers(countries, regions):
    san_marino = pd.DataFrame([{**countries.iloc[0].to_dict(), "iso3": "SMR", "name_en": "San Marino",
                                "name_ko": "산마리노", "region_id": "EU", "capital_lat": 43.94, "capital_lon": 12.45}])
    extended = pd.concat([countries, san_marino], ignore_index=True)
    assert maps.missing_geometry(extended) == ["SMR"]
    fig = maps.region_map(extended, regions, None, "en")
    markers = [row[0] for trace in traces(fig, "scattergeo") if trace.customdata is not None
               for row in trace.customdata]
    assert "SMR" in markers
    assert "SMR" not in {code for trace in traces(fig, "choropleth") for code in trace.locations}


def test_tiny_partners_get_markers_and_large_ones_do_not():
    small = set(maps.small_countries(["SGP", "MDV", "MLT", "LUX", "USA", "CHN", "VNM", "KOR", "DEU"]))
    assert {"SGP", "MDV", "MLT"} <= small
    assert not small & {"USA", "CHN", "VNM", "KOR", "DEU"}


# --- colours, origin, North Korea -------------------------------------------------------------------


def test_every_region_has_its_own_colour_and_is_drawn_in_it(countries, regions):
    colours = theme.region_colours(list(regions["region_id"]))
    assert set(colours) == set(regions["region_id"])
    assert len(set(colours.values())) == len(colours)
    fig = maps.region_map(countries, regions, None, "ko")
    for region in regions.itertuples(index=False):
        drawn = [tr for tr in traces(fig, "choropleth") if tr.legendgroup == region.region_id]
        assert drawn, region.region_id
        assert all(tr.colorscale[0][1] == colours[region.region_id] for tr in drawn)
        members = set(countries.loc[(countries["region_id"] == region.region_id) & ~countries["is_origin"], "iso3"])
        assert {code for tr in drawn for code in tr.locations} == members


def test_a_region_added_by_an_analyst_gets_a_colour(countries, regions):
    extra = pd.concat([regions, pd.DataFrame([{**regions.iloc[0].to_dict(), "region_id": "AF", "sort_order": 8,
                                               "name_en": "Africa", "name_ko": "아프리카", "role": "package"}])],
                      ignore_index=True)
    moved = countries.copy()
    moved.loc[moved["iso3"] == "IRN", "region_id"] = "AF"
    colours = theme.region_colours(list(extra["region_id"]))
    assert colours["AF"] not in {c for rid, c in colours.items() if rid != "AF"}
    fig = maps.region_map(moved, extra, None, "en")
    assert filled(fig)["Africa"] == ["IRN"]
    assert "IRN" not in filled(fig)["South / Southwest Asia"]


def test_korea_is_the_highlighted_origin_and_north_korea_is_shown(countries, regions):
    fig = maps.region_map(countries, regions, None, "ko")
    origin = [tr for tr in traces(fig, "choropleth") if tr.legendgroup == "origin"]
    assert [list(tr.locations) for tr in origin] == [["KOR"]]
    assert origin[0].colorscale[0][1] == theme.ORIGIN_COLOUR
    star = [tr for tr in traces(fig, "scattergeo") if tr.legendgroup == "origin"][0]
    assert star.marker.symbol == "star" and star.showlegend and star.name == "대한민국 (기점)"
    seoul = countries.set_index("iso3").loc["KOR"]
    assert (star.lat[0], star.lon[0]) == (seoul.capital_lat, seoul.capital_lon)
    korean_peninsula = [tr for tr in traces(fig, "choropleth") if tr.legendgroup == "KP"]
    assert [list(tr.locations) for tr in korean_peninsula] == [["PRK"]]
    assert "남북 교류 (I6)" in korean_peninsula[0].customdata[0][3]


def test_the_korean_peninsula_inset_repeats_korea_and_north_korea(countries, regions):
    fig = maps.region_map(countries, regions, None, "ko", selected="PRK")
    inset = traces(fig, "choropleth", geo="geo2")
    assert sorted(code for tr in inset for code in tr.locations) == ["KOR", "PRK", "PRK"]  # fill + selection outline
    assert {tr.colorscale[0][1] for tr in inset if tr.hoverinfo != "skip"} == {theme.ORIGIN_COLOUR,
                                                                              theme.REGION_COLOURS["KP"]}
    assert [tr.marker.symbol for tr in traces(fig, "scattergeo", geo="geo2")] == ["star"]
    assert not any(tr.showlegend for tr in traces(fig, geo="geo2"))
    geo2 = fig.layout.geo2
    assert geo2.lonaxis.range[0] < 126.98 < geo2.lonaxis.range[1] and geo2.lataxis.range[0] < 39.03 < geo2.lataxis.range[1]
    assert fig.layout.annotations[0].text == "한반도 확대"
    small = maps.region_map(countries, regions, None, "ko", height=340)  # the Overview's small map
    assert not traces(small, geo="geo2") and "geo2" not in small.to_dict()["layout"]


# --- belts --------------------------------------------------------------------------------------------


def test_arcs_start_in_seoul_and_end_at_every_belt_partner(countries, regions):
    arcs = maps.belt_arcs(countries, regions)
    belt_regions = set(regions.loc[regions["role"] == "belt", "region_id"])
    expected = set(countries.loc[countries["region_id"].isin(belt_regions) & ~countries["is_origin"], "iso3"])
    assert set(arcs["iso3"]) == expected and len(arcs) == len(expected) == 30
    seoul = countries.set_index("iso3").loc["KOR"]
    capitals = countries.set_index("iso3")
    for arc in arcs.itertuples(index=False):
        assert (arc.lats[0], arc.lons[0]) == pytest.approx((seoul.capital_lat, seoul.capital_lon), abs=1e-3)
        end = capitals.loc[arc.iso3]
        assert (arc.lats[-1], arc.lons[-1]) == pytest.approx((end.capital_lat, end.capital_lon), abs=1e-3)


def test_arc_traces_draw_one_segment_per_partner_from_seoul(countries, regions):
    fig = maps.region_map(countries, regions, None, "en")
    lines = [tr for tr in traces(fig, "scattergeo") if tr.mode == "lines"]
    assert len(lines) == 1 and lines[0].name == "Cooperation belts"
    lats, lons = list(lines[0].lat), list(lines[0].lon)
    segments = [i + 1 for i, v in enumerate(lats) if v is None][:-1]
    starts = [0, *segments]
    assert len(starts) == 30
    assert all((lats[i], lons[i]) == pytest.approx((37.57, 126.98), abs=0.05) for i in starts)
    # Korea-centred map: no arc crosses the map's edge (centre ± 180°).
    edge = maps.CENTRE_LON - 180
    for start in starts:
        seg = [lon for lon in lons[start:start + maps.ARC_POINTS]]
        shifted = [((lon - edge) % 360) for lon in seg]
        assert max(np.abs(np.diff(shifted))) < 90


def test_selection_emphasises_its_arcs_and_dims_the_rest(countries, regions):
    fig = maps.region_map(countries, regions, None, "en", selected="US")
    lines = [tr for tr in traces(fig, "scattergeo") if tr.mode == "lines"]
    bold = [tr for tr in lines if tr.line.width > 2]
    assert len(bold) == 1 and [v for v in bold[0].lat if v is not None][-1] == pytest.approx(38.90, abs=1e-3)
    us = [tr for tr in traces(fig, "choropleth") if tr.legendgroup == "US"]
    assert [tr.marker.opacity for tr in us] == [1.0]
    eu = [tr for tr in traces(fig, "choropleth") if tr.legendgroup == "EU"]
    assert [tr.marker.opacity for tr in eu] == [maps.DIMMED]
    outline = traces(fig, "choropleth", "Selected: United States")
    assert [list(tr.locations) for tr in outline] == [["USA"]]


# --- measures -------------------------------------------------------------------------------------------


def test_measure_options_follow_the_targets_table(tables):
    assert maps.measure_options(tables["targets"]) == ["region", "activities", "progress-T1", "progress-T2",
                                                       "progress-T3", "exports"]
    assert maps.compute_measure("region", tables, metrics.Filters(), "en") is None


def test_activities_measure_counts_activities_per_country_in_the_chosen_years(tables):
    filters = metrics.Filters(years=(2019, 2020), pillars=("P4",))
    measure = maps.compute_measure("activities", tables, filters, "en")
    acts = tables["activities"].merge(tables["initiatives"][["initiative_id", "pillar_id"]], on="initiative_id")
    rows = acts[acts["year"].between(2019, 2020) & (acts["pillar_id"] == "P4")]
    expected = rows.groupby("iso3")["activities"].sum()
    assert measure.values["VNM"] == expected["VNM"] > 0
    assert measure.values["USA"] == expected.get("USA", 0)
    assert measure.values.sum() == expected.sum()
    assert "KOR" not in measure.values.index
    assert measure.period == "2019–2020" and measure.illustrative
    fig = maps.region_map(tables["countries"], tables["regions"], None, "en", measure=measure)
    coloured = [tr for tr in traces(fig, "choropleth") if tr.showscale]
    assert len(coloured) == 1
    z = dict(zip(coloured[0].locations, coloured[0].z, strict=True))
    assert z["VNM"] == expected["VNM"]
    assert "2019–2020" in coloured[0].colorbar.title.text


def test_progress_measure_gives_every_country_its_regions_total(tables):
    filters = metrics.Filters(years=(2018, 2018))
    measure = maps.compute_measure("progress-T2", tables, filters, "ko")
    progress = tables["progress"]
    rows = progress[(progress["target_id"] == "T2") & (progress["period_end"].dt.year == 2018)]
    by_region = rows.groupby("region_id")["value"].sum()
    assert measure.values["VNM"] == pytest.approx(by_region["SEA"])
    assert measure.values["THA"] == pytest.approx(by_region["SEA"])
    assert measure.values["FRA"] == pytest.approx(by_region["EU"])
    assert np.isnan(measure.values["PRK"])  # no progress rows for the Korean Peninsula: no data, not zero
    assert measure.scope == "region" and measure.unit == "백만 달러" and measure.label == "목표 진척 T2"


def test_exports_measure_uses_the_latest_year_in_range_and_only_named_destinations(tables):
    measure = maps.compute_measure("exports", tables, metrics.Filters(years=(2016, 2017)), "en")
    assert measure.period == "2017"
    assert measure.values["CHN"] == pytest.approx(104.4)
    assert measure.values["VNM"] == pytest.approx(25.78)
    assert measure.values.notna().sum() == 3 and np.isnan(measure.values["DEU"])
    fig = maps.region_map(tables["countries"], tables["regions"], None, "en", measure=measure)
    no_data = filled(fig)["No data"]
    assert "DEU" in no_data and "CHN" not in no_data
    empty = maps.compute_measure("exports", tables, metrics.Filters(years=(2019, 2021)), "en")
    assert empty.period == "" and empty.values.isna().all()


def test_a_plain_series_still_works_as_measure_for_older_callers(countries, regions):
    fig = maps.region_map(countries, regions, None, "en", measure=pd.Series({"USA": 5.0}), measure_label="Things")
    coloured = [tr for tr in traces(fig, "choropleth") if tr.showscale][0]
    assert list(coloured.locations) == ["USA"] and coloured.colorbar.title.text == "Things"


# --- language -------------------------------------------------------------------------------------------


def _texts(fig) -> list[str]:
    out = [fig.layout.legend.title.text or ""]
    for trace in fig.data:
        out += [trace.name or "", trace.hovertemplate or ""]
        if trace.customdata is not None:
            out += [str(v) for row in trace.customdata for v in row[1:]]
        if getattr(trace, "colorbar", None) is not None and trace.colorbar.title.text:
            out.append(trace.colorbar.title.text)
    return out


@pytest.mark.parametrize("measure_id", ["region", "activities", "progress-T1", "exports"])
def test_korean_map_has_no_english_words_and_english_map_no_korean(tables, measure_id):
    for lang in ("ko", "en"):
        measure = maps.compute_measure(measure_id, tables, metrics.Filters(years=(2018, 2021)), lang)
        fig = maps.region_map(tables["countries"], tables["regions"], tables["hubs"], lang, measure=measure,
                              selected="SEA")
        text = " ".join(_texts(fig))
        if lang == "ko":
            leftovers = set(re.findall(r"[A-Za-z]{3,}", re.sub(r"<[^>]+>|%\{[^}]+\}|extra", " ", text)))
            # Proper names and codes that stay Latin in Korean: KIST, KIC, ICT, DC, IT.
            assert leftovers <= {"KIST", "ICT", "KOSTEC", "KUSCO", "KIC"}, leftovers
        else:
            assert not HANGUL.search(text)


def test_data_strings_cannot_inject_plotly_markup(countries, regions):
    evil = countries.copy()
    evil.loc[evil["iso3"] == "VNM", "name_en"] = '<a href="https://evil.example">Viet Nam</a>'
    fig = maps.region_map(evil, regions, None, "en")
    names = [row[1] for tr in traces(fig, "choropleth") if tr.customdata is not None for row in tr.customdata]
    assert '&lt;a href="https://evil.example">Viet Nam&lt;/a>' in names
    assert not any("<a" in name for name in names)


def test_hub_hover_is_in_the_ui_language(tables):
    fig = maps.region_map(tables["countries"], tables["regions"], tables["hubs"], "ko")
    hubs = traces(fig, "scattergeo", "해외 협력 거점")[0]
    rows = {row[1]: row for row in hubs.customdata}
    assert rows["한중과학기술협력센터"][2] == "중국 베이징"
    assert rows["한중과학기술협력센터"][3] == "1993 (사무소)"
    assert "개소" in hubs.hovertemplate


# --- selection and drill-down ----------------------------------------------------------------------------


def test_resolve_selection(countries, regions):
    sea = maps.resolve_selection("SEA", countries, regions)
    assert sea.kind == "region" and len(sea.iso3) == 10 and sea.region_ids == ("SEA",)
    vnm = maps.resolve_selection("VNM", countries, regions)
    assert vnm == maps.Selection("VNM", "country", ("VNM",), ("SEA",))
    assert maps.resolve_selection("XXX", countries, regions) is None
    assert maps.resolve_selection("", countries, regions) is None


def test_selection_from_streamlit_points(countries):
    assert maps.selection_from_points([{"location": "VNM", "curve_number": 4}], countries) == "VNM"
    hub_click = [{"customdata": ["DEU", "KIST Europe", "Saarbrücken", "1996"], "point_index": 0}]
    assert maps.selection_from_points(hub_click, countries) == "DEU"
    assert maps.selection_from_points([{"location": "VNM"}, {"location": "THA"}], countries) == "THA"
    assert maps.selection_from_points([{"lat": 1, "lon": 2}], countries) is None
    assert maps.selection_from_points([{"location": "XAC"}], countries) is None
    assert maps.selection_from_points([], countries) is None


def test_every_clickable_trace_carries_its_country(tables):
    fig = maps.region_map(tables["countries"], tables["regions"], tables["hubs"], "en",
                          measure=maps.compute_measure("activities", tables, metrics.Filters(), "en"))
    known = set(tables["countries"]["iso3"])
    for trace in fig.data:
        if trace.hoverinfo == "skip":
            continue
        if trace.type == "choropleth":
            assert all(row[0] == loc for row, loc in zip(trace.customdata, trace.locations, strict=True))
        else:
            assert all(row[0] in known for row in trace.customdata), trace.name


def test_region_of_a_clicked_country(countries):
    assert maps.region_of("VNM", countries) == "SEA"
    assert maps.region_of("PRK", countries) == "KP"
    assert maps.region_of("XXX", countries) is None


def test_picker_options_list_regions_then_countries(countries, regions):
    options = maps.selection_options(countries, regions)
    assert options[:8] == ["", "US", "EU", "CN", "SEA", "SA", "EUR", "KP"]
    assert sorted(options[8:]) == sorted(countries["iso3"])
    assert options.index("VNM") < options.index("IND") < options.index("RUS")
    assert maps.selection_option_label("SEA", countries, regions, "ko") == "권역: 동남아"
    assert maps.selection_option_label("VNM", countries, regions, "en") == "Viet Nam (VNM) · Southeast Asia"
    assert maps.selection_option_label("", countries, regions, "en") == "All (nothing selected)"


def test_countries_table_has_both_names_region_and_measure(tables, countries, regions):
    measure = maps.compute_measure("activities", tables, metrics.Filters(), "ko")
    table = maps.countries_table(countries, regions, measure, "ko", maps.resolve_selection("SEA", countries, regions))
    assert list(table.columns) == ["iso3", "name_ko", "name_en", "region", "role", "협력 활동 건수"]
    assert len(table) == 10 and set(table["region"]) == {"동남아"} and set(table["role"]) == {"패키지 모델"}
    vnm = table.set_index("iso3").loc["VNM"]
    assert (vnm["name_ko"], vnm["name_en"]) == ("베트남", "Viet Nam")
    assert vnm["협력 활동 건수"] == measure.values["VNM"]
    whole = maps.countries_table(countries, regions, None, "en")
    assert len(whole) == len(countries) and whole.set_index("iso3").loc["KOR", "role"] == "Origin"


def test_initiatives_hubs_and_activities_follow_the_selection(tables, countries, regions):
    vnm = maps.resolve_selection("VNM", countries, regions)
    activity = metrics.filter_activities(tables["activities"], countries, tables["initiatives"], metrics.Filters())
    chosen = maps.activities_in(vnm, activity)
    assert set(chosen["iso3"]) == {"VNM"}
    related = maps.initiatives_for(vnm, regions, tables["initiatives"], chosen)
    assert related.set_index("initiative_id").loc["I7", "regional"]
    assert related["activities"].sum() == chosen["activities"].sum()
    assert list(maps.hubs_in(vnm, tables["hubs"])["hub_id"]) == ["VN_IT"]
    kp = maps.resolve_selection("KP", countries, regions)
    assert "I6" in set(maps.initiatives_for(kp, regions, tables["initiatives"], activity)["initiative_id"])
    assert maps.hubs_in(kp, tables["hubs"]).empty
    assert len(maps.hubs_in(None, tables["hubs"])) == len(tables["hubs"])


def test_region_filter_keeps_korea_as_origin(countries):
    shown = maps.in_regions(countries, ["SEA"])
    assert set(shown["iso3"]) == set(countries.loc[countries["region_id"] == "SEA", "iso3"]) | {"KOR"}
    assert len(maps.in_regions(countries, [])) == len(countries)


# --- size ------------------------------------------------------------------------------------------------


def test_figure_json_for_the_page_is_far_under_budget(tables):
    filters = metrics.Filters(years=(2018, 2021))
    sizes = []
    for measure_id in maps.measure_options(tables["targets"]):
        measure = maps.compute_measure(measure_id, tables, filters, "ko")
        fig = maps.region_map(tables["countries"], tables["regions"], tables["hubs"], "ko", measure=measure,
                              selected="EU")
        sizes.append(maps.figure_json_size(fig))
    activity = metrics.filter_activities(tables["activities"], tables["countries"], tables["initiatives"], filters)
    chart = maps.activities_by_initiative_chart(maps.activities_by_year_initiative(activity), tables["initiatives"],
                                                "ko", "제목")
    page_total = max(sizes) + maps.figure_json_size(chart)
    assert page_total < maps.FIGURE_JSON_BUDGET
    assert max(sizes) < 100_000  # the geometry is served as a static file, not inside the figure
    # and the figure really is JSON a browser can take
    json.loads(fig.to_json())


def test_world_view_is_fixed_not_zoomed_to_data(countries, regions):
    fig = maps.region_map(countries, regions, None, "en")
    geo = fig.layout.geo
    assert geo.fitbounds is False and geo.projection.rotation.lon == maps.CENTRE_LON
    assert tuple(geo.lataxis.range) == maps.LAT_RANGE


def test_picker_labels_match_the_single_label_function():
    from dashboard.loading import load_csv_tables

    tables = load_csv_tables()
    for region_ids in ((), ("SEA", "EU")):
        labels = maps.picker_labels(tables, region_ids, "ko")
        countries = maps.in_regions(tables["countries"], region_ids)
        regions = tables["regions"]
        shown = regions[regions["region_id"].isin(region_ids)] if region_ids else regions
        options = maps.selection_options(countries, shown)
        assert list(labels) == options
        assert all(labels[o] == maps.selection_option_label(o, countries, shown, "ko") for o in options)


def test_initiative_chart_hovers_counts_as_whole_numbers(tables, countries, regions):
    activity = metrics.filter_activities(tables["activities"], countries, tables["initiatives"], metrics.Filters())
    sea = maps.activities_in(maps.resolve_selection("SEA", countries, regions), activity)
    chart = maps.activities_by_initiative_chart(maps.activities_by_year_initiative(sea), tables["initiatives"], "ko",
                                                "동남아")
    assert chart.data and all("%{y:,.0f} 활동 건수" in trace.hovertemplate for trace in chart.data)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("sel", ["SEA", "VNM", "KP", ""])
def test_initiative_chart_uses_no_region_colour_and_full_names(tables, countries, regions, sel, lang):
    activity = metrics.filter_activities(tables["activities"], countries, tables["initiatives"], metrics.Filters())
    chosen = maps.activities_in(maps.resolve_selection(sel, countries, regions), activity)
    chart = maps.activities_by_initiative_chart(maps.activities_by_year_initiative(chosen), tables["initiatives"],
                                                lang, "title")
    names = tables["initiatives"].set_index("initiative_id")[f"name_{lang}"]
    shown = list(dict.fromkeys(chosen.merge(tables["initiatives"], on="initiative_id")
                               .sort_values("sort_order")["initiative_id"]))
    assert chart.layout.showlegend is True
    legend: dict[str, list[str]] = {}
    styles = {}
    for trace in chart.data:
        legend.setdefault(trace.legendgroup, []).append(trace.name)
        if sum(trace.y) > 0:
            styles[trace.legendgroup] = (trace.marker.color, trace.marker.pattern.shape)
    assert list(legend) == shown
    for initiative_id, rows in legend.items():  # the whole name, over as many legend rows as it needs
        assert " ".join(rows) == " ".join(f"{initiative_id} · {names[initiative_id]}".split())
        assert "…" not in "".join(rows)
    region_like = {c.upper() for c in (*theme.REGION_COLOURS.values(), *theme.OKABE_ITO)}
    assert not {colour.upper() for colour, _ in styles.values()} & region_like
    assert len(set(styles.values())) == len(shown)  # every initiative told apart


def test_legend_rows_wrap_at_display_width():
    assert maps.wrap_label("I7 · Package model: R&D + people exchange + industry + problem solving", 50) == \
        ["I7 · Package model: R&D + people exchange +", "industry + problem solving"]
    korean = maps.wrap_label("가나다라마 바사아자차 카타파하가", 22)  # Hangul counts two columns
    assert korean == ["가나다라마 바사아자차", "카타파하가"]
    assert maps.wrap_label("short", 50) == ["short"]


def test_shades_stay_distinct_past_the_number_of_shades():
    assert theme.shades(1) == [(theme.INITIATIVE_SHADES[0], "")]
    many = theme.shades(9)
    assert len(set(many)) == 9 and {colour for colour, _ in many} <= set(theme.INITIATIVE_SHADES)
