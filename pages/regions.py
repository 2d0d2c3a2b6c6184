"""Partner regions: the world map of the belts and package-model regions."""

import streamlit as st

from dashboard import figures, maps, metrics
from dashboard.ui import components as ui
from dashboard.ui import data
from dashboard.ui.state import current_filters, lang, tr

tables = data.tables()
L = lang()
filters = current_filters()
st.title(tr("regions.title"))
st.markdown(tr("regions.lead"))

countries = tables["countries"]
activity = metrics.filter_activities(tables["activities"], countries, tables["initiatives"], filters)
by_country = metrics.activities_by_country(activity, countries)

st.plotly_chart(maps.region_map(countries, tables["regions"], tables["hubs"], L), key="regions_map",
                config=ui.plotly_config())
ui.sources_line(tables["hubs"]["source"])
st.caption(tr("regions.membership_note"))

left, right = st.columns(2, gap="large")
with left:
    ui.illustrative_notice()
    ui.chart(figures.activities_stacked(metrics.activities_by_year_region(activity), tables["regions"], L),
             metrics.activities_by_year_region(activity), "regions_activities", illustrative=True)
with right:
    destinations = tables["ict_exports_by_destination"]
    ui.chart(figures.exports_by_destination_chart(destinations, L), destinations, "regions_destinations",
             table="ict_exports_by_destination", sources=destinations["source"])

st.subheader(tr("regions.countries"))
ui.data_table(by_country.drop(columns=["capital_lat", "capital_lon"]), "regions_countries", table="countries")
st.subheader(tr("regions.hubs"))
ui.data_table(tables["hubs"], "regions_hubs", table="hubs")
st.subheader(tr("regions.context"))
ui.facts_table(tables["context_facts"], "regions_context")
