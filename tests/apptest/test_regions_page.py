"""The partner-regions page: both languages, selection through URL, picker and buttons, measures."""

from __future__ import annotations

import json

import pytest

COUNTRIES_KEY = "regions_countries"


def map_spec(at) -> dict:
    charts = at.get("plotly_chart")
    assert charts, "no Plotly chart on the page"
    return json.loads(charts[0].proto.spec)


def countries_table(at):
    """The countries table beside the map (the first dataframe of the page)."""
    return at.dataframe[0].value


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(parts)


@pytest.mark.parametrize(("lang", "title", "disclaimer", "legend"), [
    ("ko", "협력 권역", "공식적 승인이나 수용을 의미하지 않습니다", {"대한민국 (기점)", "동남아", "협력 벨트", "해외 협력 거점"}),
    ("en", "Partner regions", "do not imply official endorsement", {"Republic of Korea (origin)", "Southeast Asia",
                                                                    "Cooperation belts", "Cooperation hubs abroad"}),
])
def test_page_runs_in_both_languages_with_map_legend_and_disclaimer(open_page, lang, title, disclaimer, legend):
    at = open_page("regions", lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [title]
    spec = map_spec(at)
    names = {trace.get("name") for trace in spec["data"] if trace.get("showlegend", True)}
    assert legend <= names
    assert spec["layout"]["geo"]["resolution"] == 50 and spec["layout"]["geo"]["fitbounds"] is False
    assert disclaimer in texts(at)
    table = countries_table(at)
    assert len(table) == 64
    assert {"VNM", "PRK", "KOR"} <= set(table.iloc[:, 0])
    assert at.selectbox(key="sel").value == ""
    assert at.button_group(key="regions_click_level").value == "country"


def test_korean_page_shows_korean_labels_only(open_page):
    at = open_page("regions", lang="ko")
    table = countries_table(at)
    assert list(table.columns) == ["국가코드", "이름(한국어)", "이름(영어)", "권역", "역할"]
    assert set(table["권역"]) >= {"동남아", "유럽(EU)", "한반도"}
    labels = [s.label for s in at.selectbox]
    assert "지도 색상 기준" in labels and "권역·국가 선택" in labels
    spec = map_spec(at)
    hubs = [trace for trace in spec["data"] if trace.get("name") == "해외 협력 거점"][0]
    assert all("Germany" not in str(row) for row in hubs["customdata"])


def test_selection_from_the_url_filters_table_lists_and_map(open_page):
    at = open_page("regions", lang="en", sel="VNM")
    assert not at.exception
    table = countries_table(at)
    assert list(table["ISO3 code"]) == ["VNM"]
    assert list(table["Name (Korean)"]) == ["베트남"]
    body = texts(at)
    assert "Selected\\: Viet Nam" in body
    assert "Korea–Vietnam IT Support Center" in body and "KIST Europe" not in body
    assert {m.label: m.value for m in at.metric}["Partner countries"] == "1"
    outline = [trace for trace in map_spec(at)["data"] if trace.get("hoverinfo") == "skip"
               and trace["type"] == "choropleth"]
    assert [trace["locations"] for trace in outline] == [["VNM"]]
    assert at.button(key="regions_widen").label == "All of Southeast Asia"


def test_region_selection_from_the_url(open_page):
    at = open_page("regions", lang="ko", sel="SEA")
    table = countries_table(at)
    assert len(table) == 10 and set(table["권역"]) == {"동남아"}
    assert "선택\\: 동남아" in texts(at)


def test_unknown_selection_is_ignored(open_page):
    at = open_page("regions", lang="en", sel="<script>")
    assert not at.exception
    assert len(countries_table(at)) == 64
    assert at.selectbox(key="sel").value == ""


def test_picker_selects_and_writes_the_url_and_clear_resets(open_page):
    at = open_page("regions", lang="en")
    at.selectbox(key="sel").set_value("EU").run()
    assert len(countries_table(at)) == 28
    assert at.query_params["sel"] in ("EU", ["EU"])
    at.selectbox(key="sel").set_value("DEU").run()
    assert list(countries_table(at)["ISO3 code"]) == ["DEU"]
    assert "KIST Europe" in texts(at)
    at.button(key="regions_widen").click().run()
    assert at.selectbox(key="sel").value == "EU" and len(countries_table(at)) == 28
    at.button(key="regions_clear").click().run()
    assert at.selectbox(key="sel").value == ""
    assert len(countries_table(at)) == 64
    assert "sel" not in at.query_params


def test_measure_from_the_url_adds_its_column_and_colour_bar(open_page):
    at = open_page("regions", lang="ko", measure="activities", years="2019-2020")
    assert not at.exception
    assert at.selectbox(key="measure").value == "activities"
    table = countries_table(at)
    assert "협력 활동 건수" in table.columns
    spec = map_spec(at)
    bars = [trace["colorbar"]["title"]["text"] for trace in spec["data"] if trace.get("showscale")]
    assert bars == ["협력 활동 건수 · 2019–2020"]
    total = table["협력 활동 건수"].sum()
    assert {m.label: m.value for m in at.metric}["협력 활동"] == f"{int(total):,}"


def test_exports_measure_outside_its_years_says_there_is_no_data(open_page):
    at = open_page("regions", lang="en", measure="exports", years="2019-2021")
    assert not at.exception
    assert any("no ICT export figures by destination in the chosen years" in i.value for i in at.info)


def test_sidebar_region_filter_limits_the_map_and_the_picker(open_page):
    at = open_page("regions", lang="en", region="SA")
    table = countries_table(at)
    assert set(table["ISO3 code"]) == {"AFG", "BGD", "BTN", "IND", "IRN", "MDV", "NPL", "PAK", "LKA", "KOR"}
    options = at.selectbox(key="sel").options
    assert "Region: South / Southwest Asia" in options and "Region: Europe (EU)" not in options
    assert "India (IND) · South / Southwest Asia" in options and not any("France" in o for o in options)
    located = {code for trace in map_spec(at)["data"] if trace["type"] == "choropleth" for code in trace["locations"]}
    assert "FRA" not in located and "IND" in located and "KOR" in located


def test_selection_without_exports_shows_a_notice_instead_of_the_chart(open_page):
    at = open_page("regions", lang="en", sel="DEU")
    assert any("no ICT export figures by destination for this selection" in i.value for i in at.info)


def test_partner_count_leaves_out_korea(open_page):
    at = open_page("regions", lang="en")
    table = at.dataframe[0].value
    assert "KOR" in set(table.iloc[:, 0])  # Korea is listed (as the origin) ...
    assert {m.label: m.value for m in at.metric}["Partner countries"] == f"{len(table) - 1:,}"  # ... not counted


def test_activities_measure_explains_it_is_per_country(open_page):
    from dashboard.i18n import t

    assert t("regions.measure_note_activities", "en") not in [c.value for c in open_page("regions", lang="en").caption]
    at = open_page("regions", lang="en", measure="activities")
    assert t("regions.measure_note_activities", "en") in [c.value for c in at.caption]


def test_policy_table_follows_the_selection(open_page):
    from dashboard.i18n import t

    everything = open_page("regions", lang="en").get("table")[0].value
    assert {"New Southern Policy", "New Northern Policy"} <= set(everything.iloc[:, 0])
    south_east = open_page("regions", lang="en", sel="VNM").get("table")[0].value
    assert list(south_east.iloc[:, 0]) == ["New Southern Policy"]  # Viet Nam's region only
    peninsula = open_page("regions", lang="en", sel="KP")
    assert not peninsula.get("table")
    assert t("regions.no_context", "en", name="Korean Peninsula") in [c.value for c in peninsula.caption]
