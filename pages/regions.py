"""Partner regions: the offline world map of the belts and regions, with click-to-drill-down.

A click on a country (or hub) on the map, the picker beside it, or `?sel=SEA` / `?sel=VNM` in the URL
select a region or a country; the tables, lists and charts on the page then show only that selection.
"""

import streamlit as st

from dashboard import figures, maps, metrics
from dashboard.ui import components as ui
from dashboard.ui import cached, data
from dashboard.ui.state import current_filters, lang, tr, url_bound, write_url
from dashboard.ui.text import escape_md

MAP_KEY = "regions_map"
SEL = "sel"
MEASURE = "measure"
CLICK_LEVEL = "regions_click_level"
MAP_HEIGHT = 500

tables = data.tables()
L = lang()
filters = current_filters()
ui.store_warnings(tables.warnings)
regions = tables["regions"]
countries = maps.in_regions(tables["countries"], filters.regions)
shown_regions = regions[regions["region_id"].isin(filters.regions)] if filters.regions else regions
options = maps.selection_options(countries, shown_regions)
measures = maps.measure_options(tables["targets"])


def _select_from_map() -> None:
    """on_select of the map: the clicked country becomes the selection (empty clicks change nothing)."""
    state = st.session_state.get(MAP_KEY)
    points = state["selection"]["points"] if state else []
    picked = maps.selection_from_points(points, countries)
    if picked and st.session_state.get(CLICK_LEVEL) == "region":
        picked = maps.region_of(picked, countries)
    if picked in options:
        st.session_state[SEL] = picked


def _set_selection(value: str) -> None:
    st.session_state[SEL] = value


st.title(tr("regions.title"))
st.markdown(tr("regions.lead"))

url_bound(MEASURE, maps.REGION_MEASURE, lambda raw: raw[0] if raw[0] in measures else None,
          lambda v: [] if v == maps.REGION_MEASURE else [v])
if st.session_state.get(MEASURE) not in measures:
    st.session_state[MEASURE] = maps.REGION_MEASURE
url_bound(SEL, "", lambda raw: raw[0] if raw[0] in options else None, lambda v: [v] if v else [])
if st.session_state.get(SEL) not in options:
    st.session_state[SEL] = ""

measure_column, level_column, picker_column = st.columns([5, 4, 7], gap="medium", vertical_alignment="bottom")
with measure_column:
    measure_id = st.selectbox(tr("regions.measure_picker"), measures, key=MEASURE,
                              format_func=lambda m: maps.measure_option_label(m, tables["targets"], L))
    write_url(MEASURE)
with level_column:
    st.segmented_control(tr("regions.click_level"), ["country", "region"], key=CLICK_LEVEL, default="country",
                         required=True, format_func=lambda level: tr(f"regions.click_{level}"))
with picker_column:
    sel = st.selectbox(tr("regions.picker"), options, key=SEL, help=tr("regions.picker_help"),
                       format_func=cached.per_state(tables, maps.picker_labels, tuple(filters.regions), L).__getitem__)
    write_url(SEL)
selection = maps.resolve_selection(sel, countries, shown_regions)
if selection is None:
    st.caption(tr("regions.map_hint"))
else:
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        name = maps.selection_name(selection.id, countries, shown_regions, L)
        st.markdown(f":blue-badge[:material/location_on: {escape_md(tr('regions.selected', name=name))}]",
                    width="content")
        st.button(tr("regions.clear"), icon=":material/close:", key="regions_clear", on_click=_set_selection,
                  args=("",), width="content")
        if selection.kind == "country" and selection.region_ids and selection.region_ids[0] in options:
            region_id = selection.region_ids[0]
            st.button(tr("regions.whole_region", region=maps.selection_name(region_id, countries, shown_regions, L)),
                      key="regions_widen", on_click=_set_selection, args=(region_id,), width="content")

measure = maps.compute_measure(measure_id, tables, filters, L)
activity = metrics.filter_activities(tables["activities"], countries, tables["initiatives"], filters)
chosen_activity = maps.activities_in(selection, activity)
chosen_hubs = maps.hubs_in(selection, tables["hubs"][tables["hubs"]["country_iso3"].isin(set(countries["iso3"]))])
table = maps.countries_table(countries, regions, measure, L, selection)

