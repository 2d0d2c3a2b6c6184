"""What the partner-regions page shows for a selection, filters and measure (dashboard.regions)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import maps, metrics, regions, theme
from dashboard.loading import load_csv_tables
from dashboard.metrics import Filters


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return load_csv_tables()


def test_choices_follow_the_region_filter(tables):
    everything = regions.choices(tables, ())
    assert everything.options[0] == "" and "SEA" in everything.options and "VNM" in everything.options
    assert everything.measures == tuple(maps.measure_options(tables["targets"]))
    south_east = regions.choices(tables, ("SEA",))
    assert set(south_east.regions["region_id"]) == {"SEA"}
    assert "VNM" in south_east.options and "FRA" not in south_east.options
    assert set(south_east.countries["iso3"]) >= {"VNM", "THA", "KOR"}  # the origin stays on the map


def test_measure_labels_name_every_measure_in_the_language(tables):
    labels = regions.measure_labels(tables, "en")
    assert list(labels) == maps.measure_options(tables["targets"])
    assert all(label and label != measure for measure, label in labels.items())
    assert labels["activities"] != regions.measure_labels(tables, "ko")["activities"]


def test_view_without_selection_shows_every_partner_and_all_activities(tables):
    filters = Filters(years=(2019, 2021))
    view = regions.view(tables, filters, "", "activities", "en")
    activity = metrics.filter_activities(tables["activities"], tables["countries"], tables["initiatives"], filters)
    assert view.selection is None and view.selection_name == ""
    assert len(view.table) == len(tables["countries"])
    assert view.activities == int(activity["activities"].sum()) > 0
    assert view.measure is not None and view.measure.id == "activities"
    assert view.destinations_chart is not None and len(view.destinations) == len(tables["ict_exports_by_destination"])
    assert len(view.hubs) == len(tables["hubs"])


def test_view_of_a_region_narrows_table_hubs_activities_and_exports(tables):
    view = regions.view(tables, Filters(), "SEA", "region", "en")
    members = set(tables["countries"].loc[tables["countries"]["region_id"] == "SEA", "iso3"])
    assert view.selection.kind == "region" and view.selection_name == "Southeast Asia"
    assert set(view.table["iso3"]) == members
    assert set(view.hubs["country_iso3"]) <= members and len(view.hubs) >= 1
    assert set(view.destinations["destination_id"]) <= members
    everything = regions.view(tables, Filters(), "", "region", "en")
    assert 0 < view.activities < everything.activities
    assert list(view.activities_data.columns) == ["year", "initiative_id", "activities"]


def test_view_of_a_country_without_export_figures_has_no_export_chart(tables):
    exported = set(tables["ict_exports_by_destination"]["destination_id"])
    country = next(iso for iso in tables["countries"]["iso3"] if iso not in exported and iso != "KOR")
    view = regions.view(tables, Filters(), country, "region", "ko")
    assert view.selection.kind == "country" and list(view.table["iso3"]) == [country]
    assert view.destinations.empty and view.destinations_chart is None
    assert view.export_years == tuple(sorted(tables["ict_exports_by_destination"]["year"].astype(int).unique()))


def test_unknown_selection_is_no_selection(tables):
    view = regions.view(tables, Filters(regions=("SEA",)), "FRA", "region", "en")  # FRA is filtered out
    assert view.selection is None and set(view.table["iso3"]) == set(regions.choices(tables, ("SEA",)).countries["iso3"])


@pytest.mark.parametrize(("sel", "lang", "title", "legend"), [("VNM", "en", "ICT exports to Viet Nam", "Viet Nam"),
                                                              ("VNM", "ko", "베트남 대상 ICT 수출", "베트남"),
                                                              ("SEA", "en", "ICT exports to Southeast Asia", "Viet Nam")])
def test_export_chart_of_a_selection_names_it_in_title_and_legend(tables, sel, lang, title, legend):
    chart = regions.view(tables, Filters(), sel, "region", lang).destinations_chart
    assert chart.layout.title.text == title
    assert chart.layout.showlegend is True and [trace.name for trace in chart.data] == [legend]
    assert chart.data[0].marker.color == theme.REGION_COLOURS["SEA"]


def test_export_chart_without_selection_keeps_the_generic_title(tables):
    chart = regions.view(tables, Filters(), "", "region", "en").destinations_chart
    assert chart.layout.title.text == "ICT exports by main destination"
    assert {trace.name: trace.marker.color for trace in chart.data}["China"] == theme.REGION_COLOURS["CN"]


@pytest.mark.parametrize("sel", ["", "SEA", "KP"])
def test_partner_count_is_the_table_without_korea(tables, sel):
    view = regions.view(tables, Filters(), sel, "region", "en")
    assert view.partners == len(view.table) - int("KOR" in set(view.table["iso3"]))
