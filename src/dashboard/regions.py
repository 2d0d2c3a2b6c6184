"""Everything the partner-regions page shows for one choice of filters, selection, measure and
language, built in one place so that the page can cache it whole (a rerun then builds nothing).

`choices` is what the widgets need before anything is chosen (the countries and regions left by
the region filter and the picker's options); `view` is the rest: the map, the countries table,
the initiatives, hubs and charts beside it. Plain DataFrames and Plotly figures, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard import figures, maps, metrics
from dashboard.figure_text import escape_text
from dashboard.i18n import t


@dataclass(frozen=True)
class Choices:
    """The countries and regions the region filter leaves, and the picker's options (stable ids)."""

    countries: pd.DataFrame
    regions: pd.DataFrame
    options: tuple[str, ...]
    measures: tuple[str, ...]


@dataclass(frozen=True)
class View:
    """The page's content for one selection: treat every frame and figure as read-only."""

    selection: maps.Selection | None
    selection_name: str
    measure: maps.Measure | None
    map: go.Figure
    table: pd.DataFrame
    partners: int  # countries in the table but Korea, the origin
    activities: int
    hubs: pd.DataFrame
    initiatives: pd.DataFrame
    activities_data: pd.DataFrame
    activities_chart: go.Figure
    destinations: pd.DataFrame
    destinations_chart: go.Figure | None
    missing_geometry: tuple[str, ...]
    export_years: tuple[int, ...]


def choices(tables: Mapping[str, pd.DataFrame], region_ids: tuple[str, ...]) -> Choices:
    """What the region filter leaves to choose from."""
    regions = tables["regions"]
    countries = maps.in_regions(tables["countries"], region_ids)
    shown = regions[regions["region_id"].isin(region_ids)] if region_ids else regions
    return Choices(countries, shown, tuple(maps.selection_options(countries, shown)),
                   tuple(maps.measure_options(tables["targets"])))


def measure_labels(tables: Mapping[str, pd.DataFrame], lang: str) -> dict[str, str]:
    """Every measure's label in `lang` (the measure picker's format_func)."""
    return {m: maps.measure_option_label(m, tables["targets"], lang) for m in maps.measure_options(tables["targets"])}


def view(tables: Mapping[str, pd.DataFrame], filters: metrics.Filters, sel: str, measure_id: str, lang: str,
         *, activity: pd.DataFrame | None = None, map_height: int = 500) -> View:
    """The page for selection `sel` (region id, ISO-3 or "") coloured by `measure_id`.

    `activity` is the activities table already filtered by `filters` (pass a cached one; computed
    when omitted).
    """
    picked = choices(tables, tuple(filters.regions))
    countries, regions = picked.countries, picked.regions
    selection = maps.resolve_selection(sel, countries, regions)
    name = maps.selection_name(selection.id, countries, regions, lang) if selection else ""
    measure = maps.compute_measure(measure_id, tables, filters, lang)
    if activity is None:
        activity = metrics.filter_activities(tables["activities"], countries, tables["initiatives"], filters)
    chosen_activity = maps.activities_in(selection, activity)
    hubs = tables["hubs"]
    chosen_hubs = maps.hubs_in(selection, hubs[hubs["country_iso3"].isin(set(countries["iso3"]))])

    if selection is None:
        by_year = metrics.activities_by_year_region(activity)
        activities_chart = figures.activities_stacked(by_year, tables["regions"], lang)
    else:
        by_year = maps.activities_by_year_initiative(chosen_activity)
        activities_chart = maps.activities_by_initiative_chart(
            by_year, tables["initiatives"], lang, t("regions.activities_for", lang, name=name))

    table = maps.countries_table(countries, tables["regions"], measure, lang, selection)
    exports = tables["ict_exports_by_destination"]
    destinations = exports if selection is None else exports[exports["destination_id"].isin(selection.iso3)]
    return View(
        selection=selection,
        selection_name=name,
        measure=measure,
        map=maps.region_map(countries, tables["regions"], hubs, lang, measure=measure, selected=selection,
                            height=map_height),
        table=table,
        partners=int((table["iso3"] != maps.origin(countries)["iso3"]).sum()),
        activities=int(chosen_activity["activities"].sum()),
        hubs=chosen_hubs,
        initiatives=maps.initiatives_for(selection, regions, tables["initiatives"], chosen_activity),
        activities_data=by_year,
        activities_chart=activities_chart,
        destinations=destinations,
        destinations_chart=None if destinations.empty else figures.exports_by_destination_chart(
            destinations, tables["countries"], tables["regions"], lang,
            title=t("regions.exports_to", lang, name=escape_text(name)) if selection else None),
        missing_geometry=tuple(maps.missing_geometry(countries)),
        export_years=tuple(sorted(exports["year"].dropna().astype(int).unique())),
    )