fig = maps.region_map(countries, regions, tables["hubs"], L, measure=measure, selected=selection, height=MAP_HEIGHT)
st.plotly_chart(fig, key=MAP_KEY, on_select=_select_from_map, selection_mode="points", config=ui.plotly_config())
st.caption(tr("regions.disclaimer"))
if measure is not None and measure.scope == "region":
    st.caption(tr("regions.measure_note_region"))
if measure is not None and measure.id == maps.EXPORTS_MEASURE:
    if measure.period:
        st.caption(tr("regions.measure_note_exports"))
        ui.sources_line(measure.sources)
    else:
        years = sorted(tables["ict_exports_by_destination"]["year"].dropna().astype(int).unique())
        st.info(tr("regions.no_exports_years", years=f"{years[0]}–{years[-1]}" if years else "—"))
missing = maps.missing_geometry(countries)
if missing:
    st.caption(tr("regions.missing_geometry", codes=escape_md(", ".join(missing))))
st.caption(tr("regions.membership_note"))
ui.illustrative_notice()

st.subheader(tr("regions.countries_title"))
kpis = st.columns(3)
kpis[0].metric(tr("regions.kpi_countries"), f"{len(table):,}")
kpis[1].metric(tr("regions.kpi_activities"), f"{int(chosen_activity['activities'].sum()):,}")
kpis[2].metric(tr("regions.kpi_hubs"), f"{len(chosen_hubs):,}")
st.caption(tr("regions.countries_shown", count=len(table)))
shown = table.rename(columns={"region": tr("regions.col_region"), "role": tr("regions.col_role")})
ui.data_table(shown, "regions_countries", table="countries", height=320 if len(shown) > 8 else "auto")

initiatives_column, hubs_column = st.columns(2, gap="large")
with initiatives_column:
    st.subheader(tr("regions.initiatives_title"))
    related = maps.initiatives_for(selection, shown_regions, tables["initiatives"], chosen_activity)
    if related.empty:
        st.caption(tr("regions.no_initiatives"))
    for row in related.itertuples(index=False):
        line = tr("regions.initiative_line", id=escape_md(row.initiative_id),
                  name=escape_md(getattr(row, f"name_{L}")), count=f"{row.activities:,}")
        st.markdown(f"- {line}" + (f" :green-badge[{tr('regions.initiative_regional')}]" if row.regional else ""))
with hubs_column:
    st.subheader(tr("regions.hubs_title"))
    if chosen_hubs.empty:
        st.caption(tr("regions.no_hubs"))
    for hub in chosen_hubs.itertuples(index=False):
        st.markdown("- " + tr("regions.hub_line", name=escape_md(getattr(hub, f"name_{L}")),
                                city=escape_md(getattr(hub, f"city_{L}")),
                                opened=escape_md(maps.localise_opened(hub.opened, L))))
    ui.sources_line(chosen_hubs["source"])

left, right = st.columns(2, gap="large")
with left:
    if selection is None:
        by_year = metrics.activities_by_year_region(activity)
        ui.chart(figures.activities_stacked(by_year, regions, L), by_year, "regions_activities", illustrative=True)
    else:
        by_year = maps.activities_by_year_initiative(chosen_activity)
        title = tr("regions.activities_for", name=maps.selection_name(selection.id, countries, shown_regions, L))
        ui.chart(maps.activities_by_initiative_chart(by_year, tables["initiatives"], L, title), by_year,
                 "regions_activities", illustrative=True)
with right:
    destinations = tables["ict_exports_by_destination"]
    if selection is not None:
        destinations = destinations[destinations["destination_id"].isin(selection.iso3)]
    if destinations.empty:
        chosen_name = maps.selection_name(selection.id, countries, shown_regions, L) if selection else ""
        st.subheader(tr("regions.exports_for", name=escape_md(chosen_name)))
        st.info(tr("regions.no_exports"))
    else:
        ui.chart(figures.exports_by_destination_chart(destinations, L), destinations, "regions_destinations",
                 table="ict_exports_by_destination", sources=destinations["source"])

st.subheader(tr("regions.context"))
ui.facts_table(tables["context_facts"], "regions_context")
