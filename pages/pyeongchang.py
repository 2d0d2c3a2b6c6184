"""Pyeongchang ICT Olympics: the five flagship services."""

import streamlit as st

from dashboard import figures
from dashboard.ui import cached, data
from dashboard.ui import components as ui
from dashboard.ui.state import current_filters, lang, tr
from dashboard.ui.text import escape_md

tables = data.tables()
L = lang()
st.title(tr("pyeongchang.title"))
st.markdown(tr("pyeongchang.lead"))
ui.filter_notice(tables, current_filters(), applies=False)

services = tables["services"].sort_values("sort_order")
cols = st.columns(len(services))
for column, service in zip(cols, services.itertuples(index=False), strict=True):
    with column.container(border=True, height="stretch"):
        st.markdown(f"### {escape_md(service.name_en)}")
        st.markdown(f"**{escape_md(getattr(service, f'brand_{L}'))}**")
        st.caption(escape_md(getattr(service, f"description_{L}")))

st.subheader(tr("pyeongchang.trial"))
figures_5g = tables["service_figures"]
cols = st.columns(len(figures_5g))
for column, row in zip(cols, figures_5g.itertuples(index=False), strict=True):
    column.metric(escape_md(getattr(row, f"label_{L}")), f"{row.value:,g} {escape_md(getattr(row, f'unit_{L}'))}")
ui.sources_line(figures_5g["source"])

st.subheader(tr("pyeongchang.goals"))
st.markdown(tr("pyeongchang.goals_text"))
milestones = tables["milestones"]
ui.chart(cached.table_figure(tables, figures.milestones_timeline, "milestones", L), milestones, "pyeongchang_timeline", table="milestones",
         sources=milestones["source"])
