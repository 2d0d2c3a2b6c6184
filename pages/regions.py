"""Partner regions: the offline world map of the belts and regions, with click-to-drill-down.

A click on a country (or hub) on the map, the picker beside it, or `?sel=SEA` / `?sel=VNM` in the URL
select a region or a country; the tables, lists and charts on the page then show only that selection.
"""

import streamlit as st

from dashboard import maps, regions
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
choices = cached.per_state(tables, regions.choices, tuple(filters.regions))
countries, shown_regions, options, measures = choices.countries, choices.regions, choices.options, choices.measures


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
ui.filter_notice(tables, filters)

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
                              format_func=cached.per_state(tables, regions.measure_labels, L).__getitem__)
    write_url(MEASURE)
with level_column:
    st.segmented_control(tr("regions.click_level"), ["country", "region"], key=CLICK_LEVEL, default="country",
                         required=True, format_func=lambda level: tr(f"regions.click_{level}"))
with picker_column:
    sel = st.selectbox(tr("regions.picker"), options, key=SEL, help=tr("regions.picker_help"),
                       format_func=cached.per_state(tables, maps.picker_labels, tuple(filters.regions), L).__getitem__)
    write_url(SEL)
view = cached.regions_view(tables, filters, sel, measure_id, L, MAP_HEIGHT)
selection = view.selection
if selection is None:
    st.caption(tr("regions.map_hint"))
else:
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(f":blue-badge[:material/location_on: {escape_md(tr('regions.selected', name=view.selection_name))}]",
                    width="content")
        st.button(tr("regions.clear"), icon=":material/close:", key="regions_clear", on_click=_set_selection,
                  args=("",), width="content")
        if selection.kind == "country" and selection.region_ids and selection.region_ids[0] in options:
            region_id = selection.region_ids[0]
            st.button(tr("regions.whole_region", region=maps.selection_name(region_id, countries, shown_regions, L)),
                      key="regions_widen", on_click=_set_selection, args=(region_id,), width="content")

measure = view.measure
st.plotly_chart(view.map, key=MAP_KEY, on_select=_select_from_map, selection_mode="points",
                config=ui.plotly_config())
st.caption(tr("regions.disclaimer"))
if measure is not None and measure.scope == "region":
    st.caption(tr("regions.measure_note_region"))
if measure is not None and measure.id == maps.ACTIVITIES_MEASURE:
    st.caption(tr("regions.measure_note_activities"))
if measure is not None and measure.id == maps.EXPORTS_MEASURE:
    if measure.period:
        st.caption(tr("regions.measure_note_exports"))
        ui.sources_line(measure.sources)
    else:
        years = view.export_years
        st.info(tr("regions.no_exports_years", years=f"{years[0]}–{years[-1]}" if years else "—"))
if view.missing_geometry:
    st.caption(tr("regions.missing_geometry", codes=escape_md(", ".join(view.missing_geometry))))
st.caption(tr("regions.membership_note"))
ui.illustrative_notice()

st.subheader(tr("regions.countries_title"))
kpis = st.columns(3)
table = view.table
kpis[0].metric(tr("regions.kpi_countries"), f"{view.partners:,}",  # Korea is the origin, not a partner
               help=tr("regions.kpi_countries_help"))
kpis[1].metric(tr("regions.kpi_activities"), f"{view.activities:,}")
kpis[2].metric(tr("regions.kpi_hubs"), f"{len(view.hubs):,}")
st.caption(tr("regions.countries_shown", count=len(table)))
shown = table.rename(columns={"region": tr("regions.col_region"), "role": tr("regions.col_role")})
ui.data_table(shown, "regions_countries", table="countries", height=320 if len(shown) > 8 else "auto")

initiatives_column, hubs_column = st.columns(2, gap="large")
with initiatives_column:
    st.subheader(tr("regions.initiatives_title"))
    related = view.initiatives
    if related.empty:
        st.caption(tr("regions.no_initiatives"))
    for row in related.itertuples(index=False):
        line = tr("regions.initiative_line", id=escape_md(row.initiative_id),
                  name=escape_md(getattr(row, f"name_{L}")), count=f"{row.activities:,}")
        st.markdown(f"- {line}" + (f" :green-badge[{tr('regions.initiative_regional')}]" if row.regional else ""))
with hubs_column:
    st.subheader(tr("regions.hubs_title"))
    if view.hubs.empty:
        st.caption(tr("regions.no_hubs"))
    for hub in view.hubs.itertuples(index=False):
        st.markdown("- " + tr("regions.hub_line", name=escape_md(getattr(hub, f"name_{L}")),
                                city=escape_md(getattr(hub, f"city_{L}")),
                                opened=escape_md(maps.localise_opened(hub.opened, L))))
    ui.sources_line(view.hubs["source"])

left, right = st.columns(2, gap="large")
with left:
    ui.chart(view.activities_chart, view.activities_data, "regions_activities", illustrative=True)
with right:
    if view.destinations_chart is None:
        st.subheader(tr("regions.exports_for", name=escape_md(view.selection_name)))
        st.info(tr("regions.no_exports"))
    else:
        ui.chart(view.destinations_chart, view.destinations, "regions_destinations",
                 table="ict_exports_by_destination", sources=view.destinations["source"])

st.subheader(tr("regions.context"))
if not ui.facts_table(tables, "context_facts", "regions_context", selection.region_ids if selection else ()):
    st.caption(tr("regions.no_context", name=escape_md(view.selection_name)))
