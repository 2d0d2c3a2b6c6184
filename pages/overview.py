"""Overview: the strategy at a glance."""

import streamlit as st

from dashboard import figures
from dashboard.ui import cached, data
from dashboard.ui import components as ui
from dashboard.ui.state import current_filters, lang, tr
from dashboard.ui.text import escape_md

tables = data.tables()
L = lang()
ui.store_warnings(tables.warnings)
st.title(tr("overview.title"))
st.markdown(tr("overview.lead"))
ui.filter_notice(tables, current_filters(), goals=True)

summary = cached.target_summary(tables, current_filters())
st.subheader(tr("overview.targets"))
ui.illustrative_notice()
ui.target_cards(summary, tables["targets"])

left, right = st.columns(2, gap="large")
with left:
    st.subheader(tr("overview.pillars"))
    for pillar in tables["pillars"].sort_values("sort_order").itertuples(index=False):
        st.markdown(f"**{escape_md(pillar.pillar_id)}** · {escape_md(getattr(pillar, f'name_{L}'))}")
    st.subheader(tr("overview.attributes"))
    ui.attribute_row(tables["attributes"])
with right:
    st.subheader(tr("overview.map"))
    ui.chart(cached.region_map(tables, L, height=340, resolution=110, inset=False),
             tables["countries"], "overview_map", table="countries", sources=tables["hubs"]["source"])
    st.caption(tr("regions.disclaimer"))

st.subheader(tr("overview.briefing"))
facts, series = st.columns([3, 2], gap="large")
with facts:
    ui.facts_table(tables, "briefing_facts", "overview_facts")
with series:
    briefings = tables["briefing_series"]
    ui.chart(cached.table_figure(tables, figures.briefing_series_chart, "briefing_series", L), briefings,
             "overview_series", table="briefing_series",
             sources=briefings["source"])
